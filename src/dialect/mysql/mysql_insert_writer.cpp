#include "dialect/mysql/mysql_insert_writer.hpp"

#include <tabula/error.hpp>
#include <tabula/log.hpp>

#include "connection_access.hpp"
#include "detail/column_rules.hpp"
#include "dialect/mysql/mysql_prepared_insert.hpp"
#include "dialect/mysql/mysql_statement.hpp"
#include "dialect/read_back.hpp"
#include "dialect/row_sql.hpp"
#include "record_access.hpp"
#include "statement.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>

namespace tabula::dialect::mysql {
namespace {

using detail::ColumnFlags;
using detail::Family;
using detail::RecordAccess;
using detail::ResultSet;

// The statement text holds escaped literals; the statement hook is shown `shape`, the same SQL
// with `?` for values. A disconnect marks the connection broken, as run_statement does.
template <class F>
auto on_connection(Connection& connection, F&& f) {
  try {
    return f(detail::ConnectionAccess::native_handle(connection));
  } catch (const SqlError& e) {
    if (e.is_disconnect()) detail::ConnectionAccess::mark_broken(connection);
    throw;
  }
}

class MysqlInsertWriter final : public detail::InsertWriter {
 public:
  MysqlInsertWriter(Connection& connection, detail::InsertTarget& target,
                    detail::InsertOptions options)
      : connection_(connection), target_(target), options_(options) {}

  void insert(const Model& model, std::span<Record* const> rows, bool alone) override {
    land();
    if (prepared_pages()) {
      insert_prepared_pages(connection_, target_,
                            statement_cache(connection_, options_.statement_cache), model, rows,
                            alone);
      return;
    }
    std::vector<std::size_t> columns = detail::union_of_given_columns(rows);
    if (options_.returning) {
      insert_pages(model, rows, columns, std::nullopt, alone);
    } else if (std::optional<std::uint64_t> step = generated_keys_consecutive(model, rows)) {
      target_.begin_transaction();  // an INSERT and a SELECT per page
      insert_pages(model, rows, columns, step, false);
    } else {
      target_.begin_transaction();
      detail::insert_rows(connection_, target_, model, rows, false);
    }
  }

  std::size_t rows_to_send_ahead(const Record& sample) const override {
    if (!prepared_pages()) return 0;
    return rows_per_page(detail::given_columns(sample).size());
  }

  std::vector<Record*> send_ahead(const Model& model, std::span<Record* const> rows) override {
    if (!prepared_pages()) {
      insert(model, rows, false);
      return {};
    }
    if (!ahead_) {
      ahead_.emplace(connection_, target_, statement_cache(connection_, options_.statement_cache));
    }
    return ahead_->send(model, rows, false, true);
  }

  void land() override {
    if (ahead_) ahead_->land();
  }

  void abandon() noexcept override {
    if (ahead_) ahead_->abandon();
  }

 private:
  // Server-side prepared pages with RETURNING (mysql_prepared_insert.hpp).
  bool prepared_pages() const noexcept {
    return options_.returning && options_.statement_cache > 0;
  }

  // Without RETURNING, the keys of a multi-row INSERT are known only when the server hands out
  // consecutive values to one statement: InnoDB's autoinc lock modes 0 and 1 ("traditional",
  // "consecutive"; MariaDB's default) guarantee it for inserts whose row count is known, mode 2
  // (MySQL 8's default) does not. Then key k of a statement is LAST_INSERT_ID() + k * increment.
  // Returns that increment, or nullopt when rows must go one by one. The server's settings are
  // read once per flush.
  std::optional<std::uint64_t> generated_keys_consecutive(const Model& model,
                                                          std::span<Record* const> rows) {
    if (rows.size() < 2) return std::nullopt;
    std::optional<std::size_t> key = detail::auto_increment_key(model.table());
    if (!key) return std::nullopt;
    if (std::any_of(rows.begin(), rows.end(),
                    [&](const Record* r) { return detail::given(*r, *key); })) {
      return std::nullopt;
    }
    if (!id_step_) {
      ResultSet r = detail::run_statement(
          connection_, "SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment");
      bool consecutive =
          r.rows() == 1 && r.at(0, 0) && *r.at(0, 0) != "2" && *r.at(0, 0) != "3" && r.at(0, 1);
      id_step_ = consecutive ? std::optional<std::uint64_t>(std::stoull(std::string(*r.at(0, 1))))
                             : std::nullopt;
    }
    return *id_step_;
  }

  void insert_pages(const Model& model, std::span<Record* const> rows,
                    const std::vector<std::size_t>& columns, std::optional<std::uint64_t> id_step,
                    bool alone);

  Connection& connection_;
  detail::InsertTarget& target_;
  detail::InsertOptions options_;
  std::optional<std::optional<std::uint64_t>> id_step_;  // read once per flush when needed
  std::optional<PagePipeline> ahead_;                    // pages sent ahead (send_ahead)
};

// Sends `rows` as few multi-row statements as fit under max_allowed_packet (a column a record
// leaves unset gets DEFAULT). Without `id_step`, RETURNING reads back what the database decided
// (read_back.hpp); with it, the keys are LAST_INSERT_ID() + k * id_step and one SELECT per
// statement reads the rows back.
void MysqlInsertWriter::insert_pages(const Model& model, std::span<Record* const> rows,
                                     const std::vector<std::size_t>& columns,
                                     std::optional<std::uint64_t> id_step, bool alone) {
  const Table& table = model.table();
  const detail::SqlDialect& dialect = detail::ConnectionAccess::dialect(connection_);
  void* native = detail::ConnectionAccess::native_handle(connection_);
  std::string head = "INSERT INTO " + dialect.quote_identifier(table.name) + " (" +
                     detail::column_list(dialect, table, columns) + ") VALUES ";
  std::vector<Family> families = detail::families_of(table, connection_.dialect());
  std::vector<std::size_t> returned;
  if (!id_step) {
    returned = detail::columns_to_read_back(dialect, table, families, rows,
                                            target_.has_before_insert_trigger(table));
  }
  // Nothing to read back (a table without a key, every value stored as sent): no RETURNING.
  std::string tail = id_step || returned.empty()
                         ? ""
                         : " RETURNING " + detail::column_list(dialect, table, returned);

  auto load = [&](std::span<Record* const> page, const ResultSet& result) {
    detail::load_inserted(target_, table, families, returned, page, result);
  };
  // LAST_INSERT_ID() is the first key of the statement; the SELECT reads defaults back.
  auto load_by_keys = [&](std::span<Record* const> page, const ResultSet& inserted) {
    if (inserted.affected_rows != page.size()) {
      throw Error("INSERT into " + table.name + " reported " +
                  std::to_string(inserted.affected_rows) + " rows for " +
                  std::to_string(page.size()));
    }
    std::size_t key = *detail::auto_increment_key(table);
    std::vector<ColumnFlags> masks;
    std::vector<std::string> keys;  // computed integers: written into the SQL as they are
    std::string select = "SELECT " + detail::all_columns(dialect, table) + " FROM " +
                         dialect.quote_identifier(table.name) + " WHERE " +
                         dialect.quote_identifier(table.columns[key].name) + " IN (";
    for (std::size_t k = 0; k < page.size(); ++k) {
      masks.push_back(RecordAccess::set_mask(*page[k]));
      keys.push_back(std::to_string(inserted.last_insert_id + k * *id_step));
      select += (k == 0 ? "" : ", ") + keys.back();
    }
    ResultSet back = detail::run_statement(connection_, select + ")");
    std::unordered_map<std::string, std::size_t> row_of;
    for (std::size_t row = 0; row < back.rows(); ++row) {
      if (back.at(row, key)) row_of[std::string(*back.at(row, key))] = row;
    }
    for (std::size_t k = 0; k < page.size(); ++k) {
      auto found = row_of.find(keys[k]);
      if (found == row_of.end()) {
        throw Error("INSERT into " + table.name + ": the row with generated key " + keys[k] +
                    " cannot be read back");
      }
      detail::load_row(*page[k], families, back, found->second);
      target_.inserted(*page[k], std::move(masks[k]));
    }
  };

  // With RETURNING the work is pipelined: while the server runs one page, the client loads the
  // rows of the page before and builds the next one (send, then read before sending again), so
  // most of the client's work hides behind the server's. Pages hold at most a quarter of the
  // rows but at least 1000: smaller ones cost the server more per row than the overlap saves,
  // and a commit of up to 1000 rows stays one statement (flush() may then send it without
  // BEGIN).
  const std::size_t limit =
      std::min<std::size_t>(connection_.max_statement_bytes() - 1024, std::size_t{16} << 20);
  const std::size_t max_rows = std::max<std::size_t>(1000, (rows.size() + 3) / 4);
  std::string shape_row = detail::placeholder_row(columns.size());
  std::vector<Record*> in_flight;  // sent, its result not read yet
  auto shape_of = [&](std::size_t n) {
    if (!has_statement_handler()) return std::string();
    std::string shape = head;
    for (std::size_t i = 0; i < n; ++i) shape += (i == 0 ? "" : ", ") + shape_row;
    return shape + tail;
  };
  auto failed = [&](const SqlError& e, std::span<Record* const> page) {
    if (page.size() > 1 && !e.is_disconnect() && !e.is_retryable()) {
      // The statement failed as a whole; find the record at fault by sending them one by one,
      // in a transaction so that none of them stays.
      target_.begin_transaction();
      for (Record* r : page) insert_pages(model, {&r, 1}, columns, id_step, false);
    }
    return e.with_context(detail::insert_context(table, page));
  };
  auto read_in_flight = [&] {
    try {
      return on_connection(connection_, [](void* n) { return read_result(n); });
    } catch (const SqlError& e) {
      std::vector<Record*> page = std::exchange(in_flight, {});
      throw failed(e, page);
    }
  };
  auto send = [&](std::vector<Record*> page, const std::string& sql) {
    // Outside a transaction (a commit whose work is one statement) only a page holding every
    // row goes alone.
    if (!alone || page.size() != rows.size()) target_.begin_transaction();
    std::vector<Record*> previous;
    ResultSet previous_result;
    if (!in_flight.empty()) {
      previous_result = read_in_flight();
      previous = std::exchange(in_flight, {});
    }
    report_statement(shape_of(page.size()), page.size() * columns.size());
    if (id_step) {  // a SELECT follows each INSERT: nothing to overlap
      try {
        load_by_keys(
            page, on_connection(connection_, [&](void* n) { return run_statement(n, sql, {}); }));
      } catch (const SqlError& e) {
        throw failed(e, page);
      }
      return;
    }
    on_connection(connection_, [&](void* n) {
      send_statement(n, sql);
      return 0;
    });
    in_flight = std::move(page);
    if (!previous.empty()) load(previous, previous_result);
  };
  // Rows are written straight into the statement; a row that does not fit moves to the next.
  std::string sql = head;
  std::vector<Record*> page;
  for (Record* r : rows) {
    std::size_t row_start = sql.size();
    sql += page.empty() ? "(" : ", (";
    for (std::size_t k = 0; k < columns.size(); ++k) {
      if (k > 0) sql += ", ";
      if (detail::given(*r, columns[k])) {
        append_literal(native, RecordAccess::value(*r, columns[k]), sql);
      } else {
        sql += "DEFAULT";
      }
    }
    sql += ')';
    if (!page.empty() && (page.size() >= max_rows || sql.size() + tail.size() > limit)) {
      std::string row = sql.substr(row_start + 2);
      sql.resize(row_start);
      sql += tail;
      std::size_t full = sql.size();
      send(std::exchange(page, {}), sql);
      sql = head;
      sql.reserve(full);
      sql += row;
    }
    page.push_back(r);
  }
  if (!page.empty()) {
    sql += tail;
    send(std::move(page), sql);
  }
  if (!in_flight.empty()) {
    ResultSet last = read_in_flight();
    load(std::exchange(in_flight, {}), last);
  }
}

}  // namespace

std::unique_ptr<detail::InsertWriter> insert_writer(Connection& connection,
                                                    detail::InsertTarget& target,
                                                    detail::InsertOptions options) {
  return std::make_unique<MysqlInsertWriter>(connection, target, options);
}

}  // namespace tabula::dialect::mysql

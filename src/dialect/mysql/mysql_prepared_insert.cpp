#include "dialect/mysql/mysql_prepared_insert.hpp"

#include <tabula/error.hpp>
#include <tabula/log.hpp>

#include "connection_access.hpp"
#include "detail/column_rules.hpp"
#include "dialect/read_back.hpp"
#include "dialect/row_sql.hpp"
#include "record_access.hpp"

#include <algorithm>
#include <bit>
#include <optional>
#include <utility>

namespace tabula::dialect::mysql {
namespace {

using detail::ColumnFlags;
using detail::RecordAccess;
using detail::ResultSet;

constexpr std::size_t kRowsPerPage = 1000;
constexpr std::size_t kMaxPlaceholders = 65'535;
constexpr std::size_t kExactTail = 16;

// Rows giving the same columns.
struct Group {
  ColumnFlags given;
  std::vector<std::size_t> columns;
  std::vector<Record*> rows;
};

std::vector<Group> group_by_given_columns(std::span<Record* const> rows) {
  std::vector<Group> groups;
  for (Record* r : rows) {
    ColumnFlags given = detail::given_mask(*r);
    auto group = std::find_if(groups.begin(), groups.end(),
                              [&](const Group& g) { return g.given == given; });
    if (group == groups.end()) {
      group = groups.insert(groups.end(), Group{given, detail::given_columns(*r), {}});
      if (groups.size() == 1) group->rows.reserve(rows.size());  // most flushes are one shape
    }
    group->rows.push_back(r);
  }
  return groups;
}

// What a value adds to the execute packet, roughly (the null bitmap and types aside).
std::size_t packet_bytes(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::null:
      return 0;
    case Value::Kind::text:
      return v.get_if<std::string>()->size() + 9;
    case Value::Kind::bytes:
      return v.get_if<Bytes>()->size() + 9;
    case Value::Kind::decimal:
      return v.get_if<Decimal>()->str().size() + 9;
    default:
      return 13;
  }
}

class PageWriter {
 public:
  PageWriter(Connection& connection, detail::InsertTarget& target, StatementCache& cache,
             const Model& model, const Group& group)
      : connection_(connection),
        target_(target),
        cache_(cache),
        table_(model.table()),
        group_(group),
        dialect_(detail::ConnectionAccess::dialect(connection)),
        families_(detail::families_of(table_, connection.dialect())) {
    std::vector<const Record*> records(group.rows.begin(), group.rows.end());
    returned_ = detail::columns_to_read_back(dialect_, table_, families_, records,
                                             target.has_before_insert_trigger(table_));
    head_ = "INSERT INTO " + dialect_.quote_identifier(table_.name) + " (" +
            detail::column_list(dialect_, table_, group.columns) + ") VALUES ";
    row_ = detail::placeholder_row(group.columns.size());
    if (!returned_.empty())
      tail_ = " RETURNING " + detail::column_list(dialect_, table_, returned_);
  }

  // The statements `rows` go as: full pages, and shorter ones split in powers of two.
  std::vector<std::span<Record* const>> plan() const {
    const std::size_t width = std::max<std::size_t>(1, group_.columns.size());
    const std::size_t full =
        std::max<std::size_t>(1, std::min(kRowsPerPage, kMaxPlaceholders / width));
    const std::size_t limit =
        std::min<std::size_t>(connection_.max_statement_bytes() - 1024, std::size_t{16} << 20);
    std::vector<std::span<Record* const>> out;
    std::span<Record* const> rest(group_.rows);
    while (!rest.empty()) {
      std::size_t n = 0;
      std::size_t bytes = head_.size() + tail_.size();
      bool cut = false;  // by the packet limit
      while (n < rest.size() && n < full) {
        std::size_t row = 0;
        for (std::size_t i : group_.columns) {
          row += packet_bytes(RecordAccess::value(*rest[n], i)) + 3;
        }
        if (n > 0 && bytes + row > limit) {
          cut = true;
          break;
        }
        bytes += row;
        ++n;
      }
      // The last rows: up to 16 go as one statement of their own size; more go in powers of
      // two, shapes that later flushes use again.
      if (!cut && n < full && n > kExactTail) n = std::bit_floor(n);
      out.push_back(rest.first(n));
      rest = rest.subspan(n);
    }
    return out;
  }

  // Pages that read nothing back may go as one row's statement with arrays of values bound
  // (MariaDB's array binding, COM_STMT_BULK_EXECUTE: no multi-row SQL for the server to parse).
  // The server runs such a page as one statement: when a row fails, none of the page stays, in
  // a transaction or not (measured on 10.11), as with a multi-row INSERT.
  void allow_arrays() noexcept { arrays_ = returned_.empty(); }

  void send(std::span<Record* const> page) {
    if (arrays_ && page.size() > 1 && send_as_arrays(page)) return;
    std::string sql = head_;
    sql.reserve(head_.size() + page.size() * (row_.size() + 2) + tail_.size());
    for (std::size_t k = 0; k < page.size(); ++k) {
      if (k > 0) sql += ", ";
      sql += row_;
    }
    sql += tail_;
    std::vector<const Value*> params = values_of(page);
    ResultSet result;
    try {
      result = execute(sql, params);
    } catch (const SqlError& e) {
      if (page.size() > 1 && !e.is_disconnect() && !e.is_retryable()) {
        // The statement failed as a whole; find the record at fault by sending them one by
        // one, in a transaction so that none of them stays.
        target_.begin_transaction();
        for (Record* r : page) send({&r, 1});
      }
      throw e.with_context(detail::insert_context(table_, page));
    }
    detail::load_inserted(target_, table_, families_, returned_, page, result);
  }

 private:
  // The page's values, row after row, in the group's column order.
  std::vector<const Value*> values_of(std::span<Record* const> page) const {
    std::vector<const Value*> params;
    params.reserve(page.size() * group_.columns.size());
    for (Record* r : page) {
      for (std::size_t i : group_.columns) params.push_back(&RecordAccess::value(*r, i));
    }
    return params;
  }

  // False, having sent nothing, when the page's values do not fit one array binding.
  bool send_as_arrays(std::span<Record* const> page) {
    std::string sql = head_ + row_;
    std::vector<const Value*> params = values_of(page);
    if (!PreparedStatement::fits_arrays(params, page.size())) return false;
    std::optional<ResultSet> result;
    try {
      result = execute(sql, params.size(), [&](PreparedStatement& statement) {
        return statement.execute_array(params, page.size());
      });
    } catch (const SqlError& e) {
      if (!e.is_disconnect() && !e.is_retryable()) {
        // As for a multi-row page: the record at fault is found by sending them one by one, in
        // a transaction so that none of them stays.
        target_.begin_transaction();
        for (Record* r : page) send({&r, 1});
      }
      throw e.with_context(detail::insert_context(table_, page));
    }
    if (!result) return false;
    detail::load_inserted(target_, table_, families_, returned_, page, *result);
    return true;
  }

  // Runs the cached statement for `sql`; prepared again once when the server says the tables
  // under it changed.
  ResultSet execute(const std::string& sql, const std::vector<const Value*>& params) {
    return execute(sql, params.size(),
                   [&](PreparedStatement& statement) { return statement.execute(params); });
  }
  template <class Run>
  auto execute(const std::string& sql, std::size_t values, Run run)
      -> decltype(run(std::declval<PreparedStatement&>())) {
    report_statement(sql, values);
    void* native = detail::ConnectionAccess::native_handle(connection_);
    try {
      try {
        return run(cache_.get(native, sql));
      } catch (const SqlError& e) {
        if (!needs_reprepare(e)) throw;
        cache_.forget(sql);
        return run(cache_.get(native, sql));
      }
    } catch (const SqlError& e) {
      // A statement whose run failed may hold the failure's state in the client library: it
      // is closed, and prepared afresh the next time.
      cache_.forget(sql);
      if (e.is_disconnect()) detail::ConnectionAccess::mark_broken(connection_);
      throw;
    }
  }

  Connection& connection_;
  detail::InsertTarget& target_;
  StatementCache& cache_;
  const Table& table_;
  const Group& group_;
  const detail::SqlDialect& dialect_;
  std::vector<detail::Family> families_;
  std::vector<std::size_t> returned_;
  std::string head_;
  std::string row_;
  std::string tail_;
  bool arrays_ = false;
};

}  // namespace

void insert_prepared_pages(Connection& connection, detail::InsertTarget& target,
                           StatementCache& cache, const Model& model, std::span<Record* const> rows,
                           bool alone) {
  std::vector<Group> groups = group_by_given_columns(rows);
  std::vector<PageWriter> writers;
  std::vector<std::vector<std::span<Record* const>>> plans;
  std::size_t statements = 0;
  for (const Group& group : groups) {
    writers.emplace_back(connection, target, cache, model, group);
    plans.push_back(writers.back().plan());
    statements += plans.back().size();
  }
  // Outside a transaction only a single statement goes alone.
  if (!alone || statements > 1) target.begin_transaction();
  if (PreparedStatement::server_takes_arrays(detail::ConnectionAccess::native_handle(connection))) {
    for (PageWriter& writer : writers) writer.allow_arrays();
  }
  for (std::size_t g = 0; g < writers.size(); ++g) {
    for (std::span<Record* const> page : plans[g]) writers[g].send(page);
  }
}

}  // namespace tabula::dialect::mysql

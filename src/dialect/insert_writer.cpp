#include "dialect/insert_writer.hpp"

#include <tabula/error.hpp>

#include "connection_access.hpp"
#include "detail/column_rules.hpp"
#include "dialect/read_back.hpp"
#include "dialect/row_sql.hpp"
#include "record_access.hpp"
#include "statement.hpp"

#include <algorithm>

namespace tabula::detail {
namespace {

class RowByRowInsertWriter final : public InsertWriter {
 public:
  RowByRowInsertWriter(Connection& connection, InsertTarget& target, InsertOptions options)
      : connection_(connection), target_(target), options_(options) {}

  void insert(const Model& model, std::span<Record* const> rows, bool alone) override {
    // One statement per row, and without RETURNING a SELECT after each.
    if (!alone || rows.size() > 1 || !options_.returning) target_.begin_transaction();
    insert_rows(connection_, target_, model, rows, options_.returning);
  }

 private:
  Connection& connection_;
  InsertTarget& target_;
  InsertOptions options_;
};

}  // namespace

std::unique_ptr<InsertWriter> row_by_row_insert_writer(Connection& connection, InsertTarget& target,
                                                       InsertOptions options) {
  return std::make_unique<RowByRowInsertWriter>(connection, target, options);
}

bool given(const Record& record, std::size_t i) {
  if (!RecordAccess::is_set(record, i)) return false;
  return !(RecordAccess::value(record, i).is_null() &&
           record.model().table().columns[i].auto_increment);
}

std::vector<std::size_t> given_columns(const Record& record) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < record.model().table().columns.size(); ++i) {
    if (given(record, i)) out.push_back(i);
  }
  return out;
}

GivenMask::GivenMask(const Table& table) {
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i].auto_increment) auto_increment_.push_back(i);
  }
}

ColumnFlags GivenMask::operator()(const Record& record) const {
  // The columns set, less an auto-increment column set to NULL: only those values are read.
  ColumnFlags mask = RecordAccess::set_mask(record);
  for (std::size_t i : auto_increment_) {
    if (mask.test(i) && RecordAccess::value(record, i).is_null()) mask.reset(i);
  }
  return mask;
}

std::vector<std::size_t> union_of_given_columns(std::span<Record* const> rows) {
  std::vector<std::size_t> columns;
  if (rows.empty()) return columns;
  std::size_t n = rows.front()->model().table().columns.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (std::any_of(rows.begin(), rows.end(), [i](const Record* r) { return given(*r, i); })) {
      columns.push_back(i);
    }
  }
  return columns;
}

std::string insert_context(const Table& table, std::span<Record* const> rows) {
  return rows.size() == 1
             ? "while inserting into " + table.name + ": " + rows.front()->to_json()
             : "while inserting " + std::to_string(rows.size()) + " rows into " + table.name;
}

void load_inserted(InsertTarget& target, const Table& table, const std::vector<Family>& families,
                   const std::vector<std::size_t>& returned, std::span<Record* const> page,
                   const ResultSet& result) {
  if (returned.empty()) {
    if (result.affected_rows != page.size()) {
      throw Error("INSERT into " + table.name + " reported " +
                  std::to_string(result.affected_rows) + " rows for " +
                  std::to_string(page.size()));
    }
    for (Record* r : page) target.inserted(*r, RecordAccess::set_mask(*r));
    return;
  }
  if (result.rows() != page.size() || result.columns != returned.size()) {
    throw Error("INSERT ... RETURNING into " + table.name + " returned " +
                std::to_string(result.rows()) + " rows for " + std::to_string(page.size()));
  }
  for (std::size_t row = 0; row < page.size(); ++row) {
    Record& r = *page[row];
    ColumnFlags mask = RecordAccess::set_mask(r);
    for (std::size_t k = 0; k < returned.size(); ++k) {
      std::size_t i = returned[k];
      RecordAccess::load(r, i, cell_value(families[i], result, row, k));
    }
    target.inserted(r, std::move(mask));
  }
}

namespace {

// Without RETURNING: the INSERT, then the generated key from the insert id and what the
// database filled in read by key.
void insert_row(Connection& connection, InsertTarget& target, Record& record,
                const std::vector<Family>& families) {
  const Table& table = record.model().table();
  const SqlDialect& dialect = ConnectionAccess::dialect(connection);
  std::vector<std::size_t> columns = given_columns(record);
  std::vector<Value> params;
  for (std::size_t i : columns) params.push_back(RecordAccess::value(record, i));
  std::string sql = insert_row_sql(dialect, table, columns);
  ResultSet result;
  try {
    result = run_statement(connection, sql, params);
  } catch (const SqlError& e) {
    Record* row = &record;
    throw e.with_context(insert_context(table, {&row, 1}));
  }
  ColumnFlags mask = RecordAccess::set_mask(record);
  // The generated key, then what the database filled in, read by key.
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i].auto_increment && !given(record, i)) {
      RecordAccess::load(record, i,
                         from_database_text(families[i], std::to_string(result.last_insert_id)));
    }
  }
  if (!table.primary_key.empty() &&
      std::all_of(table.primary_key.begin(), table.primary_key.end(),
                  [&](const std::string& c) { return !record.get(c).is_null(); })) {
    std::string select = "SELECT " + all_columns(dialect, table) + " FROM " +
                         dialect.quote_identifier(table.name) + " WHERE ";
    std::vector<Value> key;
    append_key_condition(dialect, record, select, key);
    ResultSet row = run_statement(connection, select, key);
    if (row.rows() == 1) load_row(record, families, row, 0);
  }
  target.inserted(record, std::move(mask));
}

// With RETURNING, one statement per row (SQLite does not promise the order of a multi-row
// statement's RETURNING rows), but built once for each run of rows that give the same columns:
// its SQL, what it reads back (for all of the run's rows) and the cached statement's lookup.
void insert_returning_rows(Connection& connection, InsertTarget& target, const Table& table,
                           const std::vector<Family>& families, std::span<Record* const> rows,
                           bool trigger) {
  const SqlDialect& dialect = ConnectionAccess::dialect(connection);
  std::vector<Value> params;
  const GivenMask mask_of(table);
  for (std::size_t first = 0; first < rows.size();) {
    const ColumnFlags shape = mask_of(*rows[first]);
    std::size_t end = first + 1;
    while (end < rows.size() && mask_of(*rows[end]) == shape) ++end;
    std::span<Record* const> run = rows.subspan(first, end - first);
    std::vector<std::size_t> columns = given_columns(*run.front());
    std::vector<std::size_t> returned =
        columns_to_read_back(dialect, table, families, run, trigger);
    std::string sql = insert_row_sql(dialect, table, columns);
    if (!returned.empty()) sql += " RETURNING " + column_list(dialect, table, returned);
    for (Record* row : run) {
      params.clear();
      for (std::size_t i : columns) params.push_back(RecordAccess::value(*row, i));
      ResultSet result;
      try {
        result = run_statement(connection, sql, params);
      } catch (const SqlError& e) {
        throw e.with_context(insert_context(table, {&row, 1}));
      }
      load_inserted(target, table, families, returned, {&row, 1}, result);
    }
    first = end;
  }
}

}  // namespace

void insert_rows(Connection& connection, InsertTarget& target, const Model& model,
                 std::span<Record* const> rows, bool returning) {
  if (rows.empty()) return;
  const Table& table = model.table();
  std::vector<Family> families = families_of(table, connection.dialect());
  if (returning) {
    insert_returning_rows(connection, target, table, families, rows,
                          target.has_before_insert_trigger(table));
    return;
  }
  for (Record* record : rows) insert_row(connection, target, *record, families);
}

}  // namespace tabula::detail

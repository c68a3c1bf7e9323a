#pragma once

// How a flush's INSERTs reach the database: each dialect chooses its strategy
// (SqlDialect::insert_writer). MariaDB sends pipelined multi-row pages with RETURNING; the
// default, which SQLite uses, sends one prepared row at a time. The session decides which rows
// go when (parents first, waves within a table); the writer decides the statements.
//
//   std::unique_ptr<InsertWriter> writer = dialect.insert_writer(conn, target, {.returning =
//   true}); writer->insert(model, rows, /*alone=*/false);  // every row is in the database, or it
//   threw

#include <tabula/automap.hpp>
#include <tabula/connection.hpp>
#include <tabula/detail/column_flags.hpp>
#include <tabula/record.hpp>

#include "dialect/column_type.hpp"
#include "dialect/result_set.hpp"

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace tabula::detail {

// The unit of work the rows belong to, as a writer sees it.
class InsertTarget {
 public:
  // BEGIN unless a transaction is open.
  virtual void begin_transaction() = 0;
  // `record` is in the database and holds its row; `staged_mask` is the columns the user had set
  // (a rollback unsets the others again).
  virtual void inserted(Record& record, ColumnFlags staged_mask) = 0;
  // True when `table` has a BEFORE INSERT trigger, which may change any value of a new row.
  virtual bool has_before_insert_trigger(const Table& table) = 0;

 protected:
  ~InsertTarget() = default;
};

struct InsertOptions {
  // INSERT ... RETURNING may be used (the server takes it and the URL did not say
  // returning=off).
  bool returning = false;
  // How many prepared statements the connection may keep (the URL's statement_cache); 0: none.
  std::size_t statement_cache = 0;
};

// One flush's inserts on one connection; it may keep what it learns (server settings, prepared
// statements) for the rest of the flush.
class InsertWriter {
 public:
  virtual ~InsertWriter() = default;
  // Inserts `rows`, records of `model` whose parents are in the database, and reports each to
  // the target. `alone`: no transaction is open and these rows are all the flush writes, so
  // when they go as one statement no BEGIN is needed; anything more calls begin_transaction()
  // before its first statement. Throws SqlError naming the table (and the row at fault when it
  // can be told); rows reported before the throw stay reported.
  virtual void insert(const Model& model, std::span<Record* const> rows, bool alone) = 0;

  // Sending ahead of a flush (SessionOptions::write_behind): how many rows like `sample` make a
  // page worth sending while the caller goes on; 0 when this writer waits for every statement.
  virtual std::size_t rows_to_send_ahead(const Record& /*sample*/) const { return 0; }
  // Inserts `rows` as insert() does, in the open transaction, but may return while the server
  // runs the last page: land() waits for it. Nothing else may use the connection meanwhile.
  // Returns the rows it left for the flush (too few of their column set for a full page).
  virtual std::vector<Record*> send_ahead(const Model& model, std::span<Record* const> rows) {
    insert(model, rows, false);
    return {};
  }
  // Waits for what send_ahead() left running and reports its rows; throws as insert() does.
  virtual void land() {}
  // Waits for what send_ahead() left running without reporting it (the transaction is being
  // rolled back).
  virtual void abandon() noexcept {}
};

// Row by row: INSERT ... RETURNING every column when `options.returning`, else INSERT, the
// generated key from LAST_INSERT_ID() / last_insert_rowid(), and a SELECT by key for what the
// database filled in. The default strategy.
std::unique_ptr<InsertWriter> row_by_row_insert_writer(Connection& connection, InsertTarget& target,
                                                       InsertOptions options);

// --- Pieces the strategies share ----------------------------------------------------------------

// True when the insert sends a value for column `i` (NULL into an auto-increment column means
// "assign one", so it is left to the database).
bool given(const Record& record, std::size_t i);
std::vector<std::size_t> given_columns(const Record& record);
// given() for every column of a record of `table` as one mask: records with equal masks go in
// one statement shape. The table's auto-increment columns are found once, not for every record
// (a flush asks it of each row it inserts).
class GivenMask {
 public:
  explicit GivenMask(const Table& table);
  ColumnFlags operator()(const Record& record) const;

 private:
  std::vector<std::size_t> auto_increment_;
};
// The columns any of `rows` gives.
std::vector<std::size_t> union_of_given_columns(std::span<Record* const> rows);

// "while inserting into t: {...}" / "while inserting 20 rows into t", for errors.
std::string insert_context(const Table& table, std::span<Record* const> rows);

// After an INSERT of `page` whose RETURNING gave the columns `returned` (empty: no RETURNING,
// `result` has the counts only): loads what came back into each record and reports it to
// `target`. Throws Error when the rows or counts do not match the page.
void load_inserted(InsertTarget& target, const Table& table, const std::vector<Family>& families,
                   const std::vector<std::size_t>& returned, std::span<Record* const> page,
                   const ResultSet& result);

// Inserts each of `rows` (records of `model`) alone, as row_by_row_insert_writer does: the
// table's families and trigger are looked up once, not per row.
void insert_rows(Connection& connection, InsertTarget& target, const Model& model,
                 std::span<Record* const> rows, bool returning);

}  // namespace tabula::detail

#pragma once

// Server-side prepared statements on a MYSQL* (the binary protocol): values travel in their
// binary form (integers and doubles as bytes, dates and times as MYSQL_TIME, strings, bytes and
// decimals as their text), with no escaping and no parsing of values at the server. A
// StatementCache keeps them per connection, bounded: MariaDB's max_prepared_stmt_count is
// server-wide.
//
//   StatementCache& cache = statement_cache(connection);
//   PreparedStatement& insert = cache.get(native, "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)");
//   detail::ResultSet result = insert.execute(values);  // 4 values, in placeholder order

#include <tabula/connection.hpp>
#include <tabula/value.hpp>

#include "dialect/result_set.hpp"
#include "dialect/sql_dialect.hpp"

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

namespace tabula::dialect::mysql {

class PreparedStatement {
 public:
  // Prepares `sql` on `native` (a MYSQL*). Throws SqlError.
  PreparedStatement(void* native, std::string sql);
  ~PreparedStatement();
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;

  const std::string& sql() const noexcept { return sql_; }
  std::size_t parameters() const noexcept { return parameters_; }

  // Runs the statement with `params` (one per placeholder, in order) and returns its rows as
  // text (what from_database_text reads) or, without rows, its counts. Throws SqlError (code and
  // SQLSTATE); Error for a count mismatch; ValueError for a double MySQL cannot store.
  detail::ResultSet execute(std::span<const Value* const> params);

  // execute() in three steps, for work in between (Connector/C's non-blocking execute: the
  // connection must have MYSQL_OPT_NONBLOCK, as every tabula connection has).
  //
  // bind() copies `params` into the statement's own buffers and returns a stamp no other bind()
  // of any statement returns. Text, bytes and decimals longer than 64 bytes are not copied: those
  // values must stay alive and unchanged until start() returned; the others may change or go once
  // bind() returns. It touches no connection, so a page is bound while the page before it runs,
  // on this statement too: a run's values are in its request once start() returned. The client
  // library is given the buffers again only when a value's kind or place changed (a longer text
  // than the place had room for) or a run failed, not once per run: a page binds thousands of
  // values. Throws Error for a count mismatch and ValueError for a double MySQL cannot store.
  std::uint64_t bind(std::span<const Value* const> params);
  // The stamp of the last bind() (0: none, or what it bound is gone).
  std::uint64_t bound() const noexcept { return bound_; }
  // start() sends a run of what bind() bound last and returns without waiting for the server;
  // finish() waits for it and returns what execute() would. Between them nothing else may use
  // the connection; every start() is followed by a finish(), also when other work in between
  // failed. start() throws SqlError when the client library refuses the buffers; finish() throws
  // what execute() throws (a disconnect when waiting for the server failed).
  void start();
  detail::ResultSet finish();

  // Runs the statement once for each of `rows` rows in one round trip: MariaDB's array binding
  // (COM_STMT_BULK_EXECUTE). `params` holds the rows one after another, one value per
  // placeholder. For statements that return nothing: only the affected rows come back; only on a
  // server that takes it (server_takes_arrays). Returns nullopt, having sent nothing, when the
  // rows do not fit one run (fits_arrays); the caller sends them another way. Throws like
  // execute().
  std::optional<detail::ResultSet> execute_array(std::span<const Value* const> params,
                                                 std::size_t rows);
  // Whether the server behind `native` takes array binding.
  static bool server_takes_arrays(void* native) noexcept;
  // Whether `rows` rows of `params` can go as one array run: each column's non-null values of
  // one kind. Asked before preparing anything.
  static bool fits_arrays(std::span<const Value* const> params, std::size_t rows) noexcept;

 private:
  detail::ResultSet read_rows();

  void* native_;  // MYSQL*
  void* stmt_;    // MYSQL_STMT*
  std::string sql_;
  std::size_t parameters_ = 0;
  // The parameter bindings, kept from one run to the next (a page's are hundreds of kilobytes).
  struct Buffers;
  std::unique_ptr<Buffers> buffers_;
  int started_status_ = 0;   // what the started run waits for (0: it has finished)
  int started_result_ = 0;   // the run's result once it has finished (non-zero: an error)
  std::uint64_t bound_ = 0;  // bind()'s stamp
};

// A connection's prepared statements, least recently used evicted first (closed at the server).
class StatementCache final : public detail::ConnectionState {
 public:
  explicit StatementCache(std::size_t capacity) : capacity_(capacity) {}

  // The statement for `sql`, prepared on a miss. Throws SqlError.
  PreparedStatement& get(void* native, const std::string& sql);
  // That statement if it is cached; prepares nothing and changes no order.
  PreparedStatement* find(const std::string& sql) noexcept;
  // Closes the statement for `sql` (a schema change made it stale), if cached.
  void forget(const std::string& sql) noexcept;

  std::size_t size() const noexcept { return statements_.size(); }
  std::size_t capacity() const noexcept { return capacity_; }
  std::uint64_t prepares() const noexcept { return prepares_; }

 private:
  std::size_t capacity_;
  std::list<PreparedStatement> statements_;  // most recently used first
  std::unordered_map<std::string_view, std::list<PreparedStatement>::iterator> by_sql_;
  std::uint64_t prepares_ = 0;
};

// The statement cache of `connection` (a MySQL/MariaDB one), made with `capacity` on first use.
StatementCache& statement_cache(Connection& connection, std::size_t capacity);

// True for the server's "Prepared statement needs to be re-prepared" (1615): the tables under a
// cached statement changed; prepare it again and run it once more.
bool needs_reprepare(const SqlError& error) noexcept;

}  // namespace tabula::dialect::mysql

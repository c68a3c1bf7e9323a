#pragma once

// What tabula asks of a database, in one interface (modelled on SOCI's session_backend): each
// dialect implements it in src/dialect/<name>/ and registers one instance in
// src/dialect/registry.cpp. Layers above ask a Connection's dialect; they never test the Dialect
// enum. An implementation is stateless: one instance serves every connection, from any thread.
//
//   const detail::SqlDialect& d = detail::sql_dialect(url.dialect());
//   std::unique_ptr<soci::session> session = d.open(url, std::nullopt);
//   std::string sql = "SELECT * FROM " + d.quote_identifier("order");
//
// Adding a database: a folder with its SqlDialect (and its reflector and statements), one line in
// the registry, and its scheme in dialect_for_scheme().

#include <tabula/pool.hpp>
#include <tabula/reflect.hpp>
#include <tabula/schema.hpp>
#include <tabula/url.hpp>
#include <tabula/value.hpp>

#include "detail/placeholders.hpp"
#include "dialect/column_type.hpp"
#include "dialect/insert_writer.hpp"
#include "dialect/result_set.hpp"
#include "dialect/store_rule.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace soci {
class session;
}

namespace tabula {
class Connection;
}

namespace tabula::detail {

// What a dialect keeps with one connection (its prepared statements, say): made by the dialect
// on first use (ConnectionAccess::dialect_state), destroyed before the connection closes, and
// leaked, never destroyed, when the connection is abandoned (after fork, at process exit).
class ConnectionState {
 public:
  virtual ~ConnectionState() = default;
};

// What a server says of itself as a node of a cluster (SqlDialect::check_node).
struct NodeCheck {
  bool usable = true;
  std::string why;  // when not usable: what the node reported ("wsrep_local_state 2 (Donor/...)")
  // replication: whether the server refuses writes (@@read_only), and for a replica how far
  // behind its primary it is (nullopt: unknown; the maximum: its replication is stopped).
  bool read_only = false;
  std::optional<std::chrono::milliseconds> lag;

  static NodeCheck unusable(std::string reason) {
    NodeCheck check;
    check.usable = false;
    check.why = std::move(reason);
    return check;
  }
};

// How a dialect's URLs name a database: a server ("user:pass@host:port/db?options"), or a file
// ("path?options", ":memory:").
enum class UrlForm { server, file };

class SqlDialect {
 public:
  using Clock = std::chrono::steady_clock;

  virtual ~SqlDialect() = default;

  // The dialect's name, as to_string(Dialect) and snapshots spell it ("mysql", "sqlite").
  virtual std::string_view name() const noexcept = 0;

  // --- URLs ---------------------------------------------------------------------------------
  virtual UrlForm url_form() const noexcept = 0;
  // The URL query options this dialect understands (the pool's aside).
  virtual std::span<const std::string_view> url_options() const noexcept = 0;
  // Throws UrlError for an option value this dialect refuses (checked when an Engine is made).
  // Default: nothing more to check.
  virtual void check_url_options(const Url&) const {}

  // --- The client library ---------------------------------------------------------------------
  // Process-wide set-up before the first connection: idempotent and thread-safe, registering
  // detail::guard_process_exit() when the library must not be used during exit (see
  // dialect/client_library.hpp). Throws ConnectError. Then the per-thread state of a thread
  // tabula starts. Default: nothing to do.
  virtual void init_client_library() const {}
  virtual void thread_begin() const noexcept {}
  virtual void thread_end() const noexcept {}

  // --- Connections ----------------------------------------------------------------------------
  // Opens a session; `connect_timeout`, when given, caps the URL's. Throws ConnectError (the URL
  // redacted) or UrlError for a bad option value.
  virtual std::unique_ptr<soci::session> open(
      const Url& url, std::optional<std::chrono::milliseconds> connect_timeout) const = 0;
  virtual std::string server_version(soci::session& session) const = 0;
  // The client library's handle (MYSQL*, sqlite3*) behind `session`.
  virtual void* native_handle(soci::session& session) const noexcept = 0;
  // Asks whether the connection still works, within `timeout`. Never throws.
  virtual bool ping(soci::session& session, std::chrono::milliseconds timeout) const noexcept = 0;
  // True when an idle connection's socket shows the server closed it; no round trip.
  virtual bool shows_hangup(void* native) const noexcept;
  // True while a transaction is open, from the library's state; no round trip.
  virtual bool in_transaction(void* native) const noexcept = 0;
  // Rolls back and restores autocommit within `timeout`; false when that failed.
  virtual bool reset(soci::session& session, std::chrono::milliseconds timeout) const noexcept = 0;
  // The server's idle timeout for this connection (MySQL's wait_timeout), if it has one.
  // Throws SqlError.
  virtual std::optional<std::chrono::seconds> idle_timeout(soci::session& session) const;
  // The largest statement the server accepts, in bytes. Throws SqlError.
  virtual std::size_t max_statement_bytes(void* native) const = 0;
  // Closes `session` and waits, until `deadline` at the latest, for the server to let go of it.
  // True once it has (or there is nothing to wait for); false when the deadline passed first.
  virtual bool close(std::unique_ptr<soci::session> session, bool broken,
                     Clock::time_point deadline) const noexcept;
  // Lets go of a connection inherited across fork() without speaking the protocol.
  virtual void abandon(std::unique_ptr<soci::session> session) const noexcept = 0;
  // Rethrows the SOCI exception being handled as a tabula error (SqlError with code and
  // SQLSTATE); sets `broken` when it says the connection is gone. Other exceptions pass.
  [[noreturn]] virtual void rethrow_translated(soci::session& session, bool& broken) const = 0;

  // --- SQL ------------------------------------------------------------------------------------
  // What `column`'s type means: the dialect's one type table.
  virtual ColumnType column_type(const Column& column) const noexcept = 0;
  // Which values `column` (of `family`) stores exactly as sent, so that an INSERT need not read
  // them back (dialect/store_rule.hpp, dialect/read_back.hpp).
  virtual StoreRule store_rule(const Column& column, Family family) const noexcept = 0;
  // `name` quoted as an identifier, its quote characters doubled.
  virtual std::string quote_identifier(std::string_view name) const = 0;
  // The row count of a LIMIT that takes every row (an OFFSET needs a LIMIT before it).
  virtual std::string_view no_row_limit() const noexcept = 0;
  // How the dialect's SQL text quotes and comments (detail/placeholders.hpp), in its default
  // modes; a statement runner that knows its connection's modes may know better.
  virtual SqlLexicon lexicon() const noexcept = 0;
  // `value` as a string literal the dialect reads back as `value`.
  virtual std::string string_literal(std::string_view value) const = 0;
  // True when `connection`'s server takes INSERT ... RETURNING (MariaDB 10.5+, SQLite 3.35+).
  virtual bool supports_insert_returning(const Connection& connection) const noexcept = 0;
  // What follows "INSERT INTO t " for a row of nothing but defaults: "() VALUES ()" on MySQL,
  // "DEFAULT VALUES" in standard SQL.
  virtual std::string_view default_values_clause() const noexcept { return "DEFAULT VALUES"; }
  // True when the session's inserts send many rows in one statement (multi-row pages); false
  // when they go one row per statement (prepared and re-run).
  virtual bool inserts_many_rows_per_statement() const noexcept = 0;
  // The strategy for one flush's INSERTs on `connection` (dialect/insert_writer.hpp). Default:
  // row by row.
  virtual std::unique_ptr<InsertWriter> insert_writer(Connection& connection, InsertTarget& target,
                                                      InsertOptions options) const;
  // Runs `sql` with `params` bound to its `?` placeholders; every cell comes back as text.
  // Throws SqlError; Error for a placeholder/value mismatch.
  virtual ResultSet run_statement(Connection& connection, std::string_view sql,
                                  std::span<const Value> params) const = 0;

  // --- Clusters (docs/cluster.md) -------------------------------------------------------------
  // Whether the server behind a connection just opened, or about to be lent again after sitting
  // idle, may take work as a node of `topology`. Throws SqlError when it cannot be asked.
  // Default: every server may (a topology the dialect does not know is refused with its URL).
  virtual NodeCheck check_node(Connection& connection, Topology topology) const;
  // Read-your-writes: what names the commit just made on `connection` (MariaDB: @@last_gtid),
  // and a wait until the connection's server has applied it (false when `timeout` passed).
  // Defaults: no token, nothing to wait for.
  // `after_commit`: the last statement on `connection` was a COMMIT (else a statement that
  // committed on its own).
  virtual std::string last_commit_token(Connection&, bool /*after_commit*/) const { return {}; }
  virtual bool wait_for_commit(Connection&, const std::string& /*token*/,
                               std::chrono::milliseconds /*timeout*/) const {
    return true;
  }
  // Whether a failed connect means nothing answers at the address (refused, unreachable, timed
  // out), as opposed to a server that answered and said no.
  virtual bool unreachable(const ConnectError&) const noexcept { return true; }
  // Whether `error` is the server refusing a write because it is read-only (a replica).
  virtual bool refused_as_read_only(const SqlError&) const noexcept { return false; }

  // --- The catalog ----------------------------------------------------------------------------
  // Reflects the database the URL (or options.schema) names, counting catalog queries.
  virtual Schema reflect(Connection& connection, const Url& url, const ReflectOptions& options,
                         int& queries) const = 0;
  // True when `table` has a BEFORE INSERT trigger (which may change any value of a new row).
  // Default: the dialect has none tabula must know of.
  virtual bool has_before_insert_trigger(Connection& connection, const std::string& table) const;
};

// The registered implementation of `dialect`.
const SqlDialect& sql_dialect(Dialect dialect) noexcept;

// The dialect a URL scheme names ("mysql", "mariadb", "sqlite"), if any.
std::optional<Dialect> dialect_for_scheme(std::string_view scheme) noexcept;

}  // namespace tabula::detail

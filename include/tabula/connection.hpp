#pragma once

// One open database connection: a SOCI session plus what tabula knows about it (dialect, server
// version, whether it is still usable). Connections are made by an Engine and handed out inside a
// Lease; user code borrows them and never owns one. Not thread-safe: one thread at a time, which a
// Lease guarantees as long as it is not shared.

#include <tabula/url.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace soci {
class session;
}

namespace tabula {
namespace detail {
class PoolCore;
class SqlDialect;
class ConnectionState;
struct ConnectionAccess;
}  // namespace detail

class Connection {
 public:
  using Clock = std::chrono::steady_clock;

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Dialect dialect() const noexcept { return dialect_; }
  // The server's version string as it reports it: "10.11.6-MariaDB-0+deb12u1", "3.40.1" (SQLite).
  const std::string& server_version() const noexcept { return server_version_; }
  bool is_mariadb() const noexcept;
  Clock::time_point opened_at() const noexcept { return opened_at_; }

  // The SOCI session, for statements tabula has no wrapper for. SOCI throws its own exceptions:
  // call through run() to get tabula errors (and broken-connection tracking) instead.
  soci::session& sql() noexcept { return *session_; }

  // The largest statement the server accepts (MySQL max_allowed_packet, read once and kept);
  // SQLite: 1 GB. Throws SqlError.
  std::size_t max_statement_bytes();

  // Runs one SQL statement that returns no rows. Throws SqlError with the server's code and
  // SQLSTATE; after a disconnect error the connection is marked broken.
  void execute(std::string_view statement);

  // Calls `work(sql())` and turns any SOCI exception it throws into the matching tabula error,
  // marking the connection broken when the error says it is gone. Returns what `work` returns.
  template <class Work>
  decltype(auto) run(Work&& work) {
    try {
      return std::forward<Work>(work)(*session_);
    } catch (...) {
      rethrow_translated();
    }
  }

  // Asks the server whether the connection still works (a ping on MySQL, a trivial query on
  // SQLite), giving up after `timeout` so that a half-open socket cannot hang the caller. Never
  // throws; a failed ping marks the connection broken.
  bool ping(std::chrono::milliseconds timeout = std::chrono::seconds{5}) noexcept;

  // True when the socket of an idle MySQL connection has something to read: the server closed it
  // (a KILL, a restart, its idle timeout) or sent something unasked. One non-blocking poll(), no
  // round trip; a Session then pings it before its first statement. False on SQLite.
  bool shows_hangup() noexcept;

  // True while a transaction is open (or autocommit is off), from the status the server sent with
  // its last reply: no round trip.
  bool in_transaction() noexcept;

  // Makes the connection fit for its next user: rolls back an open transaction and restores
  // autocommit, within `timeout`. Sends nothing when there is nothing to undo. Returns false (and
  // marks the connection broken) when that failed; never throws.
  bool reset(std::chrono::milliseconds timeout = std::chrono::seconds{5}) noexcept;

  // The server's idle timeout for this connection (MySQL @@wait_timeout); nullopt on SQLite.
  // Throws SqlError.
  std::optional<std::chrono::seconds> server_wait_timeout();

  // True once an error showed that the connection is gone; it must then be closed, not reused.
  bool is_broken() const noexcept { return broken_; }

  // Opens a connection for `url`; `connect_timeout`, when given, caps the URL's. Throws
  // ConnectError (message with the redacted URL, never the password) when the server cannot be
  // reached or refuses, and UrlError for a bad option value.
  static std::unique_ptr<Connection> open(
      const Url& url, std::optional<std::chrono::milliseconds> connect_timeout = std::nullopt);

 private:
  // The library's own layers reach the internals below through detail::ConnectionAccess
  // (src/connection_access.hpp), as Record's are reached through RecordAccess.
  friend class detail::PoolCore;
  friend struct detail::ConnectionAccess;

  Connection(Dialect dialect, std::unique_ptr<soci::session> session);

  // The client library's handle (MYSQL* or sqlite3*), for the session's hot paths.
  void* native_handle() const noexcept { return native_; }
  void mark_broken() noexcept { broken_ = true; }

  // Rethrows the exception currently being handled as a tabula error: a SOCI error becomes a
  // SqlError carrying the server's code and SQLSTATE; tabula errors and others pass unchanged.
  // Must be called from inside a catch block.
  [[noreturn]] void rethrow_translated();

  // Disposes of a connection inherited from the parent in a child process after fork(): closes
  // the socket without speaking the protocol (the parent still uses the server session) and leaks
  // the client handle. Never throws.
  static void abandon(std::unique_ptr<Connection> connection) noexcept;

  // Closes the connection and waits, until `deadline` at the latest, for the server to let go of
  // it (src/dialect/mysql/mysql_dialect.hpp, close_and_wait): true once it has, or when there is
  // nothing to wait for (SQLite, a socket already gone); false when the deadline passed first.
  // The pool frees a slot only after this. The connection is unusable afterwards. Never throws.
  bool close(Clock::time_point deadline) noexcept;

  Dialect dialect_;
  const detail::SqlDialect* sql_;  // what this connection's database does, and how
  std::unique_ptr<soci::session> session_;
  // What the dialect keeps with this connection (prepared statements); declared after session_
  // so that it goes first.
  std::unique_ptr<detail::ConnectionState> dialect_state_;
  void* native_ = nullptr;  // the client library's handle (MYSQL* or sqlite3*), for hot paths
  std::string server_version_;
  Clock::time_point opened_at_;
  bool broken_ = false;
  std::size_t max_statement_bytes_ = 0;  // 0: not read yet
};

}  // namespace tabula

#pragma once

// tabula's one exception hierarchy. Every error tabula throws derives from tabula::Error.
//
//   Error            anything tabula reports; carries the server's error code and SQLSTATE
//   ├── UrlError     a connection URL that cannot be parsed or names an unknown option
//   ├── ConnectError a connection that could not be opened (server down, bad credentials, ...)
//   ├── SqlError     a statement the database refused or could not run
//   ├── PoolTimeout  no connection could be had from the pool within checkout_timeout
//   └── ValidationError  a record value the column cannot take, caught before any SQL is sent
//
// Messages name what was wrong (the URL part, the table, the column, the value) and never contain
// a password.

#include <stdexcept>
#include <string>
#include <utility>

namespace tabula {

// The base of every exception tabula throws. `code()` is the server's (or client library's) error
// number, 0 when there is none; `sqlstate()` is the five-character SQLSTATE, empty when unknown.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, int code = 0, std::string sqlstate = {})
      : std::runtime_error(message), code_(code), sqlstate_(std::move(sqlstate)) {}

  int code() const noexcept { return code_; }
  const std::string& sqlstate() const noexcept { return sqlstate_; }

 private:
  int code_;
  std::string sqlstate_;
};

// A connection URL was malformed or used an unknown option. The message names the part at fault
// (scheme, user, host, port, database, option name) but never repeats the password.
class UrlError : public Error {
 public:
  using Error::Error;
};

// Options given in code are out of range or inconsistent (PoolOptions{.max_connections = 0},
// min_idle above max_connections). The message names the options. The same mistake made in a
// URL's query is a UrlError.
class OptionsError : public Error {
 public:
  using Error::Error;
};

// A connection could not be opened: server unreachable, access denied, unknown database, file
// that SQLite cannot open. The message includes the redacted URL, never the password.
class ConnectError : public Error {
 public:
  ConnectError(const std::string& message, int code = 0, std::string sqlstate = {},
               bool refusal = false)
      : Error(message, code, std::move(sqlstate)), refusal_(refusal) {}

  // True when the server is up but has no room for another connection (MySQL 1040 "too many
  // connections", 1203/1226 max_user_connections): back-pressure to wait out, not a failure.
  bool is_refusal() const noexcept { return refusal_; }

 private:
  bool refusal_;
};

// The database refused or failed a statement. `code()` holds the server's error number (MySQL
// ER_* / CR_* codes, SQLite extended result codes) and `sqlstate()` its SQLSTATE when known.
class SqlError : public Error {
 public:
  SqlError(const std::string& message, int code = 0, std::string sqlstate = {},
           bool disconnect = false, bool retryable = false)
      : Error(message, code, std::move(sqlstate)), disconnect_(disconnect), retryable_(retryable) {}

  // True when the error means the connection itself is gone (MySQL 2006 "server has gone
  // away", 2013 "lost connection", 1927 "connection killed", ...): the connection must not be
  // reused, and whatever its transaction had not committed is lost.
  bool is_disconnect() const noexcept { return disconnect_; }

  // True when running the whole transaction again may succeed: a deadlock (MySQL 1213, also a
  // Galera certification conflict), a lock wait timeout (1205), a Galera node that is not ready
  // (1047: the connection is dropped and the retry goes to another node), a replica reached as
  // the primary (1290 under topology=replication), a transaction whose connection broke before
  // COMMIT, SQLite's SQLITE_BUSY / SQLITE_LOCKED. Never a COMMIT whose outcome is unknown.
  // Engine::transaction retries these when asked to.
  bool is_retryable() const noexcept { return retryable_; }

  // The same error with `context` appended to the message in parentheses.
  SqlError with_context(const std::string& context) const {
    return SqlError(std::string(what()) + " (" + context + ")", code(), sqlstate(), disconnect_,
                    retryable_);
  }

 private:
  bool disconnect_;
  bool retryable_;
};

// The pool had no connection to give within checkout_timeout. The message gives the pool's
// statistics, where each connection then held was taken (file:line, for how long), and the
// server's answer when it was refusing new connections (1040/1203).
class PoolTimeout : public Error {
 public:
  using Error::Error;
};

// A value refused before any SQL was sent: unknown column, wrong type, out of range, too long,
// not an enum member, NULL into NOT NULL, a generated column written, a required column unset.
// The message names the table, the column and the offending value.
class ValidationError : public Error {
 public:
  ValidationError(const std::string& message, std::string table, std::string column)
      : Error(message), table_(std::move(table)), column_(std::move(column)) {}
  const std::string& table() const noexcept { return table_; }
  const std::string& column() const noexcept { return column_; }

 private:
  std::string table_;
  std::string column_;
};

}  // namespace tabula

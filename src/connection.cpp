#include <tabula/connection.hpp>

#include <tabula/error.hpp>

#include "dialect/client_library.hpp"
#include "dialect/mysql/mysql_dialect.hpp"
#include "dialect/mysql/mysql_statement.hpp"
#include "dialect/sqlite/sqlite_dialect.hpp"

#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

namespace tabula {

Connection::Connection(Dialect dialect, std::unique_ptr<soci::session> session)
    : dialect_(dialect), session_(std::move(session)), opened_at_(Clock::now()) {
  server_version_ = dialect_ == Dialect::mysql ? dialect::mysql::server_version(*session_)
                                               : dialect::sqlite::server_version();
  native_ = dialect_ == Dialect::mysql ? dialect::mysql::native_handle(*session_)
                                       : dialect::sqlite::native_handle(*session_);
}

Connection::~Connection() = default;

std::unique_ptr<Connection> Connection::open(
    const Url& url, std::optional<std::chrono::milliseconds> connect_timeout) {
  detail::prepare_client_library(url.dialect());
  detail::LibraryUse use;
  if (!use.granted()) {
    throw ConnectError("cannot connect to " + url.to_string() + ": the process is exiting");
  }
  switch (url.dialect()) {
    case Dialect::mysql:
      return std::unique_ptr<Connection>(
          new Connection(Dialect::mysql, dialect::mysql::open(url, connect_timeout)));
    case Dialect::sqlite:
      return std::unique_ptr<Connection>(
          new Connection(Dialect::sqlite, dialect::sqlite::open(url)));
  }
  throw ConnectError("unsupported dialect in " + url.to_string());
}

bool Connection::is_mariadb() const noexcept {
  return dialect_ == Dialect::mysql && server_version_.find("MariaDB") != std::string::npos;
}

std::size_t Connection::max_statement_bytes() {
  if (max_statement_bytes_ == 0) {
    max_statement_bytes_ = dialect_ == Dialect::mysql
                               ? dialect::mysql::max_allowed_packet(native_)
                               : std::size_t{1'000'000'000};  // SQLITE_MAX_SQL_LENGTH default
  }
  return max_statement_bytes_;
}

void Connection::execute(std::string_view statement) {
  run([statement](soci::session& sql) { sql << std::string(statement); });
}

void Connection::abandon(std::unique_ptr<Connection> connection) noexcept {
  if (!connection) return;
  if (connection->dialect_ == Dialect::mysql) {
    dialect::mysql::abandon(std::move(connection->session_));
  } else {
    // SQLite state shared across fork() is unusable in the child; leak it rather than touch it.
    (void)connection->session_.release();
  }
}

bool Connection::close(Clock::time_point deadline) noexcept {
  bool was_broken = broken_;
  broken_ = true;  // whatever happens below, never to be used again
  if (dialect_ == Dialect::mysql) {
    detail::LibraryUse use;
    if (!use.granted()) {
      // The process is exiting and the client library may be ending: let go of the socket
      // without it. The server sees the end of the stream and ends the connection.
      native_ = nullptr;
      dialect::mysql::abandon(std::move(session_));
      return true;
    }
    native_ = nullptr;
    return dialect::mysql::close_and_wait(std::move(session_), was_broken, deadline);
  }
  native_ = nullptr;
  session_.reset();
  return true;
}

bool Connection::ping(std::chrono::milliseconds timeout) noexcept {
  bool alive = dialect_ == Dialect::mysql ? dialect::mysql::ping(*session_, timeout)
                                          : dialect::sqlite::ping(*session_);
  if (!alive) broken_ = true;
  return alive;
}

bool Connection::shows_hangup() noexcept {
  return dialect_ == Dialect::mysql && dialect::mysql::shows_hangup(native_);
}

bool Connection::in_transaction() noexcept {
  return dialect_ == Dialect::mysql ? dialect::mysql::in_transaction(native_)
                                    : dialect::sqlite::in_transaction(native_);
}

bool Connection::reset(std::chrono::milliseconds timeout) noexcept {
  if (broken_) return false;
  if (!in_transaction()) return true;
  bool ok = dialect_ == Dialect::mysql ? dialect::mysql::reset(*session_, timeout)
                                       : dialect::sqlite::reset(*session_);
  if (!ok) broken_ = true;
  return ok;
}

std::optional<std::chrono::seconds> Connection::server_wait_timeout() {
  if (dialect_ != Dialect::mysql) return std::nullopt;
  return run([](soci::session& sql) { return dialect::mysql::wait_timeout(sql); });
}

void Connection::rethrow_translated() {
  try {
    throw;
  } catch (const Error&) {
    throw;
  } catch (const soci::mysql_soci_error& e) {
    SqlError error = dialect::mysql::translate(e, *session_);
    if (error.is_disconnect()) broken_ = true;
    throw error;
  } catch (const soci::sqlite3_soci_error& e) {
    throw dialect::sqlite::translate(e);
  } catch (const soci::soci_error& e) {
    throw SqlError(e.what());
  }
}

}  // namespace tabula

#include <tabula/connection.hpp>

#include <tabula/error.hpp>

#include "dialect/client_library.hpp"
#include "dialect/sql_dialect.hpp"

#include <soci/soci.h>

namespace tabula {

Connection::Connection(Dialect dialect, std::unique_ptr<soci::session> session)
    : dialect_(dialect),
      sql_(&detail::sql_dialect(dialect)),
      session_(std::move(session)),
      opened_at_(Clock::now()) {
  server_version_ = sql_->server_version(*session_);
  native_ = sql_->native_handle(*session_);
}

Connection::~Connection() = default;

std::unique_ptr<Connection> Connection::open(
    const Url& url, std::optional<std::chrono::milliseconds> connect_timeout) {
  detail::prepare_client_library(url.dialect());
  detail::LibraryUse use;
  if (!use.granted()) {
    throw ConnectError("cannot connect to " + url.to_string() + ": the process is exiting");
  }
  const detail::SqlDialect& dialect = detail::sql_dialect(url.dialect());
  return std::unique_ptr<Connection>(
      new Connection(url.dialect(), dialect.open(url, connect_timeout)));
}

bool Connection::is_mariadb() const noexcept {
  return server_version_.find("MariaDB") != std::string::npos;
}

std::size_t Connection::max_statement_bytes() {
  if (max_statement_bytes_ == 0) max_statement_bytes_ = sql_->max_statement_bytes(native_);
  return max_statement_bytes_;
}

void Connection::execute(std::string_view statement) {
  run([statement](soci::session& sql) { sql << std::string(statement); });
}

void Connection::abandon(std::unique_ptr<Connection> connection) noexcept {
  if (!connection) return;
  // Closing its statements would speak the protocol on the parent's server session.
  static_cast<void>(connection->dialect_state_.release());
  connection->sql_->abandon(std::move(connection->session_));
}

bool Connection::close(Clock::time_point deadline) noexcept {
  bool was_broken = broken_;
  broken_ = true;  // whatever happens below, never to be used again
  native_ = nullptr;
  detail::LibraryUse use;
  if (!use.granted()) {
    // The process is exiting and the client library may be ending: let go of the connection
    // without it (the server sees the end of the stream and ends the connection).
    static_cast<void>(dialect_state_.release());
    sql_->abandon(std::move(session_));
    return true;
  }
  dialect_state_.reset();  // its statements, before the connection they live on
  return sql_->close(std::move(session_), was_broken, deadline);
}

bool Connection::ping(std::chrono::milliseconds timeout) noexcept {
  bool alive = sql_->ping(*session_, timeout);
  if (!alive) broken_ = true;
  return alive;
}

bool Connection::shows_hangup() noexcept {
  return sql_->shows_hangup(native_);
}

bool Connection::in_transaction() noexcept {
  return sql_->in_transaction(native_);
}

bool Connection::reset(std::chrono::milliseconds timeout) noexcept {
  if (broken_) return false;
  if (!in_transaction()) return true;
  bool ok = sql_->reset(*session_, timeout);
  if (!ok) broken_ = true;
  return ok;
}

std::optional<std::chrono::seconds> Connection::server_wait_timeout() {
  return run([this](soci::session& sql) { return sql_->idle_timeout(sql); });
}

void Connection::rethrow_translated() {
  try {
    throw;
  } catch (const Error&) {
    throw;
  } catch (const soci::soci_error& e) {
    try {
      sql_->rethrow_translated(*session_, broken_);  // this dialect's own errors
    } catch (const Error&) {
      throw;
    } catch (...) {
      // Not the dialect's kind: a SOCI error of no backend's (a type mismatch, ...).
    }
    throw SqlError(e.what());
  }
}

}  // namespace tabula

#include <tabula/connection.hpp>

#include <tabula/error.hpp>

#include "dialect/mysql/mysql_dialect.hpp"
#include "dialect/sqlite/sqlite_dialect.hpp"

#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

namespace tabula {

Connection::Connection(Dialect dialect, std::unique_ptr<soci::session> session)
    : dialect_(dialect), session_(std::move(session)), opened_at_(Clock::now()) {
  server_version_ = dialect_ == Dialect::mysql ? dialect::mysql::server_version(*session_)
                                               : dialect::sqlite::server_version();
}

Connection::~Connection() = default;

std::unique_ptr<Connection> Connection::open(const Url& url) {
  switch (url.dialect()) {
    case Dialect::mysql:
      return std::unique_ptr<Connection>(new Connection(Dialect::mysql, dialect::mysql::open(url)));
    case Dialect::sqlite:
      return std::unique_ptr<Connection>(
          new Connection(Dialect::sqlite, dialect::sqlite::open(url)));
  }
  throw ConnectError("unsupported dialect in " + url.to_string());
}

bool Connection::is_mariadb() const noexcept {
  return dialect_ == Dialect::mysql && server_version_.find("MariaDB") != std::string::npos;
}

void Connection::execute(std::string_view statement) {
  run([statement](soci::session& sql) { sql << std::string(statement); });
}

bool Connection::ping() noexcept {
  bool alive = dialect_ == Dialect::mysql ? dialect::mysql::ping(*session_)
                                          : dialect::sqlite::ping(*session_);
  if (!alive) broken_ = true;
  return alive;
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

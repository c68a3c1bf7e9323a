#include "dialect/sqlite/sqlite_dialect.hpp"

#include "detail/duration.hpp"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <array>

namespace tabula::dialect::sqlite {
namespace {

constexpr std::array<std::string_view, 3> kOptions{"busy_timeout", "foreign_keys", "returning"};

// SOCI 4.0.3 reads a connect string without '=' as the bare file name, and otherwise as
// name=value pairs where a value may be double-quoted.
std::string connect_string(const std::string& path) {
  if (path.find('=') == std::string::npos) return path;
  if (path.find('"') != std::string::npos) {
    throw UrlError("invalid database URL: sqlite path '" + path +
                   "' contains both '=' and '\"', which SOCI cannot pass through");
  }
  return "db=\"" + path + "\"";
}

bool parse_switch(const Url& url, std::string_view name, bool fallback) {
  auto value = url.option(name);
  if (!value) return fallback;
  if (*value == "on" || *value == "1" || *value == "true") return true;
  if (*value == "off" || *value == "0" || *value == "false") return false;
  throw UrlError("invalid database URL: option '" + std::string(name) + "' = '" + *value +
                 "' must be on or off");
}

}  // namespace

std::span<const std::string_view> known_options() noexcept {
  return kOptions;
}

std::unique_ptr<soci::session> open(const Url& url) {
  auto busy = url.option("busy_timeout")
                  ? detail::parse_duration(*url.option("busy_timeout"), "option 'busy_timeout'")
                  : std::chrono::milliseconds(5000);
  bool foreign_keys = parse_switch(url, "foreign_keys", true);
  std::string text = connect_string(url.database());
  std::unique_ptr<soci::session> session;
  try {
    session = std::make_unique<soci::session>(*soci::factory_sqlite3(), text);
  } catch (const soci::soci_error& e) {
    throw ConnectError("cannot open " + url.to_string() + ": " + e.get_error_message());
  }
  try {
    *session << "PRAGMA busy_timeout = " + std::to_string(busy.count());
    *session << std::string("PRAGMA foreign_keys = ") + (foreign_keys ? "ON" : "OFF");
    int tables = 0;  // reads the file's header: "file is not a database" shows up here
    *session << "SELECT COUNT(*) FROM sqlite_master", soci::into(tables);
  } catch (const soci::soci_error& e) {
    // A file that is not a database fails here, at the first statement, not at open.
    throw ConnectError("cannot open " + url.to_string() + ": " + e.get_error_message());
  }
  return session;
}

SqlError translate(const soci::sqlite3_soci_error& error) {
  int code = error.result();
  int primary = code & 0xFF;
  // SQLITE_CONSTRAINT (19) is an integrity violation; other failures have no finer SQLSTATE.
  std::string sqlstate = primary == 19 ? "23000" : "HY000";
  std::string message = error.what();
  message += " (SQLite error " + std::to_string(code) + ")";
  return SqlError(message, code, sqlstate, false, primary == 5 || primary == 6);  // BUSY, LOCKED
}

bool ping(soci::session& session) noexcept {
  try {
    int one = 0;
    session << "SELECT 1", soci::into(one);
    return one == 1;
  } catch (...) {
    return false;
  }
}

std::string server_version() {
  return sqlite_api::sqlite3_libversion();
}

}  // namespace tabula::dialect::sqlite

namespace tabula::dialect::sqlite {
namespace {

sqlite_api::sqlite3* native(soci::session& session) noexcept {
  auto* backend = static_cast<soci::sqlite3_session_backend*>(session.get_backend());
  return backend == nullptr ? nullptr : backend->conn_;
}

}  // namespace

void* native_handle(soci::session& session) noexcept {
  return native(session);
}

bool in_transaction(void* native_db) noexcept {
  auto* db = static_cast<sqlite_api::sqlite3*>(native_db);
  return db != nullptr && sqlite_api::sqlite3_get_autocommit(db) == 0;
}

bool reset(soci::session& session) noexcept {
  sqlite_api::sqlite3* db = native(session);
  return db != nullptr && sqlite_api::sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr) == 0;
}

}  // namespace tabula::dialect::sqlite

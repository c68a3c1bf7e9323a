#include "dialect/mysql/mysql_dialect.hpp"

#include "detail/duration.hpp"
#include "detail/redact.hpp"

#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>

#include <array>
#include <cstdint>

namespace tabula::dialect::mysql {
namespace {

constexpr std::array<std::string_view, 7> kOptions{
    "charset", "connect_timeout", "read_timeout", "write_timeout", "sslca", "sslcert", "sslkey"};

// Client and server error codes (mysqld_error.h, errmsg.h) tabula gives a meaning to.
constexpr int kConnectionKilled = 1927;    // ER_CONNECTION_KILLED (MariaDB)
constexpr int kServerShutdown = 1053;      // ER_SERVER_SHUTDOWN
constexpr int kClientIdleTimeout = 4031;   // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8)
constexpr int kServerGoneAway = 2006;      // CR_SERVER_GONE_ERROR
constexpr int kServerLost = 2013;          // CR_SERVER_LOST
constexpr int kServerLostExtended = 2055;  // CR_SERVER_LOST_EXTENDED
constexpr int kConnectionError = 2002;     // CR_CONNECTION_ERROR (socket)
constexpr int kConnHostError = 2003;       // CR_CONN_HOST_ERROR (TCP)

// SOCI's connect-string syntax: name=value pairs separated by spaces; a value may be quoted with
// single quotes, and a backslash escapes the next character.
std::string quoted(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

// MySQL takes timeouts in whole seconds; round up so "500ms" does not become "no timeout".
std::string seconds_option(const Url& url, std::string_view name) {
  auto value = url.option(name);
  auto ms = detail::parse_duration(*value, "option '" + std::string(name) + "'");
  auto seconds = (ms.count() + 999) / 1000;
  if (seconds < 1) seconds = 1;
  return std::to_string(seconds);
}

std::string connect_string(const Url& url) {
  std::string out;
  auto add = [&out](std::string_view name, std::string_view value) {
    out += std::string(name) + "=" + quoted(value) + " ";
  };
  if (!url.user().empty()) add("user", url.user());
  if (url.has_password()) add("password", url.password());
  if (!url.host().empty()) add("host", url.host());
  if (!url.host().empty() || url.port()) add("port", std::to_string(url.effective_port()));
  if (!url.socket().empty()) add("unix_socket", url.socket());
  if (!url.database().empty()) add("db", url.database());
  add("charset", url.option("charset").value_or("utf8mb4"));
  add("connect_timeout",
      url.option("connect_timeout") ? seconds_option(url, "connect_timeout") : std::string("10"));
  for (std::string_view name : {"read_timeout", "write_timeout"}) {
    if (url.option(name)) add(name, seconds_option(url, name));
  }
  for (std::string_view name : {"sslca", "sslcert", "sslkey"}) {
    if (auto value = url.option(name)) add(name, *value);
  }
  return out;
}

MYSQL* native(soci::session& session) {
  auto* backend = static_cast<soci::mysql_session_backend*>(session.get_backend());
  return backend == nullptr ? nullptr : backend->conn_;
}

// SQLSTATEs for errors raised while connecting, when the handle that knew them is already gone.
std::string connect_sqlstate(int code) {
  switch (code) {
    case 1044:  // ER_DBACCESS_DENIED_ERROR
    case 1049:  // ER_BAD_DB_ERROR
    case 1203:  // ER_TOO_MANY_USER_CONNECTIONS
      return "42000";
    case 1045:  // ER_ACCESS_DENIED_ERROR
      return "28000";
    case 1040:  // ER_CON_COUNT_ERROR
      return "08004";
    default:
      return "HY000";
  }
}

}  // namespace

std::span<const std::string_view> known_options() noexcept {
  return kOptions;
}

bool is_disconnect_code(int code) noexcept {
  switch (code) {
    case kConnectionKilled:
    case kServerShutdown:
    case kClientIdleTimeout:
    case kServerGoneAway:
    case kServerLost:
    case kServerLostExtended:
    case kConnectionError:
    case kConnHostError:
      return true;
    default:
      return false;
  }
}

std::unique_ptr<soci::session> open(const Url& url) {
  std::string target = url.to_string();
  std::string text = connect_string(url);  // may throw UrlError for a bad timeout value
  try {
    return std::make_unique<soci::session>(*soci::factory_mysql(), text);
  } catch (const soci::mysql_soci_error& e) {
    int code = static_cast<int>(e.err_num_);
    std::string message = detail::redact(e.get_error_message(), url.password());
    throw ConnectError("cannot connect to " + target + ": " + message + " (MySQL error " +
                           std::to_string(code) + ")",
                       code, connect_sqlstate(code));
  } catch (const soci::soci_error& e) {
    throw ConnectError("cannot connect to " + target + ": " +
                       detail::redact(e.get_error_message(), url.password()));
  }
}

SqlError translate(const soci::mysql_soci_error& error, soci::session& session) {
  int code = static_cast<int>(error.err_num_);
  std::string sqlstate = "HY000";
  if (MYSQL* conn = native(session); conn != nullptr && mysql_errno(conn) != 0) {
    sqlstate = mysql_sqlstate(conn);
  }
  std::string message = error.what();
  message += " (MySQL error " + std::to_string(code) + ", SQLSTATE " + sqlstate + ")";
  return SqlError(message, code, sqlstate, is_disconnect_code(code));
}

bool ping(soci::session& session) noexcept {
  MYSQL* conn = native(session);
  return conn != nullptr && mysql_ping(conn) == 0;
}

std::string server_version(soci::session& session) {
  MYSQL* conn = native(session);
  const char* info = conn == nullptr ? nullptr : mysql_get_server_info(conn);
  return info == nullptr ? std::string() : std::string(info);
}

}  // namespace tabula::dialect::mysql

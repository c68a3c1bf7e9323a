#include "dialect/mysql/mysql_dialect.hpp"

#include "detail/duration.hpp"
#include "detail/redact.hpp"
#include "dialect/mysql/mysql_nonblocking.hpp"
#include "dialect/mysql/mysql_tls.hpp"

#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>

namespace tabula::dialect::mysql {
namespace {

constexpr std::array<std::string_view, 13> kOptions{
    "charset",     "connect_timeout", "read_timeout", "write_timeout", "ssl_mode",
    "sslca",       "sslcapath",       "sslcert",      "sslkey",        "sslcrl",
    "tls_version", "password_file",   "returning"};

// Client and server error codes (mysqld_error.h, errmsg.h) tabula gives a meaning to.
constexpr int kConnectionKilled = 1927;    // ER_CONNECTION_KILLED (MariaDB)
constexpr int kServerShutdown = 1053;      // ER_SERVER_SHUTDOWN
constexpr int kClientIdleTimeout = 4031;   // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8)
constexpr int kServerGoneAway = 2006;      // CR_SERVER_GONE_ERROR
constexpr int kServerLost = 2013;          // CR_SERVER_LOST
constexpr int kServerLostExtended = 2055;  // CR_SERVER_LOST_EXTENDED
constexpr int kConnectionError = 2002;     // CR_CONNECTION_ERROR (socket)
constexpr int kConnHostError = 2003;       // CR_CONN_HOST_ERROR (TCP)
// ER_UNKNOWN_COM_ERROR, which a Galera node answers to everything while it is not ready or not in
// the Primary component ("WSREP has not yet prepared node for application use").
constexpr int kNodeNotReady = 1047;
constexpr int kDeadlock = 1213;                // ER_LOCK_DEADLOCK
constexpr int kLockWaitTimeout = 1205;         // ER_LOCK_WAIT_TIMEOUT
constexpr int kTooManyConnections = 1040;      // ER_CON_COUNT_ERROR
constexpr int kTooManyUserConnections = 1203;  // ER_TOO_MANY_USER_CONNECTIONS (global limit)
constexpr int kUserLimitReached = 1226;        // ER_USER_LIMIT_REACHED (the account's limit)

constexpr std::chrono::milliseconds kDefaultConnectTimeout{10'000};

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
std::string whole_seconds(std::chrono::milliseconds ms) {
  return std::to_string(std::max<std::int64_t>(1, (ms.count() + 999) / 1000));
}

std::chrono::milliseconds duration_option(const Url& url, std::string_view name) {
  return detail::parse_duration(*url.option(name), "option '" + std::string(name) + "'");
}

MYSQL* native(soci::session& session) noexcept {
  auto* backend = static_cast<soci::mysql_session_backend*>(session.get_backend());
  return backend == nullptr ? nullptr : backend->conn_;
}

// Runs a statement without results within `timeout`. False on error or timeout.
bool bounded_query(MYSQL* conn, std::string_view sql, std::chrono::milliseconds timeout) noexcept {
  int error = 0;
  bool done = drive_nonblocking(
      conn, timeout, [&] { return mysql_real_query_start(&error, conn, sql.data(), sql.size()); },
      [&](int events) { return mysql_real_query_cont(&error, conn, events); });
  return done && error == 0;
}

// SQLSTATEs for errors raised while connecting, when the handle that knew them is already gone.
std::string connect_sqlstate(int code) {
  switch (code) {
    case 1044:  // ER_DBACCESS_DENIED_ERROR
    case 1049:  // ER_BAD_DB_ERROR
    case 1203:  // ER_TOO_MANY_USER_CONNECTIONS
    case 1226:  // ER_USER_LIMIT_REACHED
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

namespace {

// The connect string, with `host` in place of the URL's (the TLS plugin's "tabula-tls://..."
// form) and without TLS files (the plugin sets them) when `tls` is set.
std::string connect_string_for(const Url& url,
                               std::optional<std::chrono::milliseconds> connect_timeout, bool tls) {
  std::string out;
  auto add = [&out](std::string_view name, std::string_view value) {
    out += std::string(name) + "=" + quoted(value) + " ";
  };
  if (!url.user().empty()) add("user", url.user());
  if (url.has_password()) add("password", url.password());
  if (tls) {
    add("host", tls_host(url));
  } else if (!url.host().empty()) {
    add("host", url.host());
  }
  if (!url.host().empty() || url.port()) add("port", std::to_string(url.effective_port()));
  if (!url.socket().empty()) add("unix_socket", url.socket());
  if (!url.database().empty()) add("db", url.database());
  add("charset", url.option("charset").value_or("utf8mb4"));
  auto timeout = url.option("connect_timeout") ? duration_option(url, "connect_timeout")
                                               : kDefaultConnectTimeout;
  if (connect_timeout) timeout = std::min(timeout, *connect_timeout);
  add("connect_timeout", whole_seconds(timeout));
  for (std::string_view name : {"read_timeout", "write_timeout"}) {
    if (url.option(name)) add(name, whole_seconds(duration_option(url, name)));
  }
  if (!tls) {
    for (std::string_view name : {"sslca", "sslcert", "sslkey"}) {
      if (auto value = url.option(name)) add(name, *value);
    }
  }
  return out;
}

}  // namespace

std::string connect_string(const Url& url,
                           std::optional<std::chrono::milliseconds> connect_timeout) {
  return connect_string_for(url, connect_timeout, false);
}

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
    // The node cannot serve this connection any more: it is closed (the pool then checks the
    // node's other connections, and a new one goes to a node that is ready).
    case kNodeNotReady:
      return true;
    default:
      return false;
  }
}

std::unique_ptr<soci::session> open(const Url& url,
                                    std::optional<std::chrono::milliseconds> connect_timeout) {
  std::string target = url.to_string();
  TlsSettings tls = tls_settings(url);  // UrlError for a bad ssl_mode or tls_version
  bool through_plugin = uses_tls(url, tls);
  // UrlError for a bad timeout value
  std::string text = connect_string_for(url, connect_timeout, through_plugin);
  auto refuse = [&](const std::string& why, int code, std::string sqlstate) {
    return ConnectError("cannot connect to " + target + ": " + why, code, std::move(sqlstate));
  };
  try {
    std::unique_ptr<soci::session> session;
    {
      ScopedTlsSettings scope(tls);
      session = std::make_unique<soci::session>(*soci::factory_mysql(), text);
    }
    // Connector/C 3.3 falls back to plaintext when the server offers no TLS, unless the server's
    // name is verified: the levels that promise TLS check it here, before any statement.
    if (tls.mode >= SslMode::required && tls_cipher(native(*session)).empty()) {
      throw refuse("TLS missing: the server does not offer TLS (ssl_mode=" +
                       std::string(to_string(tls.mode)) + ")",
                   2026, "08001");
    }
    // The non-blocking API lets ping() and reset() bound their wait and a prepared insert page
    // run while the next one is bound (mysql_nonblocking.hpp); blocking calls (all of SOCI's)
    // behave as before.
    if (mysql_options(native(*session), MYSQL_OPT_NONBLOCK, nullptr) != 0) {
      throw ConnectError("cannot connect to " + target +
                         ": Connector/C refused MYSQL_OPT_NONBLOCK (out of memory?)");
    }
    return session;
  } catch (const soci::mysql_soci_error& e) {
    int code = static_cast<int>(e.err_num_);
    std::string message = detail::redact(e.get_error_message(), url.password());
    std::string check = tls_failure(code, message, url, tls);
    if (!check.empty()) message = check + ": " + message;
    throw ConnectError("cannot connect to " + target + ": " + message + " (MySQL error " +
                           std::to_string(code) + ")",
                       code, connect_sqlstate(code), is_refusal_code(code));
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
  return SqlError(message, code, sqlstate, is_disconnect_code(code), is_retryable_code(code));
}

bool is_retryable_code(int code) noexcept {
  // A node that is not ready refused the statement: run on a ready node, the work may succeed
  // (but a COMMIT it refused has an unknown outcome: the session says so, and clears this).
  return code == kDeadlock || code == kLockWaitTimeout || code == kNodeNotReady;
}

bool is_refusal_code(int code) noexcept {
  return code == kTooManyConnections || code == kTooManyUserConnections ||
         code == kUserLimitReached;
}

bool ping(soci::session& session, std::chrono::milliseconds timeout) noexcept {
  MYSQL* conn = native(session);
  if (conn == nullptr) return false;
  int result = 1;
  bool done = drive_nonblocking(
      conn, timeout, [&] { return mysql_ping_start(&result, conn); },
      [&](int events) { return mysql_ping_cont(&result, conn, events); });
  return done && result == 0;
}

void* native_handle(soci::session& session) noexcept {
  return native(session);
}

bool shows_hangup(void* native_conn) noexcept {
  auto* conn = static_cast<MYSQL*>(native_conn);
  if (conn == nullptr) return true;
  pollfd p{static_cast<int>(mysql_get_socket(conn)), POLLIN, 0};
  if (p.fd < 0) return true;
  return ::poll(&p, 1, 0) != 0;  // readable, hung up, or poll itself failed
}

bool in_transaction(void* native_conn) noexcept {
  auto* conn = static_cast<MYSQL*>(native_conn);
  if (conn == nullptr) return false;
  return (conn->server_status & SERVER_STATUS_IN_TRANS) != 0 ||
         (conn->server_status & SERVER_STATUS_AUTOCOMMIT) == 0;
}

bool reset(soci::session& session, std::chrono::milliseconds timeout) noexcept {
  MYSQL* conn = native(session);
  if (conn == nullptr) return false;
  if (!bounded_query(conn, "ROLLBACK", timeout)) return false;
  if ((conn->server_status & SERVER_STATUS_AUTOCOMMIT) == 0) {
    return bounded_query(conn, "SET autocommit = 1", timeout);
  }
  return true;
}

std::chrono::seconds wait_timeout(soci::session& session) {
  long long seconds = 0;
  session << "SELECT @@wait_timeout", soci::into(seconds);
  return std::chrono::seconds(seconds);
}

void abandon(std::unique_ptr<soci::session> session) noexcept {
  if (MYSQL* conn = native(*session); conn != nullptr) {
    int fd = static_cast<int>(mysql_get_socket(conn));
    if (fd >= 0) ::close(fd);
  }
  // Deliberately leaked: destroying it would send COM_QUIT on a socket the parent still owns.
  (void)session.release();
}

namespace {

// Reads (and discards) what the server still sends until it closes its end: true at end of
// stream or a reset, false when `deadline` passes first or the kernel gave up on the host.
bool wait_for_end_of_stream(int fd, std::chrono::steady_clock::time_point deadline) noexcept {
  using Clock = std::chrono::steady_clock;
  char discard[512];
  for (;;) {
    ssize_t n = ::recv(fd, discard, sizeof discard, MSG_DONTWAIT);
    if (n == 0) return true;  // end of stream: the server has closed the connection
    if (n < 0 && errno == EINTR) continue;
    // A reset is the server (or its host's kernel) closing the connection: gone. The kernel
    // giving up on a host that answers nothing (ETIMEDOUT, EHOSTUNREACH) is not: the server may
    // still hold it, so that counts as unconfirmed.
    if (n < 0 && (errno == ECONNRESET || errno == EPIPE)) return true;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    if (n > 0) continue;  // a late reply or a TLS alert: read on
    pollfd p{fd, POLLIN | POLLRDHUP, 0};
    if (::poll(&p, 1, static_cast<int>(left.count()) + 1) < 0 && errno != EINTR) return true;
  }
}

bool is_tcp(int fd) noexcept {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return false;
  return address.ss_family == AF_INET || address.ss_family == AF_INET6;
}

}  // namespace

bool close_and_wait(std::unique_ptr<soci::session> session, bool broken,
                    std::chrono::steady_clock::time_point deadline) noexcept {
  bool released = true;
  MYSQL* conn = session ? native(*session) : nullptr;
  int fd = conn == nullptr ? -1 : static_cast<int>(mysql_get_socket(conn));
  if (fd >= 0) {
    if (is_tcp(fd)) {
      // Bounds the kernel's retransmissions of our COM_QUIT and FIN to a host that answers
      // nothing, so a socket to a vanished host does not linger after we let go of it.
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      unsigned int ms = static_cast<unsigned int>(std::max<std::int64_t>(100, left.count()));
      (void)::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof ms);
    }
    // COM_QUIT through Connector/C's own command path (TLS and compression included), without
    // closing the socket as mysql_close() would before we could see the server's answer. A
    // connection that is mid-protocol (broken, or with results unread) cannot take a command:
    // the end of our stream tells the server instead, the next time it reads.
    bool quit_sent = !broken && conn->methods != nullptr &&
                     conn->methods->db_command(conn, COM_QUIT, nullptr, 0, 1, nullptr) == 0;
    if (!quit_sent) ::shutdown(fd, SHUT_WR);
    released = wait_for_end_of_stream(fd, deadline);
  }
  session.reset();  // mysql_close(): frees the handle and closes our end
  return released;
}

void init_client_library() {
  if (mysql_library_init(0, nullptr, nullptr) != 0) {
    throw ConnectError("cannot initialise the MariaDB client library (mysql_library_init)");
  }
  register_tls_plugin();
  // SOCI ends the library from a function-local static that its first session creates, which
  // also makes the library's end run before exit handlers registered earlier. Create it now, with
  // a connect string SOCI rejects before it does anything else (no network).
  try {
    soci::session probe(*soci::factory_mysql(), "=");
  } catch (const soci::soci_error&) {
    // Expected: the string is malformed on purpose.
  }
}

void thread_begin() noexcept {
  (void)mysql_thread_init();
}

void thread_end() noexcept {
  mysql_thread_end();
}

std::string server_version(soci::session& session) {
  MYSQL* conn = native(session);
  const char* info = conn == nullptr ? nullptr : mysql_get_server_info(conn);
  return info == nullptr ? std::string() : std::string(info);
}

}  // namespace tabula::dialect::mysql

#pragma once

// MySQL/MariaDB specifics of opening connections and reading errors, over SOCI's mysql backend
// and MariaDB Connector/C.

#include <tabula/error.hpp>
#include <tabula/url.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace soci {
class session;
class mysql_soci_error;
}  // namespace soci

namespace tabula::dialect::mysql {

// URL query options this dialect understands (besides `socket`).
std::span<const std::string_view> known_options() noexcept;

// The SOCI connect string for `url`: user, password, host, port, socket, database, and the
// options charset (default utf8mb4), connect_timeout (default 10 s, capped by `connect_timeout`
// when given), read_timeout, write_timeout (whole seconds, rounded up), sslca, sslcert, sslkey.
// Throws UrlError for a bad duration. The benchmarks give their comparison clients the same.
std::string connect_string(const Url& url,
                           std::optional<std::chrono::milliseconds> connect_timeout);

// Opens a session. Never sets MYSQL_OPT_RECONNECT: a silent reconnect would drop the transaction.
// `connect_timeout`, when given, caps the URL's connect_timeout (the pool passes what is left of
// a checkout's deadline). Throws ConnectError with the redacted URL and the server's code, or
// UrlError for a bad option.
std::unique_ptr<soci::session> open(const Url& url,
                                    std::optional<std::chrono::milliseconds> connect_timeout);

// The error a failed statement on `session` raised, with its code, SQLSTATE and disconnect flag.
SqlError translate(const soci::mysql_soci_error& error, soci::session& session);

// True for error codes that mean the connection is gone and must not be reused (1047 included: a
// Galera node that is not ready).
bool is_disconnect_code(int code) noexcept;

// True for deadlock (1213), lock wait timeout (1205) and a Galera node not ready (1047): the
// transaction may succeed if run again.
bool is_retryable_code(int code) noexcept;

// Error codes with which a server refuses a new connection for lack of room (1040 too many
// connections, 1203 the global max_user_connections, 1226 an account's MAX_USER_CONNECTIONS):
// back-pressure, not failure.
bool is_refusal_code(int code) noexcept;

// Pings the server, giving up after `timeout` (Connector/C's non-blocking API and poll(), so a
// half-open socket cannot hang the caller). Never throws.
bool ping(soci::session& session, std::chrono::milliseconds timeout) noexcept;

// The client library's handle behind `session` (MYSQL* / sqlite3*), as an opaque pointer.
void* native_handle(soci::session& session) noexcept;

// True while a transaction is open, from the library's state: no round trip. `native` is what
// native_handle() returned.
bool in_transaction(void* native) noexcept;
// True when the socket has something to read (data, end of stream, an error) while no statement
// runs; see Connection::shows_hangup.
bool shows_hangup(void* native) noexcept;

// Rolls back and restores autocommit, giving up after `timeout`. Returns false when that failed:
// the connection must then be closed.
bool reset(soci::session& session, std::chrono::milliseconds timeout) noexcept;

// The server's @@wait_timeout for this session.
std::chrono::seconds wait_timeout(soci::session& session);

std::string server_version(soci::session& session);

// Closes the connection's socket without speaking the protocol and leaks the client handle, for a
// child process after fork(): its parent still uses the same server session.
void abandon(std::unique_ptr<soci::session> session) noexcept;

// Closes `session` and waits, until `deadline` at the latest, for the server to let go of it:
// COM_QUIT is sent (or, when the connection is `broken` mid-protocol, the end of our stream), then
// the socket is read until the server closes its end. By then the server has ended the
// connection's thread and given back the account's connection count (MAX_USER_CONNECTIONS); see
// docs/pool.md. Returns true when the server closed its end or the socket was already gone (reset,
// or closed by the client library after an error), false when the deadline passed first or the
// kernel gave up on a host that acknowledges nothing (TCP_USER_TIMEOUT bounds those
// retransmissions). Never throws.
bool close_and_wait(std::unique_ptr<soci::session> session, bool broken,
                    std::chrono::steady_clock::time_point deadline) noexcept;

// Initialises Connector/C (mysql_library_init) and makes SOCI's exit-time mysql_library_end
// exist now, so that exit handlers registered afterwards run before it. Call once, before any
// thread uses the library (detail::prepare_client_library does). Throws ConnectError.
void init_client_library();
// Per-thread state of Connector/C (mysql_thread_init / mysql_thread_end).
void thread_begin() noexcept;
void thread_end() noexcept;

}  // namespace tabula::dialect::mysql

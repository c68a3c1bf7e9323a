#pragma once

// MySQL/MariaDB specifics of opening connections and reading errors, over SOCI's mysql backend
// and MariaDB Connector/C.

#include <tabula/error.hpp>
#include <tabula/url.hpp>

#include <memory>
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

// Opens a session. Never sets MYSQL_OPT_RECONNECT: a silent reconnect would drop the transaction.
// Throws ConnectError with the redacted URL and the server's code, or UrlError for a bad option.
std::unique_ptr<soci::session> open(const Url& url);

// The error a failed statement on `session` raised, with its code, SQLSTATE and disconnect flag.
SqlError translate(const soci::mysql_soci_error& error, soci::session& session);

// True for error codes that mean the connection is gone and must not be reused.
bool is_disconnect_code(int code) noexcept;

bool ping(soci::session& session) noexcept;
std::string server_version(soci::session& session);

}  // namespace tabula::dialect::mysql

#pragma once

// SQLite specifics of opening connections and reading errors, over SOCI's sqlite3 backend.

#include <tabula/error.hpp>
#include <tabula/url.hpp>

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace soci {
class session;
class sqlite3_soci_error;
}  // namespace soci

namespace tabula::dialect::sqlite {

std::span<const std::string_view> known_options() noexcept;

// Opens (creating if needed) the database file, or a private in-memory database, then applies
// busy_timeout (default 5s) and foreign_keys (default on). Throws ConnectError naming the path.
std::unique_ptr<soci::session> open(const Url& url);

SqlError translate(const soci::sqlite3_soci_error& error);

bool ping(soci::session& session) noexcept;
// The client library's handle behind `session` (MYSQL* / sqlite3*), as an opaque pointer.
void* native_handle(soci::session& session) noexcept;

// True while a transaction is open, from the library's state: no round trip. `native` is what
// native_handle() returned.
bool in_transaction(void* native) noexcept;
bool reset(soci::session& session) noexcept;
std::string server_version();

}  // namespace tabula::dialect::sqlite

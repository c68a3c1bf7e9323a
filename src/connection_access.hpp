#pragma once

// What the library's own layers reach in a Connection that users do not: the dialect behind it,
// the client library's handle, marking it broken. (As RecordAccess does for Record.)

#include <tabula/connection.hpp>

#include "dialect/sql_dialect.hpp"

namespace tabula::detail {

struct ConnectionAccess {
  static const SqlDialect& dialect(const Connection& connection) noexcept {
    return *connection.sql_;
  }
  // The client library's handle (MYSQL*, sqlite3*), for statements sent without SOCI.
  static void* native_handle(const Connection& connection) noexcept {
    return connection.native_handle();
  }
  // What the dialect keeps with the connection: null until the dialect first stores something.
  static std::unique_ptr<ConnectionState>& dialect_state(Connection& connection) noexcept {
    return connection.dialect_state_;
  }
  // After an error that says the connection is gone: it must be closed, not reused.
  static void mark_broken(Connection& connection) noexcept { connection.mark_broken(); }
};

}  // namespace tabula::detail

#pragma once

// What the library's own layers reach in a Connection that users do not: the dialect behind it.
// (As RecordAccess does for Record.)

#include <tabula/connection.hpp>

#include "dialect/sql_dialect.hpp"

namespace tabula::detail {

struct ConnectionAccess {
  static const SqlDialect& dialect(const Connection& connection) noexcept {
    return *connection.sql_;
  }
};

}  // namespace tabula::detail

#pragma once

// Runs one statement on a sqlite3* handle with bound values (see dialect/result_set.hpp).

#include <tabula/value.hpp>

#include "dialect/result_set.hpp"

#include <span>
#include <string_view>

namespace tabula::dialect::sqlite {

// `native` is the connection's sqlite3*. Throws SqlError; Error for a placeholder/value mismatch.
detail::ResultSet run_statement(void* native, std::string_view sql, std::span<const Value> params);

}  // namespace tabula::dialect::sqlite

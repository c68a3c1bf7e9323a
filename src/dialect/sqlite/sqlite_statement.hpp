#pragma once

// Runs one statement on a sqlite3* handle with bound values (see session/statement.hpp).

#include "session/statement.hpp"

namespace tabula::dialect::sqlite {

// `native` is the connection's sqlite3*. Throws SqlError; Error for a placeholder/value mismatch.
detail::ResultSet run_statement(void* native, std::string_view sql, std::span<const Value> params);

}  // namespace tabula::dialect::sqlite

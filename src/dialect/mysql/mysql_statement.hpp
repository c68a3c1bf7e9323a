#pragma once

// Runs one statement on a MYSQL* handle with values as escaped literals (see
// session/statement.hpp).

#include "session/statement.hpp"

namespace tabula::dialect::mysql {

// `native` is the connection's MYSQL*. Throws SqlError; Error for a placeholder/value mismatch.
detail::ResultSet run_statement(void* native, std::string_view sql, std::span<const Value> params);

// Appends `value` to `out` as a MySQL literal: NULL, digits, a quoted and escaped string (the
// connection's character set and sql_mode decide the escaping), X'..' for bytes.
void append_literal(void* native, const Value& value, std::string& out);

// The server's max_allowed_packet (one round trip).
std::size_t max_allowed_packet(void* native);

}  // namespace tabula::dialect::mysql

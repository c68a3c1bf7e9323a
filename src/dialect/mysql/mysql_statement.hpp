#pragma once

// Runs one statement on a MYSQL* handle with values as escaped literals (see
// dialect/result_set.hpp).

#include <tabula/value.hpp>

#include "dialect/result_set.hpp"

#include <span>
#include <string_view>

namespace tabula::dialect::mysql {

// Throws the SqlError for a client or server error: the message with "(MySQL error N, SQLSTATE
// S)", whether it means the connection is gone, whether a retry may succeed.
[[noreturn]] void throw_error(unsigned code, const char* sqlstate, const char* message);

// `native` is the connection's MYSQL*. Throws SqlError; Error for a placeholder/value mismatch.
detail::ResultSet run_statement(void* native, std::string_view sql, std::span<const Value> params);

// The two halves of run_statement for text that needs no placeholders filled, so the client can
// work while the server runs the statement: send_statement() returns once the text is sent;
// read_result() waits for the server's answer. Nothing else may be sent on the connection in
// between. Both throw SqlError.
void send_statement(void* native, std::string_view text);
detail::ResultSet read_result(void* native);

// Appends `value` to `out` as a MySQL literal: NULL, digits, a quoted and escaped string (the
// connection's character set and sql_mode decide the escaping), X'..' for bytes.
void append_literal(void* native, const Value& value, std::string& out);

// The server's max_allowed_packet (one round trip).
std::size_t max_allowed_packet(void* native);

}  // namespace tabula::dialect::mysql

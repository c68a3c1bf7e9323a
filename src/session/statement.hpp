#pragma once

// One SQL statement with `?` placeholders and its values, run on a Connection through the client
// library directly (the Session's hot path): MySQL/MariaDB get the values as escaped literals in
// one text statement (what makes multi-row INSERT ... RETURNING one round trip), SQLite binds
// them to a prepared statement. Every result cell comes back as text (bytes for binary columns),
// ready for detail::from_database_text.

#include <tabula/connection.hpp>
#include <tabula/value.hpp>

#include "detail/placeholders.hpp"
#include "dialect/result_set.hpp"

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tabula::detail {

// Runs `sql` with `params` bound to its `?` placeholders, in order. Throws SqlError (code,
// SQLSTATE, server message); a disconnect marks the connection broken. Error if the number of
// placeholders and values differ. Reports the statement (placeholders, never values) to the
// statement handler (log.hpp).
ResultSet run_statement(Connection& connection, std::string_view sql,
                        std::span<const Value> params = {});

// Runs MySQL text whose values are already escaped literals (the multi-row INSERT path).
// `shape` is what the statement handler is shown instead: the same SQL with `?` for values.
ResultSet run_literal_statement(Connection& connection, std::string_view text,
                                std::string_view shape, std::size_t values);

// run_literal_statement in two halves, so the client can work while the server runs it (MySQL
// only): send, then read the result before anything else is sent on the connection.
void send_literal_statement(Connection& connection, std::string_view text, std::string_view shape,
                            std::size_t values);
ResultSet read_literal_result(Connection& connection);

}  // namespace tabula::detail

#pragma once

// One SQL statement with `?` placeholders and its values, run on a Connection through the client
// library directly (the Session's and Query's path), as the connection's dialect runs statements
// (SqlDialect::run_statement: escaped literals in one text statement on MySQL/MariaDB, bound
// values in a prepared statement on SQLite). Every result cell comes back as text (bytes for
// binary columns), ready for detail::from_database_text.

#include <tabula/connection.hpp>
#include <tabula/value.hpp>

#include "dialect/result_set.hpp"

#include <span>
#include <string_view>

namespace tabula::detail {

// Runs `sql` with `params` bound to its `?` placeholders, in order. Throws SqlError (code,
// SQLSTATE, server message); a disconnect marks the connection broken. Error if the number of
// placeholders and values differ. Reports the statement (placeholders, never values) to the
// statement handler (log.hpp).
ResultSet run_statement(Connection& connection, std::string_view sql,
                        std::span<const Value> params = {});

}  // namespace tabula::detail

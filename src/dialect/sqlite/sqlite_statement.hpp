#pragma once

// Runs one statement on a SQLite connection with bound values (see dialect/result_set.hpp). The
// prepared statements are kept with the connection (up to 64, least recently used finalized
// first), so the session's row-by-row inserts, its updates and deletes prepare each statement
// shape once per connection, not once per row.

#include <tabula/connection.hpp>
#include <tabula/value.hpp>

#include "dialect/result_set.hpp"

#include <span>
#include <string_view>

namespace tabula::dialect::sqlite {

// Throws SqlError; Error for a placeholder/value mismatch.
detail::ResultSet run_statement(Connection& connection, std::string_view sql,
                                std::span<const Value> params);

// How many prepared statements `connection` keeps now, and how many it has prepared in all
// (for tests).
std::size_t cached_statements(Connection& connection);
std::uint64_t statements_prepared(Connection& connection);

}  // namespace tabula::dialect::sqlite

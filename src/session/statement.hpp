#pragma once

// One SQL statement with `?` placeholders and its values, run on a Connection through the client
// library directly (the Session's hot path): MySQL/MariaDB get the values as escaped literals in
// one text statement (what makes multi-row INSERT ... RETURNING one round trip), SQLite binds
// them to a prepared statement. Every result cell comes back as text (bytes for binary columns),
// ready for detail::from_database_text.

#include <tabula/connection.hpp>
#include <tabula/value.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tabula::detail {

// Cells are views into memory the ResultSet owns (the client library's result buffer, or copies),
// so reading a row allocates nothing; movable, not copyable.
struct ResultSet {
  ResultSet() = default;
  ResultSet(ResultSet&&) noexcept = default;
  ResultSet& operator=(ResultSet&&) noexcept = default;
  ResultSet(const ResultSet&) = delete;
  ResultSet& operator=(const ResultSet&) = delete;

  std::size_t columns = 0;
  std::vector<std::optional<std::string_view>> cells;  // row-major; nullopt is NULL
  std::shared_ptr<void> buffer;                        // what the cells point into
  std::deque<std::string> copies;                      // cells that had to be made
  std::uint64_t affected_rows = 0;                     // rows the statement changed
  std::uint64_t matched_rows = 0;                      // rows an UPDATE found, changed or not
  std::uint64_t last_insert_id = 0;

  std::size_t rows() const noexcept { return columns == 0 ? 0 : cells.size() / columns; }
  const std::optional<std::string_view>& at(std::size_t row, std::size_t column) const {
    return cells[row * columns + column];
  }
};

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

// Positions of the `?` placeholders in `sql`, skipping quoted strings and identifiers.
std::vector<std::size_t> placeholder_positions(std::string_view sql);

}  // namespace tabula::detail

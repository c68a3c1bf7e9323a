#pragma once

// The rows a statement returned, as text cells: what every dialect's statement runner produces and
// detail::from_database_text reads. Shared by src/dialect/ and the session, so neither includes
// the other's headers.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tabula::detail {

// What a cell held at the database, where the runner knows and the column's type may not say:
// SQLite keeps each value's own storage class in a column without a type.
enum class CellKind : unsigned char { unknown, integer, real, text, blob };

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
  std::vector<CellKind> kinds;                         // row-major like cells, or empty
  // Where the runner read every column as a binary integer (the keys a MariaDB page reads
  // back): each non-NULL cell's number as well, row-major like cells, so that a reader need not
  // parse the text again; `unsigned_columns` says which columns' numbers are unsigned. Empty
  // otherwise.
  std::vector<std::uint64_t> integers;
  std::vector<bool> unsigned_columns;
  std::uint64_t affected_rows = 0;  // rows the statement changed
  std::uint64_t matched_rows = 0;   // rows an UPDATE found, changed or not
  std::uint64_t last_insert_id = 0;

  std::size_t rows() const noexcept { return columns == 0 ? 0 : cells.size() / columns; }
  const std::optional<std::string_view>& at(std::size_t row, std::size_t column) const {
    return cells[row * columns + column];
  }
  CellKind kind_at(std::size_t row, std::size_t column) const {
    return kinds.empty() ? CellKind::unknown : kinds[row * columns + column];
  }
};

}  // namespace tabula::detail

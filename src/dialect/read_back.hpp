#pragma once

// Which columns an INSERT ... RETURNING must read back so that each record equals its row.
//
// Generated columns and every column a record left to the database always come back, and so does
// an auto-increment column given NULL or 0 (the server numbers the row then). A column every
// record gave (a key given by the caller included) comes back only when the database may store
// something other than
// the value sent: FLOAT rounding, CHAR and BINARY padding, ENUM/SET spelling, TIMESTAMP time
// zones, fractional seconds beyond the column's, a DECIMAL not written in the column's scale
// ("1.5" stored as "1.50"), ... (each dialect says which: SqlDialect::store_rule). A table
// with a BEFORE INSERT trigger (which may change anything)
// reads every column back. This is what the session's inserts save over reading every column:
// the server's work of sending values the client already has, and the client's of reading them.

#include <tabula/automap.hpp>

#include "detail/column_rules.hpp"
#include "dialect/result_set.hpp"
#include "dialect/sql_dialect.hpp"

#include <span>
#include <vector>

namespace tabula::detail {

std::vector<std::size_t> columns_to_read_back(const SqlDialect& dialect, const Table& table,
                                              const std::vector<Family>& families,
                                              std::span<Record* const> rows,
                                              bool before_insert_trigger);

// True when a column of `rule` stores `value` exactly as sent.
bool stores_as_sent(const StoreRule& rule, const Value& value) noexcept;
// True for a double -0.0, which servers store as 0 (stores_as_sent says no to it).
bool negative_zero(const Value& v) noexcept;
// Fraction digits a number of microseconds needs (0 for whole seconds).
int fraction_digits(std::int64_t microseconds);
// "12.50" for DECIMAL(_,2): no sign but '-', no leading zeros, exactly `scale` fraction digits
// (and no point without them), not a negative zero. What MySQL prints for the value, so it needs no
// reading back.
bool canonical_decimal(const Decimal& d, int scale);

// The value of a cell of a column of `family` (from_database_text), where the cell's own kind
// decides for a column without a type: SQLite's integer 5 there is 5, not "5", and a blob
// stays bytes even when it would read as text.
Value cell_value(Family family, const ResultSet& result, std::size_t row, std::size_t column);

// Loads row `row` of `result` (every column, in table order) into `record`, unchecked.
void load_row(Record& record, const std::vector<Family>& families, const ResultSet& result,
              std::size_t row);

}  // namespace tabula::detail

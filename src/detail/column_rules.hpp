#pragma once

// What a column can take: the checks Record::set runs before any SQL is sent, and the parsing
// of text into dates, times and decimals for columns of those types (JSON carries them as text).

#include <tabula/schema.hpp>
#include <tabula/value.hpp>

#include "dialect/column_type.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tabula::detail {

// The column's family in `dialect`'s type table.
Family family_of(const Column& column, Dialect dialect);

// True when an INSERT must give the column a value: NOT NULL, and nothing else (a default, the
// server's numbering, a generated value) fills it.
bool required_on_insert(const Column& column) noexcept;

// Brings `value` into the form the column stores (text into Date/DateTime/Time/Decimal for such
// columns, bool into integer) and checks it: type, range, length, enum/set membership, NULL,
// strict UTF-8 for every text kept as text (detail/utf8.hpp). Throws ValidationError naming
// table, column and value; returns the value to store, which the column takes as it is again.
Value admit(const Table& table, const Column& column, Value value, Dialect dialect);
// The same with the column's type already looked up (what a Model keeps per column).
Value admit(const Table& table, const Column& column, const ColumnType& type, Value value);
// The same on a value where it lies (a new record's slot): no copies or moves of it. On a throw
// the value may be half converted; the caller discards it.
void admit_in_place(const Table& table, const Column& column, const ColumnType& type, Value& value);

// The value a column holds, from the text the database returned for it (NULL: nullopt), without
// checks: what is in the database is what it is. Integers, decimals, doubles, dates and times
// are parsed; binary columns become Bytes; a column without a type (SQLite) gives text when the
// cell is valid UTF-8 and Bytes otherwise (detail::cell_value reads the cell's storage class
// first, where the statement runner kept it); the rest stays text, even when it is not valid UTF-8
// (Record::to_json refuses that text, naming the column). Throws ValueError only for text a
// column of that type cannot have returned.
Value from_database_text(const Column& column, const std::optional<std::string>& text,
                         Dialect dialect);
Value from_database_text(Family family, std::optional<std::string_view> text);

// Each column's family, in table order.
std::vector<Family> families_of(const Table& table, Dialect dialect);
// The column's type in `dialect`'s type table.
ColumnType column_type_of(const Column& column, Dialect dialect);

// Up to three names from `candidates` closest to `wanted` (edit distance), for error messages:
// "'titel' (did you mean 'title'?)".
std::string closest_names(std::string_view wanted, const std::vector<std::string>& candidates);

}  // namespace tabula::detail

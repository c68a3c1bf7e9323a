#pragma once

// What a column can take: the checks Record::set runs before any SQL is sent, and the parsing
// of text into dates, times and decimals for columns of those types (JSON carries them as text).

#include <tabula/schema.hpp>
#include <tabula/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace tabula::detail {

// Brings `value` into the form the column stores (text into Date/DateTime/Time/Decimal for such
// columns, bool into integer) and checks it: type, range, length, enum/set membership, NULL.
// Throws ValidationError naming table, column and value; returns the value to store.
Value admit(const Table& table, const Column& column, Value value, Dialect dialect);

// Up to three names from `candidates` closest to `wanted` (edit distance), for error messages:
// "'titel' (did you mean 'title'?)".
std::string closest_names(std::string_view wanted, const std::vector<std::string>& candidates);

}  // namespace tabula::detail

#pragma once

// The JSON encoding of record values (docs/automap.md): NULL as null, integers as numbers up to
// 2^53 in magnitude and as strings beyond (JSON readers commonly parse numbers as doubles),
// doubles as numbers, decimals as strings (exact), text as strings, bytes as base64 strings,
// dates as "YYYY-MM-DD", date-times as "YYYY-MM-DD hh:mm:ss[.ffffff]", times as "[-]hh:mm:ss".

#include <tabula/value.hpp>

#include <optional>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tabula::detail {

// The JSON object of `fields` (column name, value), in that order. Throws Error, never another
// exception: text that is not strict UTF-8 (which a database may hold) is refused naming
// `table`.column.
std::string values_to_json(std::string_view table,
                           const std::vector<std::pair<std::string, const Value*>>& fields);

// A JSON object's members as (key, Value) in document order: integers become int64/uint64,
// strings stay strings, booleans become 0/1, and a number with a fraction or exponent becomes
// its shortest text (for decimal columns) with its double beside it. Throws Error, never another
// exception, for text that is not JSON, non-objects, and nested arrays or objects.
struct JsonField {
  std::string key;
  Value value;
  bool number_text = false;  // a JSON number with a fraction or exponent: `value` holds its text
  double number = 0;         // ... and this its value as the JSON reader parsed it
};
std::vector<JsonField> json_object_fields(std::string_view json);

// When `text` is the decimal form JSON uses for an integer beyond 2^53 in magnitude (digits, an
// optional '-', no leading zero), that integer (int64, or uint64 above INT64_MAX); else nullopt.
// from_json reads such text back as the integer into a column without a type (SQLite), and
// admit() does so for columns of types it does not check (GEOMETRY, SQLite's BOOLEAN, ...).
std::optional<Value> big_integer_text(std::string_view text);

std::string base64_encode(const Bytes& bytes);
// Throws ValueError for text that is not base64.
Bytes base64_decode(std::string_view text);

}  // namespace tabula::detail

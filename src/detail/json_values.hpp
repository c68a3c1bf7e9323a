#pragma once

// The JSON encoding of record values (docs/automap.md): NULL as null, integers as numbers up to
// 2^53 in magnitude and as strings beyond (JSON readers commonly parse numbers as doubles),
// doubles as numbers, decimals as strings (exact), text as strings, bytes as base64 strings,
// dates as "YYYY-MM-DD", date-times as "YYYY-MM-DD hh:mm:ss[.ffffff]", times as "[-]hh:mm:ss".

#include <tabula/value.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tabula::detail {

std::string values_to_json(const std::vector<std::pair<std::string, const Value*>>& fields);

// A JSON object's members as (key, Value) in document order: numbers become int64/uint64 (or
// double, kept as their shortest text in a Decimal when `exact_text` of that key is asked for by
// the caller), strings stay strings, booleans become 0/1. Throws Error for non-objects, nested
// arrays or objects.
struct JsonField {
  std::string key;
  Value value;
  bool number_text = false;  // a JSON number with a fraction or exponent: `value` holds its text
};
std::vector<JsonField> json_object_fields(std::string_view json);

std::string base64_encode(const Bytes& bytes);
// Throws ValueError for text that is not base64.
Bytes base64_decode(std::string_view text);

}  // namespace tabula::detail

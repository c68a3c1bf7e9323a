#include "dialect/sqlite/sqlite_column_types.hpp"

#include <string_view>

namespace tabula::dialect::sqlite {

using detail::ColumnType;
using detail::Family;

// SQLite's affinity rules (https://sqlite.org/datatype3.html, section 3.1), in their order, on
// the declared type in lower case; then the date and decimal names tabula gives meaning to.
// Integers are 64-bit whatever the declared width.
ColumnType column_type(const Column& c) noexcept {
  std::string_view t = c.data_type;
  auto has = [&](std::string_view part) { return t.find(part) != std::string_view::npos; };
  if (has("int")) return {Family::integer, 64};
  if (has("char") || has("clob") || has("text")) return {Family::text};
  if (t.empty()) return {Family::any};  // BLOB affinity: stored as given, text stays text
  if (has("blob")) return {Family::binary};
  if (has("real") || has("floa") || has("doub")) return {Family::real};
  if (t == "date") return {Family::date};
  if (t == "datetime" || t == "timestamp") return {Family::datetime};
  if (has("numeric") || has("decimal")) return {Family::decimal};
  return {Family::other};
}

// SQLite stores a value as given unless the column's affinity converts it: tabula binds integers
// to INTEGER columns, text to TEXT ones, doubles to REAL ones, dates and times as ISO text; a
// NUMERIC column turns "1.50" into 1.5, so decimals are read back, as is anything unusual
// (NULL too).
detail::StoreRule store_rule(const Column&, Family family) noexcept {
  using Check = detail::StoreRule::Check;
  auto of_kind = [](Value::Kind kind) {
    return detail::StoreRule{.check = Check::of_kind, .kind = kind};
  };
  switch (family) {
    case Family::integer:
      return of_kind(Value::Kind::int64);
    case Family::any:
      return {Check::every};
    case Family::text:
      return of_kind(Value::Kind::text);
    case Family::binary:
      return of_kind(Value::Kind::bytes);
    case Family::real:  // -0.0 is stored as the integer 0 and comes back as +0
      return {Check::real};
    case Family::date:
      return of_kind(Value::Kind::date);
    case Family::datetime:
      return of_kind(Value::Kind::datetime);
    default:
      return {.check = Check::none, .null_as_sent = false};
  }
}

}  // namespace tabula::dialect::sqlite

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

}  // namespace tabula::dialect::sqlite

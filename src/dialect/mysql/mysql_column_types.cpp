#include "dialect/mysql/mysql_column_types.hpp"

#include <string_view>

namespace tabula::dialect::mysql {

using detail::ColumnType;
using detail::Family;

// INFORMATION_SCHEMA's DATA_TYPE names, lower case.
ColumnType column_type(const Column& c) noexcept {
  std::string_view t = c.data_type;
  auto has = [&](std::string_view part) { return t.find(part) != std::string_view::npos; };
  if (t == "tinyint") return {Family::integer, 8};
  if (t == "smallint") return {Family::integer, 16};
  if (t == "mediumint") return {Family::integer, 24};
  if (t == "int" || t == "integer") return {Family::integer, 32};
  if (t == "bigint") return {Family::integer, 64};
  if (t == "bit") return {Family::bit};
  if (t == "year") return {Family::year};
  if (t == "decimal" || t == "numeric") return {Family::decimal};
  if (t == "float") return {Family::real, 64, true};
  if (t == "double" || t == "real") return {Family::real};
  if (t == "char" || t == "varchar" || has("text") || t == "json") return {Family::text};
  if (t == "binary" || t == "varbinary" || has("blob")) return {Family::binary};
  if (t == "enum") return {Family::enumeration};
  if (t == "set") return {Family::set};
  if (t == "date") return {Family::date};
  if (t == "datetime" || t == "timestamp") return {Family::datetime};
  if (t == "time") return {Family::time};
  return {Family::other};
}

// FLOAT rounds, CHAR drops trailing spaces, BINARY pads, a DECIMAL is stored in the column's
// scale, fractional seconds beyond the column's are rounded, TIMESTAMP converts time zones; ENUM,
// SET, BIT and YEAR come back in the server's spelling. NULL stays NULL everywhere.
detail::StoreRule store_rule(const Column& c, Family family) noexcept {
  using Check = detail::StoreRule::Check;
  const std::string& t = c.data_type;
  switch (family) {
    case Family::integer:
      return {Check::every};
    case Family::text:
      return {t != "char" ? Check::every : Check::none};
    case Family::binary:
      return {t != "binary" ? Check::every : Check::none};
    case Family::decimal:
      return {.check = Check::decimal, .digits = c.scale.value_or(0)};
    case Family::real:
      // A DOUBLE without (M,D) keeps every double as sent (the binary protocol sends its bytes,
      // the text one 17 digits); FLOAT rounds, DOUBLE(M,D) rounds to D digits, DOUBLE UNSIGNED
      // may turn a negative into 0 (outside strict mode), and -0 may come back as 0.
      return {t == "double" && !c.scale && !c.is_unsigned ? Check::real : Check::none};
    case Family::date:
      return {.check = Check::of_kind, .kind = Value::Kind::date};
    case Family::datetime:
      if (t != "datetime") return {Check::none};
      return {.check = Check::datetime, .digits = c.datetime_precision.value_or(0)};
    case Family::time:
      return {.check = Check::time, .digits = c.datetime_precision.value_or(0)};
    default:
      return {Check::none};
  }
}

}  // namespace tabula::dialect::mysql

#include "dialect/read_back.hpp"

#include "record_access.hpp"

#include <algorithm>

namespace tabula::detail {
namespace {

bool is_key(const Table& table, const Column& c) {
  return std::find(table.primary_key.begin(), table.primary_key.end(), c.name) !=
         table.primary_key.end();
}

// Fraction digits a number of microseconds needs (0 for whole seconds).
int fraction_digits(std::int64_t microseconds) {
  std::int64_t us = microseconds % 1'000'000;
  if (us < 0) us = -us;
  if (us == 0) return 0;
  int digits = 6;
  while (us % 10 == 0) {
    us /= 10;
    --digits;
  }
  return digits;
}

// "12.50" for DECIMAL(_,2): no sign but '-', no leading zeros, exactly `scale` fraction digits,
// not a negative zero. What MySQL prints for the value, so it needs no reading back.
bool canonical_decimal(const Decimal& d, int scale) {
  const std::string& s = d.str();
  std::size_t i = s[0] == '-' ? 1 : 0;
  if (s[0] == '+') return false;
  std::size_t point = s.find('.');
  std::string_view whole(s.data() + i, (point == std::string::npos ? s.size() : point) - i);
  if (whole.empty() || (whole.size() > 1 && whole[0] == '0')) return false;
  if (d.fraction_digits() != scale) return false;
  if (d.negative() && s.find_first_of("123456789") == std::string::npos) return false;
  return true;
}

// True when the column stores exactly the value sent, so that reading it back would change
// nothing.
bool stored_as_sent(const Column& c, Family family, const Value& v) {
  if (v.is_null()) return true;
  const std::string& t = c.data_type;
  switch (family) {
    case Family::integer:
    case Family::any:  // SQLite stores exactly what it is given in a column without a type
      return true;
    case Family::text:
      return t != "char";  // CHAR drops trailing spaces
    case Family::binary:
      return t != "binary";  // BINARY pads with zero bytes
    case Family::decimal:
      return v.kind() == Value::Kind::decimal &&
             canonical_decimal(v.get<Decimal>(), c.scale.value_or(0));
    case Family::date:
      return v.kind() == Value::Kind::date;
    case Family::datetime:
      return t == "datetime" && v.kind() == Value::Kind::datetime &&
             fraction_digits(v.get<DateTime>().time_of_day.count()) <=
                 c.datetime_precision.value_or(0);
    case Family::time:
      return v.kind() == Value::Kind::time &&
             fraction_digits(v.get<Time>().value.count()) <= c.datetime_precision.value_or(0);
    default:  // FLOAT rounding, ENUM/SET spelling, BIT, YEAR, ...: read back
      return false;
  }
}

}  // namespace

std::vector<std::size_t> columns_to_read_back(const Table& table,
                                              const std::vector<Family>& families,
                                              const std::vector<const Record*>& rows,
                                              bool before_insert_trigger) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    const Column& c = table.columns[i];
    bool needed = before_insert_trigger || is_key(table, c) || c.auto_increment ||
                  c.generated != Generated::none;
    for (std::size_t r = 0; r < rows.size() && !needed; ++r) {
      const Record& record = *rows[r];
      needed = !RecordAccess::is_set(record, i) ||
               !stored_as_sent(c, families[i], RecordAccess::value(record, i));
    }
    if (needed) out.push_back(i);
  }
  return out;
}

void load_row(Record& record, const std::vector<Family>& families, const ResultSet& result,
              std::size_t row) {
  for (std::size_t i = 0; i < families.size(); ++i) {
    RecordAccess::load(record, i, from_database_text(families[i], result.at(row, i)));
  }
}

}  // namespace tabula::detail

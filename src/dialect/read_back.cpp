#include "dialect/read_back.hpp"

#include "record_access.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tabula::detail {
namespace {

// NULL and 0 in an auto-increment column ask the server for the next number (unless the
// server runs with NO_AUTO_VALUE_ON_ZERO, where 0 is stored; read back, it is right either way).
bool numbered_by_server(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::null:
      return true;
    case Value::Kind::int64:
      return *v.get_if<std::int64_t>() == 0;
    case Value::Kind::uint64:
      return *v.get_if<std::uint64_t>() == 0;
    default:
      return true;  // not a plain integer: the server's conversion decides
  }
}

}  // namespace

bool negative_zero(const Value& v) noexcept {
  return v.kind() == Value::Kind::real && *v.get_if<double>() == 0 &&
         std::signbit(*v.get_if<double>());
}

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

bool canonical_decimal(const Decimal& d, int scale) {
  // One walk: every decimal of a page passes here.
  const std::string& s = d.str();
  if (s[0] == '+') return false;
  std::size_t i = s[0] == '-' ? 1 : 0;
  const std::size_t whole_start = i;
  bool nonzero = false;
  while (i < s.size() && s[i] != '.') nonzero |= s[i++] != '0';
  const std::size_t whole = i - whole_start;
  if (whole == 0 || (whole > 1 && s[whole_start] == '0')) return false;
  const bool point = i < s.size();  // "5." is printed "5"
  int fraction = 0;
  if (point) {
    for (++i; i < s.size(); ++i, ++fraction) nonzero |= s[i] != '0';
  }
  return point == (scale > 0) && fraction == scale && (nonzero || !d.negative());
}

bool stores_as_sent(const StoreRule& rule, const Value& v) noexcept {
  if (v.is_null()) return rule.null_as_sent;
  switch (rule.check) {
    case StoreRule::Check::none:
      return false;
    case StoreRule::Check::every:
      return true;
    case StoreRule::Check::of_kind:
      return v.kind() == rule.kind;
    case StoreRule::Check::real:
      return v.kind() == Value::Kind::real && !negative_zero(v);
    case StoreRule::Check::decimal:
      return v.kind() == Value::Kind::decimal &&
             canonical_decimal(*v.get_if<Decimal>(), rule.digits);
    case StoreRule::Check::datetime:
      return v.kind() == Value::Kind::datetime &&
             fraction_digits(v.get_if<DateTime>()->time_of_day.count()) <= rule.digits;
    case StoreRule::Check::time:
      return v.kind() == Value::Kind::time &&
             fraction_digits(v.get_if<Time>()->value.count()) <= rule.digits;
  }
  return false;
}

std::vector<std::size_t> columns_to_read_back(const SqlDialect& dialect, const Table& table,
                                              const std::vector<Family>& families,
                                              std::span<Record* const> rows,
                                              bool before_insert_trigger) {
  std::vector<std::size_t> out;
  struct Open {  // a column no row has needed back yet
    std::size_t index;
    StoreRule rule;
    bool auto_increment;
  };
  std::vector<Open> open;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    const Column& c = table.columns[i];
    if (before_insert_trigger || c.generated != Generated::none) {
      out.push_back(i);
    } else {
      open.push_back({i, dialect.store_rule(c, families[i]), c.auto_increment});
    }
  }
  // Row after row (each record's values read while they are in cache), each row asked only
  // about the columns still open.
  for (std::size_t r = 0; r < rows.size() && !open.empty(); ++r) {
    const Record& record = *rows[r];
    for (std::size_t k = 0; k < open.size();) {
      const Open& o = open[k];
      bool needed = !RecordAccess::is_set(record, o.index);
      if (!needed) {
        const Value& v = RecordAccess::value(record, o.index);
        needed = (o.auto_increment && numbered_by_server(v)) || !stores_as_sent(o.rule, v);
      }
      if (needed) {
        out.push_back(o.index);
        open.erase(open.begin() + static_cast<std::ptrdiff_t>(k));
      } else {
        ++k;
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Value cell_value(Family family, const ResultSet& result, std::size_t row, std::size_t column) {
  const std::optional<std::string_view>& cell = result.at(row, column);
  if (family == Family::integer && cell && !result.integers.empty()) {
    // The number the runner read, as from_database_text would make it of the text.
    std::uint64_t n = result.integers[row * result.columns + column];
    constexpr auto kBiggest = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (result.unsigned_columns[column] && n > kBiggest) return n;
    return static_cast<std::int64_t>(n);
  }
  if (family == Family::any && cell) {
    switch (result.kind_at(row, column)) {
      case CellKind::integer:
        return from_database_text(Family::integer, cell);
      case CellKind::real:
        return from_database_text(Family::real, cell);
      case CellKind::blob:
        return from_database_text(Family::binary, cell);
      default:
        break;  // text: as text when it is valid UTF-8
    }
  }
  return from_database_text(family, cell);
}

void load_row(Record& record, const std::vector<Family>& families, const ResultSet& result,
              std::size_t row) {
  for (std::size_t i = 0; i < families.size(); ++i) {
    RecordAccess::load(record, i, cell_value(families[i], result, row, i));
  }
}

}  // namespace tabula::detail

#include "dialect/read_back.hpp"

#include "record_access.hpp"

#include <algorithm>
#include <cmath>

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

std::vector<std::size_t> columns_to_read_back(const SqlDialect& dialect, const Table& table,
                                              const std::vector<Family>& families,
                                              std::span<Record* const> rows,
                                              bool before_insert_trigger) {
  std::vector<std::size_t> out;
  std::vector<std::size_t> open;  // columns no row has needed back yet
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    bool always = before_insert_trigger || table.columns[i].generated != Generated::none;
    (always ? out : open).push_back(i);
  }
  // Row after row (each record's values read while they are in cache), each row asked only
  // about the columns still open.
  for (std::size_t r = 0; r < rows.size() && !open.empty(); ++r) {
    const Record& record = *rows[r];
    for (std::size_t k = 0; k < open.size();) {
      std::size_t i = open[k];
      const Column& c = table.columns[i];
      bool needed = !RecordAccess::is_set(record, i);
      if (!needed) {
        const Value& v = RecordAccess::value(record, i);
        needed = (c.auto_increment && numbered_by_server(v)) ||
                 !dialect.stores_as_sent(c, families[i], v);
      }
      if (needed) {
        out.push_back(i);
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

#include "detail/column_rules.hpp"

#include <tabula/error.hpp>

#include "detail/json_values.hpp"
#include "detail/utf8.hpp"
#include "dialect/sql_dialect.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace tabula::detail {
namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

Family family_of(const Column& c, Dialect dialect) {
  return sql_dialect(dialect).column_type(c).family;
}

bool required_on_insert(const Column& c) noexcept {
  return !c.nullable && !c.auto_increment && c.generated == Generated::none &&
         c.default_kind == DefaultKind::none;
}

namespace {

[[noreturn]] void refuse(const Table& table, const Column& column, const std::string& why) {
  throw ValidationError(table.name + "." + column.name + ": " + why, table.name, column.name);
}

void check_integer(const Table& table, const Column& c, const Value& v, int bits) {
  bool is_uint = v.kind() == Value::Kind::uint64;
  if (v.kind() != Value::Kind::int64 && !is_uint) {
    refuse(table, c,
           "expected an integer, got " + std::string(to_string(v.kind())) + " " + v.to_string());
  }
  if (c.is_unsigned) {
    std::uint64_t max =
        bits == 64 ? std::numeric_limits<std::uint64_t>::max() : (std::uint64_t{1} << bits) - 1;
    bool negative = !is_uint && v.get<std::int64_t>() < 0;
    if (negative ||
        (is_uint ? v.get<std::uint64_t>() : std::uint64_t(v.get<std::int64_t>())) > max) {
      refuse(table, c,
             "value " + v.to_string() + " is out of range for " + c.column_type + " (0.." +
                 std::to_string(max) + ")");
    }
    return;
  }
  std::int64_t max =
      bits == 64 ? std::numeric_limits<std::int64_t>::max() : (std::int64_t{1} << (bits - 1)) - 1;
  std::int64_t min = -max - 1;
  bool too_big = is_uint && v.get<std::uint64_t>() > std::uint64_t(max);
  if (too_big || (!is_uint && (v.get<std::int64_t>() < min || v.get<std::int64_t>() > max))) {
    refuse(table, c,
           "value " + v.to_string() + " is out of range for " + c.column_type + " (" +
               std::to_string(min) + ".." + std::to_string(max) + ")");
  }
}

// The number of characters of `s`; refuses text that is not strict UTF-8.
std::size_t checked_utf8_length(const Table& table, const Column& c, const std::string& s) {
  std::optional<std::size_t> length = utf8_length(s);
  if (!length) {
    refuse(table, c,
           "the text is not valid UTF-8 (" + describe_invalid_utf8(s, *invalid_utf8_at(s)) + ")");
  }
  return *length;
}

// Exactly `digits` decimal digits at `at`: no sign, no space.
int parse_int(std::string_view text, std::size_t& at, std::size_t digits) {
  if (digits == 0 || digits > 9 || at + digits > text.size()) throw ValueError("");
  int value = 0;
  for (std::size_t end = at + digits; at < end; ++at) {
    if (text[at] < '0' || text[at] > '9') throw ValueError("");
    value = value * 10 + (text[at] - '0');
  }
  return value;
}

void expect_char(std::string_view text, std::size_t& at, char c) {
  if (at >= text.size() || text[at] != c) throw ValueError("");
  ++at;
}

// MySQL's TIME range, -838:59:59 .. 838:59:59 (value.hpp).
constexpr std::chrono::microseconds kTimeMax =
    std::chrono::hours{838} + std::chrono::minutes{59} + std::chrono::seconds{59};

// Microseconds from ".ffffff" at `at` (if present).
std::int64_t parse_fraction(std::string_view text, std::size_t& at) {
  if (at >= text.size() || text[at] != '.') return 0;
  ++at;
  std::int64_t micros = 0;
  int digits = 0;
  while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
    if (digits < 6) micros = micros * 10 + (text[at] - '0'), ++digits;
    ++at;
  }
  if (digits == 0) throw ValueError("");
  while (digits++ < 6) micros *= 10;
  return micros;
}

Date parse_date(std::string_view text, std::size_t& at) {
  int y = parse_int(text, at, 4);
  expect_char(text, at, '-');
  int m = parse_int(text, at, 2);
  expect_char(text, at, '-');
  int d = parse_int(text, at, 2);
  Date date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
            std::chrono::day{static_cast<unsigned>(d)}};
  bool zero = y == 0 && m == 0 && d == 0;  // MySQL's zero date
  if (!zero && !date.ok()) throw ValueError("");
  return date;
}

std::chrono::microseconds parse_clock(std::string_view text, std::size_t& at, bool allow_long) {
  bool negative = allow_long && at < text.size() && text[at] == '-';
  if (negative) ++at;
  std::size_t colon = text.find(':', at);
  if (colon == std::string_view::npos) throw ValueError("");
  std::size_t hour_digits = colon - at;
  if (hour_digits < 1 || hour_digits > (allow_long ? 3u : 2u)) throw ValueError("");
  int h = parse_int(text, at, hour_digits);
  expect_char(text, at, ':');
  int m = parse_int(text, at, 2);
  expect_char(text, at, ':');
  int s = parse_int(text, at, 2);
  if (m > 59 || s > 59 || (!allow_long && h > 23)) throw ValueError("");
  auto micros = std::chrono::hours{h} + std::chrono::minutes{m} + std::chrono::seconds{s} +
                std::chrono::microseconds{parse_fraction(text, at)};
  return negative ? -micros : micros;
}

// Text into the value a date/time/decimal column stores; throws ValueError on bad syntax.
Value parse_text(Family family, std::string_view text) {
  std::size_t at = 0;
  switch (family) {
    case Family::date: {
      Date d = parse_date(text, at);
      if (at != text.size()) throw ValueError("");
      return d;
    }
    case Family::datetime: {
      DateTime dt;
      dt.date = parse_date(text, at);
      if (at < text.size()) {
        if (text[at] != ' ' && text[at] != 'T') throw ValueError("");
        ++at;
        dt.time_of_day = parse_clock(text, at, false);
      }
      if (at != text.size()) throw ValueError("");
      return dt;
    }
    case Family::time: {
      Time t{parse_clock(text, at, true)};
      if (at != text.size()) throw ValueError("");
      return t;
    }
    case Family::decimal:
      return Decimal(text);
    default:
      return std::string(text);
  }
}

// A real calendar day of years 0000..9999, or MySQL's zero date.
void check_day(const Table& table, const Column& c, const Date& d) {
  int y = static_cast<int>(d.year());
  bool zero = y == 0 && unsigned(d.month()) == 0 && unsigned(d.day()) == 0;
  if (!zero && (!d.ok() || y < 0 || y > 9999)) {
    refuse(table, c, "the date " + Value(d).to_string() + " is not a day of the years 0000..9999");
  }
}

std::string members_list(const Column& c) {
  std::string out;
  for (const std::string& m : c.members) out += (out.empty() ? "'" : ", '") + m + "'";
  return out;
}

}  // namespace

Value admit(const Table& table, const Column& c, Value v, Dialect dialect) {
  return admit(table, c, column_type_of(c, dialect), std::move(v));
}

ColumnType column_type_of(const Column& c, Dialect dialect) {
  return sql_dialect(dialect).column_type(c);
}

void admit_in_place(const Table& table, const Column& c, const ColumnType& type, Value& v) {
  const Family family = type.family;
  if (c.generated != Generated::none) {
    refuse(table, c,
           "is a generated column (" + std::string(to_string(c.generated)) +
               "); the database computes it and it cannot be written");
  }
  if (v.is_null()) {
    if (!c.nullable && !c.auto_increment) {
      refuse(table, c, "NULL into a NOT NULL column (" + c.column_type + ")");
    }
    return;
  }
  if (v.kind() == Value::Kind::text &&
      (family == Family::integer || family == Family::bit || family == Family::year)) {
    // Integers beyond 2^53 travel in JSON as strings (docs/automap.md); take them back exactly.
    const std::string& s = *v.get_if<std::string>();
    std::int64_t i = 0;
    std::uint64_t u = 0;
    const char* end = s.data() + s.size();
    if (auto r = std::from_chars(s.data(), end, i);
        r.ec == std::errc{} && r.ptr == end && !s.empty()) {
      v = i;
    } else if (auto r2 = std::from_chars(s.data(), end, u);
               r2.ec == std::errc{} && r2.ptr == end && !s.empty()) {
      v = u;
    }
  }
  if (v.kind() == Value::Kind::text && (family == Family::date || family == Family::datetime ||
                                        family == Family::time || family == Family::decimal)) {
    try {
      v = parse_text(family, *v.get_if<std::string>());
    } catch (const ValueError&) {
      const char* form = family == Family::date       ? "YYYY-MM-DD"
                         : family == Family::datetime ? "YYYY-MM-DD hh:mm:ss[.ffffff]"
                         : family == Family::time     ? "[-]hhh:mm:ss[.ffffff]"
                                                      : "a decimal number";
      refuse(table, c, v.to_string() + " is not " + std::string(form) + " (" + c.column_type + ")");
    }
  }
  switch (family) {
    case Family::integer:
      check_integer(table, c, v, type.integer_bits);
      break;
    case Family::bit: {
      int width = c.precision.value_or(1);
      if (width < 1 || width > 64) {
        // Only a hand-made Schema gets here: snapshots and reflection give 1..64.
        refuse(table, c, "the column's bit width " + std::to_string(width) + " is not 1..64");
      }
      if (v.kind() != Value::Kind::int64 && v.kind() != Value::Kind::uint64) {
        refuse(table, c, "expected an integer for " + c.column_type + ", got " + v.to_string());
      }
      bool negative = v.kind() == Value::Kind::int64 && v.get<std::int64_t>() < 0;
      std::uint64_t max = width >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
      if (negative || v.get<std::uint64_t>() > max) {
        refuse(table, c,
               "value " + v.to_string() + " does not fit " + c.column_type + " (0.." +
                   std::to_string(max) + ")");
      }
      break;
    }
    case Family::year: {
      if (v.kind() != Value::Kind::int64 && v.kind() != Value::Kind::uint64) {
        refuse(table, c, "expected a year, got " + v.to_string());
      }
      bool huge = v.kind() == Value::Kind::uint64 &&
                  v.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max());
      auto y = huge ? std::numeric_limits<std::int64_t>::max() : v.get<std::int64_t>();
      if (y != 0 && (y < 1901 || y > 2155)) {
        refuse(table, c, "year " + v.to_string() + " is out of range (1901..2155, or 0)");
      }
      break;
    }
    case Family::decimal: {
      if (v.kind() == Value::Kind::real) {
        refuse(table, c,
               "the double " + v.to_string() + " would not be exact in " + c.column_type +
                   "; pass a Decimal or a string");
      }
      if (v.kind() != Value::Kind::decimal) {
        try {
          v = v.get<Decimal>();
        } catch (const ValueError&) {
          refuse(table, c, "expected a decimal number, got " + v.to_string());
        }
      }
      const Decimal& d = *v.get_if<Decimal>();
      if (c.precision) {
        int scale = c.scale.value_or(0);
        if (d.integer_digits() > *c.precision - scale) {
          refuse(table, c, "value " + d.str() + " has too many digits for " + c.column_type);
        }
        if (d.fraction_digits() > scale) {
          refuse(table, c,
                 "value " + d.str() + " has more than " + std::to_string(scale) +
                     " decimal places and would be rounded in " + c.column_type);
        }
      }
      break;
    }
    case Family::real:
      if (v.kind() == Value::Kind::int64 || v.kind() == Value::Kind::uint64) {
        // Stored as a double, so it must be one exactly (|n| <= 2^53).
        try {
          v = v.get<double>();
        } catch (const ValueError&) {
          refuse(table, c,
                 "the integer " + v.to_string() + " would not be exact in " + c.column_type);
        }
      }
      if (v.kind() != Value::Kind::real) {
        refuse(table, c, "expected a number, got " + v.to_string());
      }
      if (!std::isfinite(v.get<double>())) {
        refuse(table, c, "the double " + v.to_string() + " is not a finite number");
      }
      break;
    case Family::text:
    case Family::enumeration:
    case Family::set: {
      if (v.kind() != Value::Kind::text) {
        refuse(table, c,
               "expected text, got " + std::string(to_string(v.kind())) + " " + v.to_string());
      }
      const std::string& s = *v.get_if<std::string>();
      std::size_t characters = checked_utf8_length(table, c, s);
      if (family == Family::enumeration) {
        if (std::find(c.members.begin(), c.members.end(), s) == c.members.end()) {
          refuse(table, c,
                 v.to_string() + " is not a member of " + c.column_type +
                     " (members: " + members_list(c) + ")");
        }
      } else if (family == Family::set) {
        std::size_t start = 0;
        while (!s.empty() && start <= s.size()) {
          std::size_t comma = s.find(',', start);
          std::string item = s.substr(start, comma - start);
          if (std::find(c.members.begin(), c.members.end(), item) == c.members.end()) {
            refuse(table, c,
                   "'" + item + "' is not a member of " + c.column_type +
                       " (members: " + members_list(c) + ")");
          }
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
      } else if (c.max_length) {
        // CHAR/VARCHAR count characters; the TEXT types are limited in bytes.
        bool bytes = contains(c.data_type, "text") || c.data_type == "json";
        std::size_t length = bytes ? s.size() : characters;
        if (static_cast<std::int64_t>(length) > *c.max_length) {
          refuse(table, c,
                 "text of " + std::to_string(length) + (bytes ? " bytes" : " characters") +
                     " is longer than " + c.column_type + " allows (" +
                     std::to_string(*c.max_length) + ")");
        }
      }
      break;
    }
    case Family::binary:
      if (v.kind() == Value::Kind::text) {
        const std::string& s = *v.get_if<std::string>();
        Bytes bytes(s.size());
        std::transform(s.begin(), s.end(), bytes.begin(), [](char ch) { return std::byte(ch); });
        v = std::move(bytes);
      }
      if (v.kind() != Value::Kind::bytes) {
        refuse(table, c, "expected bytes, got " + v.to_string());
      }
      if (c.max_length && static_cast<std::int64_t>(v.get<Bytes>().size()) > *c.max_length) {
        refuse(table, c,
               std::to_string(v.get<Bytes>().size()) + " bytes are more than " + c.column_type +
                   " holds (" + std::to_string(*c.max_length) + ")");
      }
      break;
    case Family::date:
      if (v.kind() != Value::Kind::date) refuse(table, c, "expected a date, got " + v.to_string());
      check_day(table, c, v.get<Date>());
      break;
    case Family::datetime: {
      if (v.kind() == Value::Kind::date) v = DateTime{v.get<Date>(), {}};
      if (v.kind() != Value::Kind::datetime) {
        refuse(table, c, "expected a date and time, got " + v.to_string());
      }
      const DateTime& dt = *v.get_if<DateTime>();
      check_day(table, c, dt.date);
      if (dt.time_of_day < std::chrono::microseconds::zero() ||
          dt.time_of_day >= std::chrono::hours{24}) {
        refuse(table, c,
               "the time of day of " + v.to_string() + " is not in 00:00:00 .. 23:59:59.999999");
      }
      break;
    }
    case Family::time: {
      if (v.kind() != Value::Kind::time) refuse(table, c, "expected a time, got " + v.to_string());
      auto t = v.get<Time>().value;
      if (t > kTimeMax || t < -kTimeMax) {
        refuse(table, c,
               "the time " + v.to_string() + " is out of range for " + c.column_type +
                   " (-838:59:59 .. 838:59:59)");
      }
      break;
    }
    case Family::any:
      // SQLite keeps what it is given in a column without a type; tabula keeps the kinds JSON
      // can carry back (docs/automap.md): text, integers, doubles, bytes. Decimals, dates and
      // times become their text, which is what SQLite would store.
      if (v.kind() == Value::Kind::decimal) v = v.get<Decimal>().str();
      if (v.kind() == Value::Kind::date || v.kind() == Value::Kind::datetime ||
          v.kind() == Value::Kind::time) {
        v = v.to_string();
      }
      if (v.kind() == Value::Kind::real && !std::isfinite(v.get<double>())) {
        refuse(table, c, "the double " + v.to_string() + " is not a finite number");
      }
      if (v.kind() == Value::Kind::text) checked_utf8_length(table, c, *v.get_if<std::string>());
      break;
    case Family::other:
      if (v.kind() == Value::Kind::text) {
        checked_utf8_length(table, c, *v.get_if<std::string>());
        // As JSON carries it (json_values.hpp); SQLite's NUMERIC affinity stores it so too.
        if (std::optional<Value> integer = big_integer_text(*v.get_if<std::string>())) {
          v = std::move(*integer);
        }
      }
      break;
  }
}

Value admit(const Table& table, const Column& c, const ColumnType& type, Value v) {
  admit_in_place(table, c, type, v);
  return v;
}

Value from_database_text(const Column& c, const std::optional<std::string>& text, Dialect dialect) {
  return from_database_text(family_of(c, dialect),
                            text ? std::optional<std::string_view>(*text) : std::nullopt);
}

Value from_database_text(Family family, std::optional<std::string_view> text) {
  if (!text) return Value();
  std::string_view s = *text;
  switch (family) {
    case Family::integer:
    case Family::bit:
    case Family::year: {
      std::int64_t i = 0;
      if (auto r = std::from_chars(s.data(), s.data() + s.size(), i);
          r.ec == std::errc{} && r.ptr == s.data() + s.size()) {
        return i;
      }
      std::uint64_t u = 0;
      if (auto r = std::from_chars(s.data(), s.data() + s.size(), u);
          r.ec == std::errc{} && r.ptr == s.data() + s.size()) {
        return u;
      }
      return s;  // SQLite lets any column hold text
    }
    case Family::real: {
      double d = 0;
      if (auto r = std::from_chars(s.data(), s.data() + s.size(), d);
          r.ec == std::errc{} && r.ptr == s.data() + s.size()) {
        return d;
      }
      return s;
    }
    case Family::decimal:
      try {
        return Decimal(s);
      } catch (const ValueError&) {
        return s;
      }
    case Family::any:
      // The text cells do not say which storage class a value had: valid UTF-8 reads as text,
      // anything else as bytes. (An integer or a double reads as its text.)
      if (!invalid_utf8_at(s)) return s;
      [[fallthrough]];
    case Family::binary: {
      Bytes bytes(s.size());
      std::transform(s.begin(), s.end(), bytes.begin(), [](char ch) { return std::byte(ch); });
      return bytes;
    }
    case Family::date:
    case Family::datetime:
    case Family::time:
      try {
        return parse_text(family, s);
      } catch (const ValueError&) {
        return s;
      }
    default:
      return s;
  }
}

std::string closest_names(std::string_view wanted, const std::vector<std::string>& candidates) {
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        std::size_t up = row[j];
        char x = static_cast<char>(std::tolower(static_cast<unsigned char>(a[i - 1])));
        char y = static_cast<char>(std::tolower(static_cast<unsigned char>(b[j - 1])));
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (x == y ? 0 : 1)});
        diagonal = up;
      }
    }
    return row[b.size()];
  };
  std::vector<std::pair<std::size_t, std::string>> ranked;
  for (const std::string& c : candidates) ranked.emplace_back(distance(wanted, c), c);
  std::sort(ranked.begin(), ranked.end());
  std::string out;
  for (std::size_t i = 0; i < ranked.size() && i < 3; ++i) {
    out += (i == 0 ? "'" : ", '") + ranked[i].second + "'";
  }
  return out;
}

std::vector<Family> families_of(const Table& table, Dialect dialect) {
  std::vector<Family> out;
  out.reserve(table.columns.size());
  for (const Column& c : table.columns) out.push_back(family_of(c, dialect));
  return out;
}

}  // namespace tabula::detail

#include <tabula/value.hpp>

#include "detail/iso_text.hpp"

#include <cstdio>

namespace tabula {

Decimal::Decimal(std::string_view text) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  std::size_t digits = 0;
  std::size_t start = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++digits;
  }
  if (digits == 0 || i != text.size()) {
    throw ValueError("'" + std::string(text.substr(0, 64)) + "' is not a decimal number");
  }
  // Built in place: a record's every decimal value passes here.
  bool bare_point = text[start] == '.';  // ".5" is written "0.5"
  text_.reserve(negative + bare_point + (text.size() - start));
  if (negative) text_ += '-';
  if (bare_point) text_ += '0';
  text_.append(text.substr(start));
}

// Both walk the text rather than search it: a decimal's text is a few characters, and make()
// asks both of every decimal it checks.
int Decimal::integer_digits() const noexcept {
  std::size_t i = negative() ? 1 : 0;
  while (i + 1 < text_.size() && text_[i] == '0' && text_[i + 1] != '.') ++i;
  std::size_t end = i;
  while (end < text_.size() && text_[end] != '.') ++end;
  if (end - i == 1 && text_[i] == '0') return 0;
  return static_cast<int>(end - i);
}

int Decimal::fraction_digits() const noexcept {
  for (std::size_t n = 0; n < text_.size(); ++n) {
    if (text_[text_.size() - 1 - n] == '.') return static_cast<int>(n);
  }
  return 0;
}

std::string_view to_string(Value::Kind kind) noexcept {
  switch (kind) {
    case Value::Kind::null:
      return "NULL";
    case Value::Kind::int64:
      return "int64";
    case Value::Kind::uint64:
      return "uint64";
    case Value::Kind::real:
      return "double";
    case Value::Kind::decimal:
      return "Decimal";
    case Value::Kind::text:
      return "string";
    case Value::Kind::bytes:
      return "bytes";
    case Value::Kind::date:
      return "Date";
    case Value::Kind::datetime:
      return "DateTime";
    case Value::Kind::time:
      return "Time";
  }
  return "unknown";
}

std::string Value::to_string() const {
  constexpr std::size_t kShown = 60;
  switch (kind()) {
    case Kind::null:
      return "NULL";
    case Kind::int64:
      return std::to_string(std::get<std::int64_t>(data_));
    case Kind::uint64:
      return std::to_string(std::get<std::uint64_t>(data_));
    case Kind::real: {
      char text[32];
      std::snprintf(text, sizeof text, "%.17g", std::get<double>(data_));
      return text;
    }
    case Kind::decimal:
      return std::get<Decimal>(data_).str();
    case Kind::text: {
      const std::string& s = std::get<std::string>(data_);
      if (s.size() <= kShown) return "'" + s + "'";
      return "'" + s.substr(0, kShown) + "...' (" + std::to_string(s.size()) + " bytes)";
    }
    case Kind::bytes: {
      const Bytes& b = std::get<Bytes>(data_);
      static constexpr char hex[] = "0123456789abcdef";
      std::string out = "x'";
      for (std::size_t i = 0; i < b.size() && i < kShown / 2; ++i) {
        auto byte = static_cast<unsigned>(b[i]);
        out += hex[byte >> 4];
        out += hex[byte & 0xF];
      }
      out += "'";
      if (b.size() > kShown / 2) out += "... (" + std::to_string(b.size()) + " bytes)";
      return out;
    }
    case Kind::date:
    case Kind::datetime:
    case Kind::time: {
      std::string out;
      detail::append_iso_text(out, *this);
      return out;
    }
  }
  return "?";
}

void Value::mismatch(std::string_view wanted) const {
  if (is_null()) {
    throw ValueError("cannot read NULL as " + std::string(wanted) +
                     " (read a nullable value as std::optional<T>)");
  }
  throw ValueError("cannot read " + std::string(tabula::to_string(kind())) + " value " +
                   to_string() + " as " + std::string(wanted));
}

std::int64_t Value::as_int64() const {
  if (auto* i = std::get_if<std::int64_t>(&data_)) return *i;
  if (auto* u = std::get_if<std::uint64_t>(&data_);
      u && *u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return static_cast<std::int64_t>(*u);
  }
  mismatch("a signed integer");
}

std::uint64_t Value::as_uint64() const {
  if (auto* u = std::get_if<std::uint64_t>(&data_)) return *u;
  if (auto* i = std::get_if<std::int64_t>(&data_); i && *i >= 0) {
    return static_cast<std::uint64_t>(*i);
  }
  mismatch("an unsigned integer");
}

}  // namespace tabula

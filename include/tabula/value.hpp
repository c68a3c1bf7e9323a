#pragma once

// Value: one field of a row, of any SQL type, held exactly.
//
//   tabula::Value qty = std::int64_t{3};
//   tabula::Value price = tabula::Decimal("19.99");          // exact: never through double
//   tabula::Value note;                                       // NULL
//   std::int64_t n = qty.get<std::int64_t>();
//   std::optional<std::string> s = note.get<std::optional<std::string>>();   // nullopt
//
// get<T>() converts only where nothing can be lost (an int64 3 reads as int, uint64 or Decimal; a
// uint64 too big for int64 does not) and otherwise throws ValueError naming both types and the
// value. A Value is a plain copyable value type.

#include <tabula/detail/optional_traits.hpp>
#include <tabula/error.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace tabula {

// A Value read as a type it cannot be, or text that is not a valid decimal, date or time.
class ValueError : public Error {
 public:
  using Error::Error;
};

// An exact decimal number kept as its text ("-12.50"), so DECIMAL(65,30) round-trips digit for
// digit. The constructor checks the syntax: optional sign, digits, optional fraction.
class Decimal {
 public:
  Decimal() : text_("0") {}
  // Throws ValueError for anything but [+-]digits[.digits] (at least one digit).
  explicit Decimal(std::string_view text);
  const std::string& str() const noexcept { return text_; }
  // Digits before and after the point, leading zeros and sign not counted ("-012.50" -> 2 and 2).
  int integer_digits() const noexcept;
  int fraction_digits() const noexcept;
  bool negative() const noexcept { return !text_.empty() && text_[0] == '-'; }
  friend bool operator==(const Decimal&, const Decimal&) = default;

 private:
  std::string text_;
};

using Bytes = std::vector<std::byte>;
using Date = std::chrono::year_month_day;  // 0000-00-00 (MySQL's zero date) is representable

struct DateTime {
  Date date;
  std::chrono::microseconds time_of_day{0};  // 0 .. 24 h, microsecond precision
  friend bool operator==(const DateTime&, const DateTime&) = default;
};

// A TIME value: a signed duration (MySQL's TIME spans -838:59:59 .. 838:59:59).
struct Time {
  std::chrono::microseconds value{0};
  friend bool operator==(const Time&, const Time&) = default;
};

class Value {
 public:
  enum class Kind { null, int64, uint64, real, decimal, text, bytes, date, datetime, time };

  Value() = default;  // NULL
  Value(std::nullptr_t) {}
  Value(std::nullopt_t) {}
  template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool> && std::is_signed_v<T>) Value(T v)
      : data_(static_cast<std::int64_t>(v)) {}
  template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool> && std::is_unsigned_v<T>) Value(T v)
      : data_(static_cast<std::uint64_t>(v)) {}
  Value(bool v) : data_(std::int64_t{v ? 1 : 0}) {}
  Value(double v) : data_(v) {}
  Value(float v) : data_(static_cast<double>(v)) {}
  Value(Decimal v) : data_(std::move(v)) {}
  Value(std::string v) : data_(std::move(v)) {}
  Value(std::string_view v) : data_(std::string(v)) {}
  Value(const char* v) : data_(std::string(v)) {}
  Value(Bytes v) : data_(std::move(v)) {}
  Value(Date v) : data_(v) {}
  Value(DateTime v) : data_(v) {}
  Value(Time v) : data_(v) {}
  template <class T>
  Value(const std::optional<T>& v) {
    if (v) *this = Value(*v);
  }

  Kind kind() const noexcept { return static_cast<Kind>(data_.index()); }
  bool is_null() const noexcept { return kind() == Kind::null; }

  // The value as T, converting only without loss (see the header comment); std::optional<T>
  // reads NULL as nullopt. Throws ValueError otherwise, naming the types and the value.
  template <class T>
  T get() const;

  // The stored value itself when this holds exactly a T (std::int64_t, std::uint64_t, double,
  // Decimal, std::string, Bytes, Date, DateTime, Time), else nullptr: no conversion and no copy,
  // for reading text and bytes in place.
  template <class T>
  const T* get_if() const noexcept {
    return std::get_if<T>(&data_);
  }

  // A readable rendering for messages: NULL, 42, 'text' (quoted), 19.99, x'00ff', 2026-11-25,
  // 2026-11-25 12:00:00.5, -01:30:00. Long text and bytes are shortened.
  std::string to_string() const;

  friend bool operator==(const Value&, const Value&) = default;

 private:
  [[noreturn]] void mismatch(std::string_view wanted) const;
  std::int64_t as_int64() const;
  std::uint64_t as_uint64() const;

  std::variant<std::monostate, std::int64_t, std::uint64_t, double, Decimal, std::string, Bytes,
               Date, DateTime, Time>
      data_;
};

std::string_view to_string(Value::Kind kind) noexcept;

template <class T>
T Value::get() const {
  if constexpr (detail::is_optional<T>::value) {
    if (is_null()) return std::nullopt;
    return get<typename T::value_type>();
  } else if constexpr (std::is_same_v<T, bool>) {
    std::int64_t v = as_int64();
    if (v != 0 && v != 1) mismatch("bool");
    return v == 1;
  } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
    std::int64_t v = as_int64();
    if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
      mismatch("a narrower integer");
    return static_cast<T>(v);
  } else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) {
    std::uint64_t v = as_uint64();
    if (v > std::numeric_limits<T>::max()) mismatch("a narrower unsigned integer");
    return static_cast<T>(v);
  } else if constexpr (std::is_same_v<T, double>) {
    constexpr std::int64_t exact = std::int64_t{1} << 53;  // integers a double holds exactly
    if (auto* d = std::get_if<double>(&data_)) return *d;
    if (auto* i = std::get_if<std::int64_t>(&data_); i && *i <= exact && *i >= -exact) {
      return static_cast<double>(*i);
    }
    if (auto* u = std::get_if<std::uint64_t>(&data_); u && *u <= std::uint64_t(exact)) {
      return static_cast<double>(*u);
    }
    mismatch("double");
  } else if constexpr (std::is_same_v<T, Decimal>) {
    if (auto* d = std::get_if<Decimal>(&data_)) return *d;
    if (auto* i = std::get_if<std::int64_t>(&data_)) return Decimal(std::to_string(*i));
    if (auto* u = std::get_if<std::uint64_t>(&data_)) return Decimal(std::to_string(*u));
    mismatch("Decimal");
  } else {
    if (auto* v = std::get_if<T>(&data_)) return *v;
    if constexpr (std::is_same_v<T, std::string>)
      mismatch("std::string");
    else if constexpr (std::is_same_v<T, Bytes>)
      mismatch("Bytes");
    else if constexpr (std::is_same_v<T, Date>)
      mismatch("Date");
    else if constexpr (std::is_same_v<T, DateTime>)
      mismatch("DateTime");
    else if constexpr (std::is_same_v<T, Time>)
      mismatch("Time");
    else
      static_assert(sizeof(T) == 0, "Value::get<T>: T is not a type a Value can hold");
  }
}

}  // namespace tabula

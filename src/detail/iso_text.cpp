#include "detail/iso_text.hpp"

#include <cstdio>

namespace tabula::detail {
namespace {

// Writes `v` as `width` digits (zero-padded) at `out`; returns the end.
char* digits(char* out, unsigned long long v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return out + width;
}

}  // namespace

void append_date(std::string& out, const Date& d) {
  int y = static_cast<int>(d.year());
  char text[24];
  char* p = text;
  if (y >= 0 && y <= 9999) {
    p = digits(p, static_cast<unsigned>(y), 4);
  } else {
    p += std::snprintf(text, 12, "%04d", y);
  }
  *p++ = '-';
  p = digits(p, static_cast<unsigned>(d.month()), 2);
  *p++ = '-';
  p = digits(p, static_cast<unsigned>(d.day()), 2);
  out.append(text, p);
}

void append_clock(std::string& out, std::chrono::microseconds t) {
  char text[40];
  char* p = text;
  unsigned long long us = t.count() < 0 ? 0ULL - static_cast<unsigned long long>(t.count())
                                        : static_cast<unsigned long long>(t.count());
  if (t.count() < 0) *p++ = '-';
  unsigned long long seconds = us / 1'000'000;
  unsigned long long fraction = us % 1'000'000;
  unsigned long long hours = seconds / 3600;
  int width = 2;
  for (unsigned long long h = hours / 100; h != 0; h /= 10) ++width;
  p = digits(p, hours, width);
  *p++ = ':';
  p = digits(p, seconds / 60 % 60, 2);
  *p++ = ':';
  p = digits(p, seconds % 60, 2);
  if (fraction != 0) {
    *p++ = '.';
    p = digits(p, fraction, 6);
    while (p[-1] == '0') --p;
  }
  out.append(text, p);
}

void append_iso_text(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::date:
      append_date(out, v.get<Date>());
      return;
    case Value::Kind::datetime: {
      const DateTime& dt = *v.get_if<DateTime>();
      append_date(out, dt.date);
      out += ' ';
      append_clock(out, dt.time_of_day);
      return;
    }
    case Value::Kind::time:
      append_clock(out, v.get<Time>().value);
      return;
    default:
      return;
  }
}

}  // namespace tabula::detail

#pragma once

// Dates and times as ISO text (YYYY-MM-DD, hh:mm:ss[.ffffff]), appended to a string without
// temporaries: Value::to_string and the MySQL literals of every inserted row use them.

#include <tabula/value.hpp>

#include <chrono>
#include <string>

namespace tabula::detail {

void append_date(std::string& out, const Date& d);
// hh:mm:ss[.ffffff] with trailing zeros of the fraction dropped; hours may exceed 24, and a
// negative duration starts with '-'.
void append_clock(std::string& out, std::chrono::microseconds t);
// A date, datetime ("YYYY-MM-DD hh:mm:ss[.ffffff]") or time value; nothing for other kinds.
void append_iso_text(std::string& out, const Value& v);

}  // namespace tabula::detail

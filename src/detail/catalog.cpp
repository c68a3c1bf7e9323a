#include "detail/catalog.hpp"

#include <soci/soci.h>

#include <charconv>
#include <cstdio>
#include <ctime>

namespace tabula::detail {

std::optional<std::string> text(const soci::row& row, std::size_t i) {
  if (row.get_indicator(i) == soci::i_null) return std::nullopt;
  switch (row.get_properties(i).get_data_type()) {
    case soci::dt_string:
      return row.get<std::string>(i);
    case soci::dt_integer:
      return std::to_string(row.get<int>(i));
    case soci::dt_long_long:
      return std::to_string(row.get<long long>(i));
    case soci::dt_unsigned_long_long:
      return std::to_string(row.get<unsigned long long>(i));
    case soci::dt_double: {
      char text[32];
      std::snprintf(text, sizeof text, "%.17g", row.get<double>(i));
      return std::string(text);
    }
    case soci::dt_date: {
      std::tm t = row.get<std::tm>(i);
      char text[96];
      std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d", t.tm_year + 1900,
                    t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec);
      return std::string(text);
    }
    default:
      return row.get<std::string>(i);
  }
}

std::string text_or_empty(const soci::row& row, std::size_t i) {
  return text(row, i).value_or(std::string());
}

std::optional<std::int64_t> integer(const soci::row& row, std::size_t i) {
  auto value = text(row, i);
  if (!value) return std::nullopt;
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), out);
  if (ec != std::errc{} || end == value->data()) return std::nullopt;
  return out;
}

Table* table_of(std::map<std::string, Table>& tables, const soci::row& row, std::size_t i) {
  auto it = tables.find(text_or_empty(row, i));
  return it == tables.end() ? nullptr : &it->second;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<std::string> parse_members(std::string_view type) {
  std::vector<std::string> members;
  auto open = type.find('(');
  if (open == std::string_view::npos) return members;
  std::size_t i = open + 1;
  while (i < type.size()) {
    while (i < type.size() && (type[i] == ' ' || type[i] == ',')) ++i;
    if (i >= type.size() || type[i] != '\'') break;
    ++i;
    std::string member;
    while (i < type.size()) {
      char c = type[i];
      if (c == '\\' && i + 1 < type.size()) {
        member += type[i + 1];
        i += 2;
      } else if (c == '\'' && i + 1 < type.size() && type[i + 1] == '\'') {
        member += '\'';
        i += 2;
      } else if (c == '\'') {
        ++i;
        break;
      } else {
        member += c;
        ++i;
      }
    }
    members.push_back(std::move(member));
  }
  return members;
}

bool is_numeric_literal(std::string_view t) {
  std::size_t i = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
  bool digits = false;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, digits = true;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, digits = true;
  }
  if (!digits) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    bool exponent = false;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, exponent = true;
    if (!exponent) return false;
  }
  return i == t.size();
}

ReferentialAction parse_action(std::string_view text) {
  std::string action = ascii_lower(text);
  if (action == "cascade") return ReferentialAction::cascade;
  if (action == "restrict") return ReferentialAction::restrict;
  if (action == "set null") return ReferentialAction::set_null;
  if (action == "set default") return ReferentialAction::set_default;
  return ReferentialAction::no_action;
}

}  // namespace tabula::detail

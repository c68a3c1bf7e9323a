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

std::optional<std::string> read_string_literal(std::string_view text, std::size_t& i) {
  if (i >= text.size() || text[i] != '\'') return std::nullopt;
  std::string value;
  for (std::size_t j = i + 1; j < text.size(); ++j) {
    char c = text[j];
    if (c == '\'') {
      if (j + 1 < text.size() && text[j + 1] == '\'') {  // '' is one quote
        value += '\'';
        ++j;
        continue;
      }
      i = j + 1;
      return value;
    }
    if (c != '\\' || j + 1 == text.size()) {
      value += c;
      continue;
    }
    char e = text[++j];
    switch (e) {
      case '0':
        value += '\0';
        break;
      case 'b':
        value += '\b';
        break;
      case 'n':
        value += '\n';
        break;
      case 'r':
        value += '\r';
        break;
      case 't':
        value += '\t';
        break;
      case 'Z':
        value += '\x1a';
        break;
      // Outside LIKE patterns \% and \_ stand for themselves, backslash included.
      case '%':
        value += "\\%";
        break;
      case '_':
        value += "\\_";
        break;
      default:
        value += e;
        break;  // \' \" \\ and any other \x: x
    }
  }
  return std::nullopt;  // no closing quote
}

std::string quoted_identifier(std::string_view name, char quote) {
  std::string out(1, quote);
  for (char c : name) {
    if (c == quote) out += quote;
    out += c;
  }
  return out + quote;
}

std::string sql_string_literal(std::string_view value, bool backslash_escapes) {
  std::string out = "'";
  for (char c : value) {
    const char* escape = nullptr;
    if (c == '\'') {
      escape = "''";
    } else if (backslash_escapes) {
      switch (c) {
        case '\\':
          escape = "\\\\";
          break;
        case '\0':
          escape = "\\0";
          break;
        case '\n':
          escape = "\\n";
          break;
        case '\r':
          escape = "\\r";
          break;
        case '\t':
          escape = "\\t";
          break;
        case '\b':
          escape = "\\b";
          break;
        case '\x1a':
          escape = "\\Z";
          break;
        default:
          break;
      }
    }
    if (escape != nullptr) {
      out += escape;
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::vector<std::string> parse_members(std::string_view type) {
  std::vector<std::string> members;
  auto open = type.find('(');
  if (open == std::string_view::npos) return members;
  std::size_t i = open + 1;
  while (i < type.size()) {
    while (i < type.size() && (type[i] == ' ' || type[i] == ',')) ++i;
    std::optional<std::string> member = read_string_literal(type, i);
    if (!member) break;
    members.push_back(std::move(*member));
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

#include "detail/placeholders.hpp"

namespace tabula::detail {
namespace {

// Where the comment starting at `i` ends (the index after it), or `i` when none starts there.
std::size_t comment_end(std::string_view sql, std::size_t i, const SqlLexicon& lexicon) {
  char c = sql[i];
  char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
  bool to_line_end = (c == '#' && lexicon.hash_comments);
  if (c == '-' && next == '-') {
    char after = i + 2 < sql.size() ? sql[i + 2] : '\0';
    bool space = after == '\0' || static_cast<unsigned char>(after) <= ' ';
    to_line_end = !lexicon.dashes_need_space || space;
  }
  if (to_line_end) {
    std::size_t end = sql.find('\n', i);
    return end == std::string_view::npos ? sql.size() : end + 1;
  }
  if (c == '/' && next == '*') {
    bool executable =
        lexicon.executable_comments && (sql.substr(i, 3) == "/*!" || sql.substr(i, 4) == "/*M!");
    if (executable) return i;
    std::size_t end = sql.find("*/", i + 2);
    return end == std::string_view::npos ? sql.size() : end + 2;
  }
  return i;
}

}  // namespace

std::vector<std::size_t> placeholder_positions(std::string_view sql, const SqlLexicon& lexicon) {
  std::vector<std::size_t> out;
  char close = 0;  // the character that ends the quoted text we are in
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (close != 0) {
      if (c == '\\' && lexicon.backslash_escapes && (close == '\'' || close == '"')) {
        ++i;  // the escaped character
      } else if (c == close) {
        close = 0;  // a doubled quote ('it''s') closes and opens again
      }
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      close = c;
    } else if (c == '[' && lexicon.brackets) {
      close = ']';
    } else if (std::size_t end = comment_end(sql, i, lexicon); end != i) {
      i = end - 1;
    } else if (c == '?') {
      out.push_back(i);
    }
  }
  return out;
}

}  // namespace tabula::detail

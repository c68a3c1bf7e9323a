#include "detail/placeholders.hpp"

namespace tabula::detail {

std::vector<std::size_t> placeholder_positions(std::string_view sql) {
  std::vector<std::size_t> out;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (quote != 0) {
      if (c == '\\' && quote != '`') {
        ++i;  // MySQL's backslash escape (harmless to skip for SQLite's quotes too)
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '\'' || c == '"' || c == '`') {
      quote = c;
    } else if (c == '?') {
      out.push_back(i);
    }
  }
  return out;
}

}  // namespace tabula::detail

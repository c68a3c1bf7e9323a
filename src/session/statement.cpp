#include "session/statement.hpp"

#include <tabula/log.hpp>

#include "dialect/mysql/mysql_statement.hpp"
#include "dialect/sqlite/sqlite_statement.hpp"

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

ResultSet run_statement(Connection& connection, std::string_view sql,
                        std::span<const Value> params) {
  report_statement(sql, params.size());
  try {
    if (connection.dialect() == Dialect::mysql) {
      return dialect::mysql::run_statement(connection.native_handle(), sql, params);
    }
    return dialect::sqlite::run_statement(connection.native_handle(), sql, params);
  } catch (const SqlError& e) {
    if (e.is_disconnect()) connection.mark_broken();
    throw;
  }
}

ResultSet run_literal_statement(Connection& connection, std::string_view text,
                                std::string_view shape, std::size_t values) {
  report_statement(shape, values);
  try {
    return dialect::mysql::run_statement(connection.native_handle(), text, {});
  } catch (const SqlError& e) {
    if (e.is_disconnect()) connection.mark_broken();
    throw;
  }
}

void send_literal_statement(Connection& connection, std::string_view text, std::string_view shape,
                            std::size_t values) {
  report_statement(shape, values);
  try {
    dialect::mysql::send_statement(connection.native_handle(), text);
  } catch (const SqlError& e) {
    if (e.is_disconnect()) connection.mark_broken();
    throw;
  }
}

ResultSet read_literal_result(Connection& connection) {
  try {
    return dialect::mysql::read_result(connection.native_handle());
  } catch (const SqlError& e) {
    if (e.is_disconnect()) connection.mark_broken();
    throw;
  }
}

}  // namespace tabula::detail

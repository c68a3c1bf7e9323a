#include "session/statement.hpp"

#include <tabula/log.hpp>

#include "connection_access.hpp"
#include "dialect/mysql/mysql_statement.hpp"

namespace tabula::detail {

ResultSet run_statement(Connection& connection, std::string_view sql,
                        std::span<const Value> params) {
  report_statement(sql, params.size());
  try {
    return ConnectionAccess::dialect(connection)
        .run_statement(ConnectionAccess::native_handle(connection), sql, params);
  } catch (const SqlError& e) {
    if (e.is_disconnect()) ConnectionAccess::mark_broken(connection);
    throw;
  }
}

ResultSet run_literal_statement(Connection& connection, std::string_view text,
                                std::string_view shape, std::size_t values) {
  report_statement(shape, values);
  try {
    return dialect::mysql::run_statement(ConnectionAccess::native_handle(connection), text, {});
  } catch (const SqlError& e) {
    if (e.is_disconnect()) ConnectionAccess::mark_broken(connection);
    throw;
  }
}

void send_literal_statement(Connection& connection, std::string_view text, std::string_view shape,
                            std::size_t values) {
  report_statement(shape, values);
  try {
    dialect::mysql::send_statement(ConnectionAccess::native_handle(connection), text);
  } catch (const SqlError& e) {
    if (e.is_disconnect()) ConnectionAccess::mark_broken(connection);
    throw;
  }
}

ResultSet read_literal_result(Connection& connection) {
  try {
    return dialect::mysql::read_result(ConnectionAccess::native_handle(connection));
  } catch (const SqlError& e) {
    if (e.is_disconnect()) ConnectionAccess::mark_broken(connection);
    throw;
  }
}

}  // namespace tabula::detail

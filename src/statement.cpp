#include "statement.hpp"

#include <tabula/log.hpp>

#include "connection_access.hpp"

namespace tabula::detail {

ResultSet run_statement(Connection& connection, std::string_view sql,
                        std::span<const Value> params) {
  report_statement(sql, params.size());
  try {
    return ConnectionAccess::dialect(connection).run_statement(connection, sql, params);
  } catch (const SqlError& e) {
    if (e.is_disconnect()) ConnectionAccess::mark_broken(connection);
    throw;
  }
}

}  // namespace tabula::detail

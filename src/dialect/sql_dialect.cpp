// What SqlDialect does where a dialect has nothing of its own to say.

#include "dialect/sql_dialect.hpp"

#include <soci/soci.h>

namespace tabula::detail {

bool SqlDialect::shows_hangup(void*) const noexcept {
  return false;
}

std::optional<std::chrono::seconds> SqlDialect::idle_timeout(soci::session&) const {
  return std::nullopt;
}

bool SqlDialect::close(std::unique_ptr<soci::session> session, bool,
                       Clock::time_point) const noexcept {
  session.reset();  // nothing at a server to wait for
  return true;
}

NodeCheck SqlDialect::check_node(Connection&, Topology) const {
  return {};
}

bool SqlDialect::has_before_insert_trigger(Connection&, const std::string&) const {
  return false;
}

std::unique_ptr<InsertWriter> SqlDialect::insert_writer(Connection& connection,
                                                        InsertTarget& target,
                                                        InsertOptions options) const {
  return row_by_row_insert_writer(connection, target, options);
}

}  // namespace tabula::detail

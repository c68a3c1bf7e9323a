#include "dialect/mysql/mysql_cluster.hpp"

#include "dialect/mysql/mysql_statement.hpp"

#include <map>

namespace tabula::dialect::mysql {

detail::NodeCheck check_galera_node(void* native) {
  // GLOBAL_STATUS needs no privilege: any application user may ask.
  detail::ResultSet rows = run_statement(
      native,
      "SELECT UPPER(VARIABLE_NAME), VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
      "WHERE VARIABLE_NAME IN ('wsrep_ready', 'wsrep_local_state', "
      "'wsrep_local_state_comment', 'wsrep_cluster_status') "
      "UNION ALL SELECT 'WSREP_ON', IF(@@global.wsrep_on, 'ON', 'OFF')",
      {});
  std::map<std::string, std::string> status;
  for (std::size_t r = 0; r < rows.rows(); ++r) {
    status[std::string(rows.at(r, 0).value_or(""))] = std::string(rows.at(r, 1).value_or(""));
  }
  if (status["WSREP_ON"] != "ON" || !status.contains("WSREP_READY")) {
    return {false, "not a Galera node (wsrep_on is OFF)"};
  }
  if (status["WSREP_READY"] != "ON") return {false, "wsrep_ready is " + status["WSREP_READY"]};
  if (status["WSREP_CLUSTER_STATUS"] != "Primary") {
    return {false, "wsrep_cluster_status is " + status["WSREP_CLUSTER_STATUS"] +
                       " (not in the Primary component)"};
  }
  if (status["WSREP_LOCAL_STATE"] != "4") {
    return {false, "wsrep_local_state is " + status["WSREP_LOCAL_STATE"] + " (" +
                       status["WSREP_LOCAL_STATE_COMMENT"] + "), not 4 (Synced)"};
  }
  return {};
}

}  // namespace tabula::dialect::mysql

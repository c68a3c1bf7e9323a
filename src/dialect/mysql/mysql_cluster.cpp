#include "dialect/mysql/mysql_cluster.hpp"

#include "dialect/mysql/mysql_dialect.hpp"
#include "dialect/mysql/mysql_statement.hpp"

#include <mysql.h>

#include <tabula/error.hpp>
#include <tabula/log.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>

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
    return detail::NodeCheck::unusable("not a Galera node (wsrep_on is OFF)");
  }
  if (status["WSREP_READY"] != "ON")
    return detail::NodeCheck::unusable("wsrep_ready is " + status["WSREP_READY"]);
  if (status["WSREP_CLUSTER_STATUS"] != "Primary") {
    return detail::NodeCheck::unusable("wsrep_cluster_status is " + status["WSREP_CLUSTER_STATUS"] +
                                       " (not in the Primary component)");
  }
  if (status["WSREP_LOCAL_STATE"] != "4") {
    return detail::NodeCheck::unusable("wsrep_local_state is " + status["WSREP_LOCAL_STATE"] +
                                       " (" + status["WSREP_LOCAL_STATE_COMMENT"] +
                                       "), not 4 (Synced)");
  }
  return {};
}

detail::NodeCheck check_replication_node(void* native) {
  detail::NodeCheck check;
  detail::ResultSet flags =
      run_statement(native,
                    "SELECT @@global.read_only, FIND_IN_SET('last_gtid', "
                    "REPLACE(@@session.session_track_system_variables, ' ', ''))",
                    {});
  check.read_only = flags.rows() == 1 && flags.at(0, 0).value_or("0") != "0";
  if (flags.rows() == 1 && flags.at(0, 1).value_or("0") == "0") {
    try {
      run_statement(native,
                    "SET SESSION session_track_system_variables = CONCAT_WS(',', "
                    "NULLIF(@@session.session_track_system_variables, ''), 'last_gtid')",
                    {});
    } catch (const SqlError& e) {
      // A server without last_gtid (MySQL): commits are asked for it, as before.
      if (e.is_disconnect()) throw;
    }
  }
  if (!check.read_only) return check;
  // SHOW SLAVE STATUS through the C API: its column is found by name.
  MYSQL* mysql = static_cast<MYSQL*>(native);
  if (mysql_query(mysql, "SHOW SLAVE STATUS") != 0) {
    unsigned code = mysql_errno(mysql);
    if (is_disconnect_code(static_cast<int>(code))) {
      throw_error(code, mysql_sqlstate(mysql), mysql_error(mysql));
    }
    return check;  // no SLAVE MONITOR privilege: the lag is unknown
  }
  std::unique_ptr<MYSQL_RES, void (*)(MYSQL_RES*)> result(mysql_store_result(mysql),
                                                          mysql_free_result);
  if (!result) return check;
  MYSQL_ROW row = mysql_fetch_row(result.get());
  if (row == nullptr) {
    check.lag = std::chrono::milliseconds::max();  // read-only, but replicating from nobody
    return check;
  }
  unsigned fields = mysql_num_fields(result.get());
  MYSQL_FIELD* field = mysql_fetch_fields(result.get());
  for (unsigned i = 0; i < fields; ++i) {
    if (std::string_view(field[i].name) != "Seconds_Behind_Master") continue;
    if (row[i] == nullptr) {
      check.lag = std::chrono::milliseconds::max();  // its SQL or IO thread is stopped
    } else {
      check.lag = std::chrono::seconds{std::stoll(row[i])};
    }
  }
  return check;
}

std::string last_commit_gtid(void* native, bool after_commit) {
  MYSQL* mysql = static_cast<MYSQL*>(native);
  if (after_commit) {
    // Name, value pairs of the tracked variables the last OK packet changed. A COMMIT's OK
    // packet replaces what an earlier statement left, so a value here is this commit's.
    const char* data = nullptr;
    std::size_t length = 0;
    bool is_name = true;
    bool found = false;
    for (int more =
             mysql_session_track_get_first(mysql, SESSION_TRACK_SYSTEM_VARIABLES, &data, &length);
         more == 0; more = mysql_session_track_get_next(mysql, SESSION_TRACK_SYSTEM_VARIABLES,
                                                        &data, &length)) {
      if (!is_name && found && length > 0) return std::string(data, length);
      found = is_name && std::string_view(data, length) == "last_gtid";
      is_name = !is_name;
    }
  }
  report_statement("SELECT @@last_gtid", 0);
  detail::ResultSet r = run_statement(native, "SELECT @@last_gtid", {});
  return r.rows() == 1 ? std::string(r.at(0, 0).value_or("")) : std::string();
}

}  // namespace tabula::dialect::mysql

#pragma once

// MariaDB as a cluster node: what Galera says of a node (docs/cluster.md).

#include <tabula/pool.hpp>

#include "dialect/sql_dialect.hpp"

namespace tabula::dialect::mysql {

// A Galera node may take work when wsrep_ready is ON, wsrep_local_state is 4 (Synced) and
// wsrep_cluster_status is Primary: not a donor, not desynced (wsrep_desync), not joining, not
// cut off from the majority. One query on `native` (a MYSQL*); throws SqlError. A server
// without Galera is not usable as a Galera node, and says so.
detail::NodeCheck check_galera_node(void* native);

// A replication node: read_only from @@global.read_only; for a read-only one, its lag from
// SHOW SLAVE STATUS (Seconds_Behind_Master; NULL, replication stopped, is the maximum lag; the
// statement needs SLAVE MONITOR, and without it the lag is unknown). The first check of a
// connection also asks the server to track last_gtid (session_track_system_variables), so a
// COMMIT's OK packet carries its GTID (last_commit_gtid). Throws SqlError.
detail::NodeCheck check_replication_node(void* native);

// Read-your-writes: the GTID of the commit just made on `native`. Right after a COMMIT
// (`after_commit`) it comes from the COMMIT's OK packet when the server tracked it, at no cost;
// otherwise (a statement that committed on its own, whose result set may end without that
// packet, or no tracking) from SELECT @@last_gtid. Empty when the server has none.
std::string last_commit_gtid(void* native, bool after_commit);

}  // namespace tabula::dialect::mysql

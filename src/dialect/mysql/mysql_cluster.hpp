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
// statement needs SLAVE MONITOR, and without it the lag is unknown). Throws SqlError.
detail::NodeCheck check_replication_node(void* native);

}  // namespace tabula::dialect::mysql

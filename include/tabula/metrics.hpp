#pragma once

// Live pool statistics and their Prometheus rendering.
//
//   tabula::PoolStats s = engine.pool().stats();
//   std::cout << tabula::to_prometheus(s, "shop_db");   // serve this on GET /metrics

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tabula {

// One server of a pool whose URL names a cluster (a host list, or a topology): docs/cluster.md.
struct HostStats {
  std::string host;  // "db1:3306"
  // "unknown" (not tried yet), "up", "down" (nothing answers at its address), "failing" (it
  // answers but a connection failed: a login error...), "refusing" (too many connections),
  // "desynced" (a Galera node that may not take work)
  std::string state;
  std::size_t open = 0;                      // connections to it counted against the cap
  std::uint64_t connect_failures_total = 0;  // failed opens and failed checks
  std::string last_error;                    // why it is not up (no password)
  // topology=replication: "primary" or "replica" as the host last said (@@read_only); empty
  // when not known. A replica's lag (Seconds_Behind_Master) when known; -1 when its
  // replication is stopped.
  std::string role;
  std::optional<std::int64_t> lag_seconds;
};

// A consistent snapshot of one pool, taken under its lock. Gauges describe the moment; the
// *_total counters only grow over the pool's life.
struct PoolStats {
  std::size_t max_connections = 0;  // the hard cap
  std::size_t open = 0;       // connections counted against the cap: idle + in use + being opened
  std::size_t idle = 0;       // open and waiting in the pool
  std::size_t in_use = 0;     // lent out in a Lease
  std::size_t waiting = 0;    // threads blocked in checkout()
  std::size_t peak_open = 0;  // the highest `open` ever reached (never above max_connections)

  std::uint64_t checkouts_total = 0;         // leases handed out
  std::uint64_t created_total = 0;           // connections opened successfully
  std::uint64_t closed_total = 0;            // connections closed (retired, broken, reset failed)
  std::uint64_t connect_attempts_total = 0;  // attempts to open, successful or not
  std::uint64_t connect_failures_total = 0;  // attempts that failed, refusals included
  std::uint64_t refusals_total = 0;          // attempts refused with 1040/1203 (back-pressure)
  std::uint64_t timeouts_total = 0;          // checkouts that ended in PoolTimeout
  std::uint64_t validation_failures_total = 0;  // idle connections found dead before hand-out
  std::uint64_t broken_total = 0;               // connections returned broken (disconnect seen)
  std::uint64_t leaks_reported_total = 0;       // leases reported past the leak threshold
  // Connections closed whose server did not confirm the close (end of stream) within
  // validation_timeout; their slots were freed anyway (see docs/pool.md).
  std::uint64_t unconfirmed_closes_total = 0;

  // Time spent waiting in checkout(), over all checkouts (those that did not wait count as 0).
  // Percentiles come from a log-scale histogram, so they are accurate to about 10%.
  std::chrono::microseconds wait_p50{0};
  std::chrono::microseconds wait_p95{0};
  std::chrono::microseconds wait_p99{0};
  std::chrono::microseconds wait_max{0};
  std::chrono::microseconds wait_total{0};  // sum of all waits

  // One entry per host when the URL names a cluster; empty for a single server. The hosts'
  // `open` add up to `open`.
  std::vector<HostStats> hosts;
};

// Renders `stats` in the Prometheus text exposition format, one metric family per field, named
// `<prefix>_<field>` ("tabula_pool" when `prefix` is empty), with HELP and TYPE lines.
std::string to_prometheus(const PoolStats& stats, std::string_view prefix = "tabula_pool");

// A one-line human summary, as used in PoolTimeout messages and logs:
// "open 12/12, idle 0, in use 12, waiting 188, timeouts 3".
std::string to_string(const PoolStats& stats);

}  // namespace tabula

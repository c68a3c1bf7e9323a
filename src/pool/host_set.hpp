#pragma once

// The servers of a pool's URL and what the pool knows of each: how many of its connections go
// there, whether the server is up, and for how long a host that failed is left alone.
//
// A URL names one host or a list (`mysql://app@db1,db2,db3/shop?topology=galera`). Every new
// connection asks reserve() for a host, which counts the connection against that host before it
// is opened (so max_connections_per_host holds like the pool's own cap), then reports back:
// opened(), or failed() — which puts the host on a deny list with a backoff that doubles (50 ms to
// 2 s), so a dead or desynced node is tried again now and then, never in a storm. released()
// gives the count back when the connection is closed.
//
// How a host is chosen (PoolOptions::topology):
//   sequential  the first host, in the order written, that is not denied (fail over in order)
//   galera      among the hosts not denied, the one with the fewest connections (first on a tie)
//   replication by what each host said of itself (its role: @@read_only): a write goes to the
//               primary; a read to the replica within max_replica_lag with the fewest
//               connections, else (replica_fallback) the primary. Hosts whose role is not known
//               yet are tried in order; when no primary is known, replicas are asked again
//               (one may have been promoted). Host order is not trusted.
//
// The pool's total cap is not kept here: connections live in the pool's slots, and there are
// max_connections of them, whatever the hosts do. Thread-safe; never calls out while locked.

#include <tabula/metrics.hpp>
#include <tabula/pool.hpp>
#include <tabula/url.hpp>

#include "detail/mutex.hpp"
#include "dialect/sql_dialect.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tabula::detail {

enum class HostState {
  unknown,   // not connected to yet
  up,        // the last connection to it opened and passed its check
  down,      // nothing answers at its address (connection refused, unreachable, timed out)
  failing,   // it answers, but a connection could not be opened (a login error, say)
  refusing,  // the server refused a connection (too many connections)
  desynced,  // a Galera node that is not ready, not Synced or not in the Primary component
};

std::string_view to_string(HostState state) noexcept;

class HostSet {
 public:
  using Clock = std::chrono::steady_clock;

  HostSet(const Url& url, const PoolOptions& options);

  std::size_t size() const noexcept { return urls_.size(); }
  // More than one host, or a topology that checks its node: what a single server needs not.
  bool is_cluster() const noexcept { return cluster_; }
  Topology topology() const noexcept { return topology_; }
  // The URL for host `host` alone (what Connection::open takes).
  const Url& url(std::size_t host) const { return urls_.at(host); }
  // "db1:3306": the host as logs and errors name it.
  const std::string& name(std::size_t host) const { return names_.at(host); }

  // A host for a new connection, counted against it until failed() or released(); nullopt
  // when none may take one now (each is denied or at max_connections_per_host), with the
  // reason in `why` and `full` true when only per-host caps and refusals stand in the way (wait
  // for a connection to come back, as after a refusal).
  // `intent` matters under replication only; hosts marked in `tried` are passed over.
  // `alternatives`, when given, receives how many other hosts could have been chosen now.
  std::optional<std::size_t> reserve(std::string& why, bool& full, Intent intent,
                                     const std::vector<bool>& tried,
                                     std::size_t* alternatives = nullptr);
  // Connected, and (topologies that check) what the node said of itself.
  void opened(std::size_t host, const NodeCheck& check = {});
  // Whether a connection to `host` serves `intent`: 0 as well as can be, 1 only as a fallback
  // (a read on the primary), -1 not at all (a write on a replica). Always 0 outside replication.
  int fit(std::size_t host, Intent intent) const;
  // Replication: the roles this pool has seen ("db1:3306 primary, db2:3306 replica (lag 0 s)").
  std::string roles() const;
  // The connection was not opened or its check failed: the count goes back, the host is denied
  // for a while (on a host list) and shows `state`.
  void failed(std::size_t host, HostState state, const std::string& why);
  // An open connection's check failed: the host shows `state` and is denied for a while; the
  // connection still counts until released().
  void mark(std::size_t host, HostState state, const std::string& why);
  // A connection to `host` broke: others to it are suspect (checked before they are lent) until
  // one opens or passes a check again. The host's state is left as it was: a killed connection
  // or a read timeout says nothing of the server.
  void broke(std::size_t host);
  void released(std::size_t host) noexcept;

  // Whether a connection to `host` must be checked before it is lent (`now`: coarse is fine):
  // the host was seen down or desynced, or a connection to it broke, since its last good check;
  // or (galera, replication) that check is older than node_check_interval, and then only the
  // one caller that claims the new check is told so, the others lend without one. Lock-free
  // (the pool's fast path asks).
  bool due_for_check(std::size_t host, Clock::time_point now) noexcept {
    if (!cluster_) return false;
    if (suspect_[host].load(std::memory_order_relaxed)) return true;
    if (check_interval_ <= 0) return false;
    std::int64_t at = now.time_since_epoch().count();
    std::int64_t last = checked_at_[host].load(std::memory_order_relaxed);
    if (at - last < check_interval_) return false;
    return checked_at_[host].compare_exchange_strong(last, at, std::memory_order_relaxed);
  }
  // Nothing answered at its address on the last attempt to connect: its connections are closed
  // without waiting for a server to confirm (there is none to count them).
  bool is_down(std::size_t host) const;

  std::vector<HostStats> stats() const;
  // For the fork guard (pool/fork_guard.hpp): held across fork() so the child finds it free.
  std::mutex& native_mutex() noexcept { return mutex_.native(); }
  // After fork(): nothing inherited is open.
  void forget_connections() noexcept;

 private:
  struct Host {
    HostState state = HostState::unknown;
    bool role_known = false;  // replication: read_only and lag below come from the server
    bool read_only = false;
    std::optional<std::chrono::milliseconds> lag;
    std::size_t open = 0;  // connections counted against it, being opened included
    Clock::time_point denied_until{};
    std::chrono::milliseconds backoff{0};
    bool probing = false;  // after its backoff, one attempt at a time asks a failed host
    std::uint64_t failures_total = 0;
    std::string last_error;
  };

  std::vector<Url> urls_;
  std::vector<std::string> names_;
  int fit_locked(const Host& h, Intent intent) const TABULA_REQUIRES(mutex_);
  bool lag_ok_locked(const Host& h) const TABULA_REQUIRES(mutex_);

  const Topology topology_;
  const std::size_t per_host_cap_;  // 0: none
  const std::chrono::milliseconds max_replica_lag_;
  const bool replica_fallback_;
  const bool cluster_;
  const std::unique_ptr<std::atomic<bool>[]> suspect_;
  // node_check_interval in Clock ticks (0: never by age), and when each host's node was last
  // checked or a check of it claimed (Clock ticks since its epoch).
  const std::int64_t check_interval_;
  const std::unique_ptr<std::atomic<std::int64_t>[]> checked_at_;

  mutable Mutex mutex_;
  std::vector<Host> hosts_ TABULA_GUARDED_BY(mutex_);
};

}  // namespace tabula::detail

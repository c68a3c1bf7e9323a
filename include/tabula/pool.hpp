#pragma once

// The bounded connection pool. Its one promise: it never has more than `max_connections`
// connections open — counting those being opened, validated or replaced — whatever the code
// above it does, whatever the server does. Every other feature serves that promise or makes a
// breach of good manners (a connection held too long, a waiter starved) visible.
//
//   tabula::Pool pool{url, {.max_connections = 12, .checkout_timeout = std::chrono::seconds{5}}};
//   {
//     tabula::Lease lease = pool.checkout();   // waits (FIFO) up to checkout_timeout
//     lease->execute("...");
//   }                                          // back in the pool, rolled back if left dirty
//
// Connections open lazily; `min_idle` are kept warm by a housekeeping thread the pool owns and
// joins on destruction. Users normally reach the pool through Engine::pool().
//
// A Pool is safe for concurrent use from any number of threads. Leases keep the pool's shared
// state alive, so a lease may outlive its Pool object; its connection is then closed on return.

#include <tabula/lease.hpp>
#include <tabula/metrics.hpp>
#include <tabula/url.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <source_location>

namespace tabula {

// How a pool spreads its connections over the hosts of a host list (URL option `topology`;
// docs/cluster.md).
enum class Topology {
  sequential,   // the first host that answers, in the order written (the default)
  galera,       // every node writable: the usable node with the fewest connections, checked to be
                // ready and Synced in the Primary component at connect and at validation
  replication,  // one writable primary (@@read_only = 0) and read-only replicas, found by asking
                // each host: writes go to the primary, reads may go to a replica
};

// What a connection is wanted for. Only topology=replication tells them apart: a write goes to
// the primary, a read to a replica that is not too far behind (or the primary).
enum class Intent { write, read };

struct PoolOptions {
  using Duration = std::chrono::milliseconds;

  // Hard cap on open connections (URL option `max_connections`). Must be at least 1.
  std::size_t max_connections = 10;
  // Connections the housekeeper keeps open and idle when nobody uses them (`min_idle`). At most
  // max_connections.
  std::size_t min_idle = 0;
  // How long checkout() waits for a connection before throwing PoolTimeout (`checkout_timeout`).
  Duration checkout_timeout = std::chrono::seconds{30};
  // A connection idle for longer than this is pinged before it is handed out
  // (`validation_bypass`); one used more recently is trusted as is. Lowered, like idle_timeout,
  // below the server's wait_timeout at first connect.
  Duration validation_bypass = std::chrono::milliseconds{500};
  // Connections older than this are closed when next idle (`max_lifetime`; 0 = never). Not tied
  // to the server's wait_timeout, which only closes idle connections (see idle_timeout).
  Duration max_lifetime = std::chrono::minutes{30};
  // Idle connections beyond min_idle are closed after this long unused (`idle_timeout`; 0 =
  // never). Clamped below the server's wait_timeout at first connect.
  Duration idle_timeout = std::chrono::minutes{10};
  // A lease held longer than this is reported once through the log hook with where it was taken,
  // and again when it comes back (`leak_threshold`; 0 = off).
  Duration leak_threshold = Duration::zero();
  // Upper bound on one validation ping and on a connection's network reads and writes
  // (`validation_timeout`), so a half-open socket cannot hang a checkout.
  Duration validation_timeout = std::chrono::seconds{5};
  // How connections spread over a host list (`topology`: sequential, galera or replication).
  Topology topology = Topology::sequential;
  // replication: a replica further behind its primary than this takes no reads
  // (`max_replica_lag`; the replica's Seconds_Behind_Master, so whole seconds count).
  Duration max_replica_lag = std::chrono::seconds{10};
  // replication: reads go to the primary when no replica is fit (`replica_fallback`, true or
  // false). When false, a read waits for a fit replica like any checkout, then fails.
  bool replica_fallback = true;
  // At most this many connections to any one host (`max_connections_per_host`; 0 = no limit of
  // its own). max_connections stays the total over all hosts.
  std::size_t max_connections_per_host = 0;
  // galera and replication: how old the last check of a node may be before a connection to it
  // is checked again on its way out (`node_check_interval`), however busy it is: a node that
  // desyncs, leaves the Primary component, falls behind or changes role is noticed within about
  // this long, not only when its connections sit idle. One connection per host is checked per
  // interval (a ping and a status query); the others go out unchecked. 0 = only when idle.
  Duration node_check_interval = std::chrono::seconds{1};
};

// Applies the pool options found in `url`'s query (`?max_connections=12&checkout_timeout=5s`)
// on top of `options` and checks the result. Throws UrlError naming the bad option and value,
// OptionsError when `options` itself is out of range.
PoolOptions apply_url_options(PoolOptions options, const Url& url);

// The names of the URL options apply_url_options() understands.
bool is_pool_option(std::string_view name) noexcept;

namespace detail {
class PoolCore;
}

class Pool {
 public:
  // Checks `options` (throws UrlError on nonsense such as max_connections = 0); opens nothing
  // unless min_idle > 0, in which case the housekeeper opens them in the background.
  explicit Pool(Url url, PoolOptions options = {});
  // Stops the housekeeper, closes idle connections; leases still out close theirs on return.
  ~Pool();
  Pool(Pool&&) noexcept;
  Pool& operator=(Pool&&) noexcept;

  // Hands out a connection, waiting in FIFO order up to checkout_timeout. A connection idle for
  // longer than validation_bypass is pinged first, and a dead one is replaced without the caller
  // seeing it. Throws PoolTimeout (with the pool's statistics and where each held connection was
  // taken) when the wait runs out, or ConnectError when a new connection cannot be opened.
  Lease checkout(std::source_location where = std::source_location::current());
  // The same for `intent` (topology=replication: a read may be served by a replica).
  Lease checkout(Intent intent, std::source_location where = std::source_location::current());

  // Like checkout() with its own timeout, returning std::nullopt instead of throwing PoolTimeout.
  // ConnectError still propagates.
  std::optional<Lease> try_checkout(std::chrono::milliseconds timeout,
                                    std::source_location where = std::source_location::current());

  PoolStats stats() const;
  // The options in force, after URL options and the wait_timeout clamp.
  PoolOptions options() const;
  // options().topology, fixed at construction: read without the pool's lock (a commit asks).
  Topology topology() const noexcept;
  const Url& url() const noexcept;

 private:
  std::shared_ptr<detail::PoolCore> core_;
};

}  // namespace tabula

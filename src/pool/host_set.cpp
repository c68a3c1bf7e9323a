#include "pool/host_set.hpp"

#include <algorithm>

namespace tabula::detail {
namespace {

using std::chrono::milliseconds;

// Attempts on a host that failed are spaced 50 ms, 100 ms, ... up to 2 s apart, as the pool
// spaces attempts on a single server.
constexpr milliseconds kFirstBackoff{50};
constexpr milliseconds kMaxBackoff{2000};

}  // namespace

std::string_view to_string(HostState state) noexcept {
  switch (state) {
    case HostState::unknown:
      return "unknown";
    case HostState::up:
      return "up";
    case HostState::down:
      return "down";
    case HostState::failing:
      return "failing";
    case HostState::refusing:
      return "refusing";
    case HostState::desynced:
      return "desynced";
  }
  return "unknown";
}

HostSet::HostSet(const Url& url, const PoolOptions& options)
    : topology_(options.topology),
      per_host_cap_(options.max_connections_per_host),
      max_replica_lag_(options.max_replica_lag),
      replica_fallback_(options.replica_fallback),
      cluster_(url.hosts().size() > 1 || options.topology != Topology::sequential),
      suspect_(new std::atomic<bool>[std::max<std::size_t>(1, url.hosts().size())] {}),
      // Capped at a year (as good as never) so the conversion to clock ticks cannot overflow.
      check_interval_(options.topology == Topology::sequential
                          ? 0
                          : std::chrono::duration_cast<Clock::duration>(
                                std::min<std::chrono::milliseconds>(options.node_check_interval,
                                                                    std::chrono::hours{24 * 365}))
                                .count()),
      checked_at_(new std::atomic<std::int64_t>[std::max<std::size_t>(1, url.hosts().size())] {}) {
  if (url.hosts().size() <= 1) {
    urls_.push_back(url);
    names_.push_back(url.hosts().empty() ? url.to_string() : url.hosts().front().to_string());
  } else {
    for (std::size_t i = 0; i < url.hosts().size(); ++i) {
      urls_.push_back(url.single_host(i));
      names_.push_back(url.hosts()[i].to_string());
    }
  }
  hosts_.resize(urls_.size());
}

std::optional<std::size_t> HostSet::reserve(std::string& why, bool& full, Intent intent,
                                            const std::vector<bool>& tried,
                                            std::size_t* alternatives) {
  MutexLock lock(mutex_);
  const auto now = Clock::now();
  // Lower is better: (preference class, connections); nullopt: not a candidate.
  bool primary_up = false;
  for (const Host& h : hosts_) {
    primary_up = primary_up || (h.role_known && !h.read_only && h.state == HostState::up);
  }
  auto rank = [&](std::size_t i)
                  TABULA_REQUIRES(mutex_) -> std::optional<std::pair<int, std::size_t>> {
    const Host& h = hosts_[i];
    // A single server is never denied here: the pool's own backoff spaces its attempts.
    if (tried.size() > i && tried[i]) return std::nullopt;
    if (hosts_.size() > 1 && h.denied_until > now) return std::nullopt;
    if (h.probing) return std::nullopt;  // another attempt is asking it already
    if (per_host_cap_ > 0 && h.open >= per_host_cap_) return std::nullopt;
    std::size_t load = topology_ == Topology::sequential ? 0 : h.open;
    if (topology_ != Topology::replication) return std::pair{0, load};
    if (!h.role_known) return std::pair{1, std::size_t{0}};  // ask it, in order
    int f = fit_locked(h, intent);
    if (f == 0) return std::pair{0, load};
    if (f == 1) return std::pair{2, load};
    // A write with no live primary known asks the replicas again: one may have been promoted.
    if (intent == Intent::write && h.read_only && !primary_up) {
      return std::pair{3, std::size_t{0}};
    }
    return std::nullopt;
  };
  std::optional<std::size_t> best;
  std::pair<int, std::size_t> best_rank{};
  std::size_t candidates = 0;
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    auto r = rank(i);
    if (!r) continue;
    ++candidates;
    if (!best || *r < best_rank) {
      best = i;
      best_rank = *r;
    }
  }
  if (alternatives != nullptr) *alternatives = candidates > 0 ? candidates - 1 : 0;
  if (best) {
    Host& chosen = hosts_[*best];
    ++chosen.open;
    if (chosen.state != HostState::up && chosen.state != HostState::unknown) chosen.probing = true;
    return best;
  }
  // Whether waiting may help: a connection to a host at its per-host cap may come back, a host
  // refusing connections may take one later, and (replication) a host that is up but not what
  // the intent needs may become it (a replica catches up, a primary is promoted).
  why.clear();
  bool some_at_cap = false;
  bool all_refusing = true;
  bool some_up = false;
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    const Host& h = hosts_[i];
    why += (why.empty() ? "" : "; ") + names_[i] + " ";
    if (per_host_cap_ > 0 && h.open >= per_host_cap_) {
      some_at_cap = true;
      why += "has max_connections_per_host (" + std::to_string(per_host_cap_) + ") open";
      continue;
    }
    all_refusing = all_refusing && h.state == HostState::refusing;
    some_up = some_up || h.state == HostState::up;
    if (topology_ == Topology::replication && h.role_known && h.state == HostState::up) {
      why += h.read_only ? "is a read-only replica" : "is the primary";
      if (h.read_only && !lag_ok_locked(h)) {
        why += h.lag && *h.lag == std::chrono::milliseconds::max()
                   ? " whose replication is stopped"
                   : " lagging more than max_replica_lag";
      }
      continue;
    }
    why += std::string(to_string(h.state)) + (h.last_error.empty() ? "" : ": " + h.last_error);
  }
  full = some_at_cap || all_refusing || (topology_ == Topology::replication && some_up);
  return std::nullopt;
}

bool HostSet::lag_ok_locked(const Host& h) const {
  return !h.lag || *h.lag <= max_replica_lag_;  // unknown lag (no privilege to ask) is trusted
}

int HostSet::fit_locked(const Host& h, Intent intent) const {
  if (topology_ != Topology::replication) return 0;
  if (!h.role_known) return -1;
  if (intent == Intent::write) return h.read_only ? -1 : 0;
  if (h.read_only) return lag_ok_locked(h) ? 0 : -1;
  return replica_fallback_ ? 1 : -1;
}

int HostSet::fit(std::size_t host, Intent intent) const {
  MutexLock lock(mutex_);
  return fit_locked(hosts_.at(host), intent);
}

std::string HostSet::roles() const {
  MutexLock lock(mutex_);
  std::string out;
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    const Host& h = hosts_[i];
    out += (out.empty() ? "" : ", ") + names_[i] + " ";
    if (!h.role_known || h.state != HostState::up) {
      out += to_string(h.state);
    } else if (!h.read_only) {
      out += "primary";
    } else if (h.lag && *h.lag == std::chrono::milliseconds::max()) {
      out += "replica (replication stopped)";
    } else {
      out += "replica" + (h.lag ? " (lag " + std::to_string(h.lag->count() / 1000) + " s)" : "");
    }
  }
  return out;
}

void HostSet::opened(std::size_t host, const NodeCheck& check) {
  MutexLock lock(mutex_);
  Host& h = hosts_.at(host);
  if (topology_ == Topology::replication) {
    h.role_known = true;
    h.read_only = check.read_only;
    h.lag = check.lag;
  }
  suspect_[host].store(false, std::memory_order_relaxed);
  checked_at_[host].store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
  h.state = HostState::up;
  h.probing = false;
  h.backoff = milliseconds{0};
  h.denied_until = {};
  h.last_error.clear();
}

void HostSet::failed(std::size_t host, HostState state, const std::string& why) {
  {
    MutexLock lock(mutex_);
    Host& h = hosts_.at(host);
    if (h.open > 0) --h.open;
  }
  mark(host, state, why);
}

void HostSet::mark(std::size_t host, HostState state, const std::string& why) {
  MutexLock lock(mutex_);
  Host& h = hosts_.at(host);
  suspect_[host].store(true, std::memory_order_relaxed);
  h.state = state;
  h.probing = false;
  h.last_error = why;
  ++h.failures_total;
  h.backoff = h.backoff.count() == 0 ? kFirstBackoff : std::min(h.backoff * 2, kMaxBackoff);
  h.denied_until = Clock::now() + h.backoff;
}

void HostSet::broke(std::size_t host) {
  if (host < urls_.size()) suspect_[host].store(true, std::memory_order_relaxed);
}

void HostSet::released(std::size_t host) noexcept {
  MutexLock lock(mutex_);
  if (host >= hosts_.size()) return;
  if (hosts_[host].open > 0) --hosts_[host].open;
  hosts_[host].probing = false;  // an attempt that ended without opened() or failed()
}

bool HostSet::is_down(std::size_t host) const {
  MutexLock lock(mutex_);
  HostState state = hosts_.at(host).state;
  return state == HostState::down;
}

std::vector<HostStats> HostSet::stats() const {
  std::vector<HostStats> out;
  if (!cluster_) return out;
  MutexLock lock(mutex_);
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    const Host& h = hosts_[i];
    HostStats stats{
        names_[i], std::string(to_string(h.state)), h.open, h.failures_total, h.last_error, {}, {}};
    if (topology_ == Topology::replication && h.role_known) {
      stats.role = h.read_only ? "replica" : "primary";
      if (h.read_only && h.lag) {
        stats.lag_seconds = *h.lag == std::chrono::milliseconds::max()
                                ? -1
                                : std::chrono::duration_cast<std::chrono::seconds>(*h.lag).count();
      }
    }
    out.push_back(std::move(stats));
  }
  return out;
}

void HostSet::forget_connections() noexcept {
  MutexLock lock(mutex_);
  for (Host& h : hosts_) h.open = 0;
}

}  // namespace tabula::detail

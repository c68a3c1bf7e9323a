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
      cluster_(url.hosts().size() > 1 || options.topology != Topology::sequential),
      suspect_(new std::atomic<bool>[std::max<std::size_t>(1, url.hosts().size())] {}) {
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

std::optional<std::size_t> HostSet::reserve(std::string& why, bool& full) {
  MutexLock lock(mutex_);
  const auto now = Clock::now();
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    const Host& h = hosts_[i];
    // A single server is never denied here: the pool's own backoff spaces its attempts.
    if (hosts_.size() > 1 && h.denied_until > now) continue;
    if (per_host_cap_ > 0 && h.open >= per_host_cap_) continue;
    if (!best) {
      best = i;
      if (topology_ == Topology::sequential) break;
    } else if (h.open < hosts_[*best].open) {
      best = i;
    }
  }
  if (best) {
    ++hosts_[*best].open;
    return best;
  }
  why.clear();
  full = true;
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    const Host& h = hosts_[i];
    why += (why.empty() ? "" : "; ") + names_[i] + " ";
    if (per_host_cap_ > 0 && h.open >= per_host_cap_) {
      why += "has max_connections_per_host (" + std::to_string(per_host_cap_) + ") open";
    } else {
      full = full && h.state == HostState::refusing;
      why += std::string(to_string(h.state)) + (h.last_error.empty() ? "" : ": " + h.last_error);
    }
  }
  return std::nullopt;
}

void HostSet::opened(std::size_t host) {
  MutexLock lock(mutex_);
  Host& h = hosts_.at(host);
  suspect_[host].store(false, std::memory_order_relaxed);
  h.state = HostState::up;
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
  h.last_error = why;
  ++h.failures_total;
  h.backoff = h.backoff.count() == 0 ? kFirstBackoff : std::min(h.backoff * 2, kMaxBackoff);
  h.denied_until = Clock::now() + h.backoff;
}

void HostSet::broke(std::size_t host) {
  MutexLock lock(mutex_);
  Host& h = hosts_.at(host);
  suspect_[host].store(true, std::memory_order_relaxed);
  if (h.state == HostState::up) h.state = HostState::down;
  if (h.last_error.empty()) h.last_error = "a connection to it broke";
}

void HostSet::released(std::size_t host) noexcept {
  MutexLock lock(mutex_);
  if (host < hosts_.size() && hosts_[host].open > 0) --hosts_[host].open;
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
    out.push_back(
        {names_[i], std::string(to_string(h.state)), h.open, h.failures_total, h.last_error});
  }
  return out;
}

void HostSet::forget_connections() noexcept {
  MutexLock lock(mutex_);
  for (Host& h : hosts_) h.open = 0;
}

}  // namespace tabula::detail

#include "pool/pool_core.hpp"

#include "connection_access.hpp"
#include "dialect/client_library.hpp"
#include "dialect/sql_dialect.hpp"
#include "pool/fork_guard.hpp"

#include <time.h>

#include <algorithm>
#include <map>

namespace tabula::detail {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// A lease's token carries the process generation it was lent in above the slot number, so that a
// lease inherited across fork() is recognised when it comes back in the child.
constexpr unsigned kSlotBits = 24;
constexpr std::size_t kSlotMask = (std::size_t{1} << kSlotBits) - 1;

std::size_t make_token(std::size_t slot, std::uint64_t generation) {
  return slot | static_cast<std::size_t>(generation << kSlotBits);
}

bool token_is_current(std::size_t token) {
  return (token >> kSlotBits) == (fork_generation() & (~std::uint64_t{0} >> kSlotBits));
}

std::string millis(Clock::duration d) {
  return std::to_string(duration_cast<milliseconds>(d).count()) + " ms";
}

std::string location(const std::source_location& at) {
  if (at.file_name() == nullptr || at.file_name()[0] == '\0') return "(unknown)";
  return std::string(at.file_name()) + ":" + std::to_string(at.line());
}

// How long the oldest waiter may be overtaken by newcomers (see may_barge_locked). Measured with
// the coarse clock, so in practice between this and one clock tick (~4 ms) more.
constexpr milliseconds kBargeWindow{2};

// Connection attempts after a failure are spaced 50 ms, 100 ms, ... up to 2 s apart.
constexpr milliseconds kFirstBackoff{50};
constexpr milliseconds kMaxBackoff{2000};

std::atomic<std::uint64_t> next_pool_id{1};

// The slot this thread gave back last, and to which pool: where its next checkout looks first.
struct LastSlot {
  std::uint64_t pool = 0;
  std::size_t slot = 0;
};
thread_local LastSlot last_slot;

}  // namespace

Clock::time_point coarse_now() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return Clock::time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
}

void PoolCore::Slot::clear() noexcept {
  state.store(kEmpty, std::memory_order_relaxed);
  connection.reset();
  created.store({}, std::memory_order_relaxed);
  last_used.store({}, std::memory_order_relaxed);
  taken.store({}, std::memory_order_relaxed);
  taken_at.store({}, std::memory_order_relaxed);
  leak_reported.store(false, std::memory_order_relaxed);
}

PoolCore::PoolCore(Url url, PoolOptions options)
    : url_(std::move(url)),
      id_(next_pool_id.fetch_add(1)),
      size_(options.max_connections),
      checkout_timeout_(options.checkout_timeout),
      validation_timeout_(options.validation_timeout),
      leak_threshold_(options.leak_threshold),
      slots_(new Slot[options.max_connections]),
      fork_generation_(fork_generation()),
      max_lifetime_(options.max_lifetime),
      validation_bypass_(options.validation_bypass),
      hosts_(url_, options),
      options_(options) {
  prepare_client_library(url_.dialect());  // before the housekeeper or any user thread connects
  idle_.reserve(size_);
  free_.reserve(size_);
  for (std::size_t i = size_; i > 0; --i) free_.push_back(i - 1);
  register_for_fork(&mutex_.native());
  register_for_fork(&hosts_.native_mutex());
}

PoolCore::~PoolCore() {
  shutdown();
  unregister_for_fork(&hosts_.native_mutex());
  unregister_for_fork(&mutex_.native());
}

void PoolCore::start() {
  MutexLock lock(mutex_);
  housekeeper_ = std::make_unique<std::thread>([this] { housekeeping_loop(); });
}

void PoolCore::shutdown() noexcept {
  std::vector<std::pair<std::size_t, std::unique_ptr<Connection>>> to_close;
  std::unique_ptr<std::thread> housekeeper;
  bool first = false;
  {
    MutexLock lock(mutex_);
    check_fork_locked();
    if (!closed_.load()) {
      first = true;
      closed_.store(true);
      housekeeper_stop_ = true;
      // Unlist every slot: idle ones are closed now; a fast-path user's give-back will fail its
      // CAS and come through the lock.
      while (!idle_.empty()) {
        std::size_t i = idle_.back();
        idle_.pop_back();
        if (claim_listed_locked(i, kClosing)) {
          to_close.emplace_back(i, std::move(slots_[i].connection));
        }
      }
      for (Waiter* w = waiters_head_; w != nullptr; w = w->next) w->cv.notify_one();
    }
    housekeeper = std::move(housekeeper_);
  }
  housekeeper_cv_.notify_all();
  if (housekeeper && housekeeper->joinable()) {
    if (housekeeper->get_id() == std::this_thread::get_id()) {
      housekeeper->detach();  // cannot join itself; its loop has seen the stop flag
    } else {
      housekeeper->join();
    }
  }
  auto deadline = close_deadline();  // one for all: a dead host costs one timeout, not twelve
  for (auto& entry : to_close) {
    close_outside_lock(std::move(entry.second), deadline, slots_[entry.first].host);
  }
  MutexLock lock(mutex_);
  for (auto& entry : to_close) free_slot_locked(entry.first, true);
  if (first && any_out_locked()) {
    // Leases (or openings) are out: stay alive until the last one is back.
    try {
      keep_alive_ = shared_from_this();
    } catch (const std::bad_weak_ptr&) {
      // Called from the destructor: no lease can be out then (each would hold us alive).
    }
  }
}

// --- checkout ----------------------------------------------------------------------------------

Lease PoolCore::checkout(Clock::duration timeout, std::source_location where, Intent intent) {
  std::optional<Grant> fast = try_fast_take(where);
  if (fast && fast->ready) return make_pool_lease(std::move(fast->connection), fast->slot, where);
  return std::move(*checkout_slow(std::move(fast), timeout, where, true, intent));
}

std::optional<Lease> PoolCore::try_checkout(Clock::duration timeout, std::source_location where,
                                            Intent intent) {
  std::optional<Grant> fast = try_fast_take(where);
  if (fast && fast->ready) return make_pool_lease(std::move(fast->connection), fast->slot, where);
  return checkout_slow(std::move(fast), timeout, where, false, intent);
}

std::optional<Lease> PoolCore::checkout_slow(std::optional<Grant> fast, Clock::duration timeout,
                                             std::source_location where, bool throw_on_timeout,
                                             Intent intent) {
  Timer timer{timeout, std::nullopt};
  if (fast) {
    if (auto lease = finish_checkout(std::move(*fast), timer, where, intent)) return lease;
  }
  for (;;) {
    std::optional<Grant> grant = acquire(timer, where, throw_on_timeout, intent);
    if (!grant) return std::nullopt;
    if (grant->ready) return make_pool_lease(std::move(grant->connection), grant->slot, where);
    if (auto lease = finish_checkout(std::move(*grant), timer, where, intent)) return lease;
    // Refused by the server: wait for a connection to come back or for the backoff to pass.
  }
}

std::optional<PoolCore::Grant> PoolCore::try_fast_take(std::source_location where) noexcept {
  // Under replication a connection serves reads or writes depending on its host: the locked
  // path chooses.
  if (hosts_.topology() == Topology::replication || closed_.load(std::memory_order_acquire) ||
      fork_generation_.load(std::memory_order_relaxed) != fork_generation()) {
    return std::nullopt;
  }
  // The same rule as may_barge_locked(): overtake waiters only while the oldest is young.
  if (waiting_.load(std::memory_order_relaxed) != 0 &&
      coarse_now() - head_since_.load(std::memory_order_relaxed) >= kBargeWindow) {
    return std::nullopt;
  }
  // First the slot this thread gave back last (likely still idle, its cache lines likely still
  // ours), then any other idle listed slot.
  LastSlot remembered = last_slot;
  std::size_t first = remembered.pool == id_ ? remembered.slot : 0;
  std::size_t taken = size_;
  for (std::size_t n = 0; n < size_ && taken == size_; ++n) {
    std::size_t i = first + n < size_ ? first + n : first + n - size_;
    std::uint32_t expected = kIdle | kListed;
    if (slots_[i].state.load(std::memory_order_relaxed) == expected &&
        slots_[i].state.compare_exchange_strong(
            expected, kInUse | kListed, std::memory_order_acquire, std::memory_order_relaxed)) {
      taken = i;
    }
  }
  if (taken == size_) return std::nullopt;
  Slot& s = slots_[taken];
  Grant grant;
  grant.slot = taken;
  grant.connection = std::move(s.connection);
  auto now = coarse_now();
  auto last_used = s.last_used.load(std::memory_order_relaxed);
  grant.validate = now - last_used > validation_bypass_.load(std::memory_order_relaxed) ||
                   last_used < suspect_since_.load(std::memory_order_relaxed) ||
                   hosts_.due_for_check(s.host, now);
  lend(s, where, now);
  if (!grant.validate) {
    grant.ready = true;
    // Only the slot's owner writes its counter, so a plain increment suffices (no RMW).
    s.fast_checkouts.store(s.fast_checkouts.load(std::memory_order_relaxed) + 1,
                           std::memory_order_relaxed);
  }
  return grant;
}

void PoolCore::lend(Slot& s, std::source_location where, Clock::time_point now) noexcept {
  s.taken.store(now, std::memory_order_relaxed);
  s.taken_at.store(where, std::memory_order_relaxed);
  s.leak_reported.store(false, std::memory_order_relaxed);
}

Lease PoolCore::make_pool_lease(std::unique_ptr<Connection> connection, std::size_t slot,
                                std::source_location where) {
  return make_lease(std::move(connection),
                    make_token(slot, fork_generation_.load(std::memory_order_relaxed)), where);
}

std::optional<PoolCore::Grant> PoolCore::acquire(Timer& timer, std::source_location where,
                                                 bool throw_on_timeout, Intent intent) {
  MutexLock lock(mutex_);
  check_fork_locked();
  auto fail_fast_error = [&]() TABULA_REQUIRES(mutex_) {
    auto ago = coarse_now() - (backoff_.until - backoff_.delay);
    return ConnectError(
        backoff_.message + " (not retried: the server failed a connection " + millis(ago) + " ago)",
        backoff_.code, backoff_.sqlstate);
  };
  if (closed_.load()) {
    throw Error("the connection pool for " + url_.to_string() + " is shut down");
  }
  // Counts a grant that needs no validation and no opening as a finished checkout right here,
  // so this path takes the lock once.
  auto settle = [&](Grant& grant) TABULA_REQUIRES(mutex_) {
    if (grant.connection && !grant.validate && !grant.reopen) {
      grant.ready = true;
      ++checkouts_total_;
      waits_.record(timer.elapsed());
    }
  };
  if (may_barge_locked()) {
    if (std::optional<Grant> grant = take_locked(where, intent)) {
      settle(*grant);
      return grant;
    }
    if (must_fail_fast_locked()) throw fail_fast_error();
  }

  Waiter self;
  self.where = where;
  self.intent = intent;
  self.since = coarse_now();
  timer.start_at(Clock::now());
  enqueue_locked(self);
  for (;;) {
    grant_waiters_locked();
    if (self.grant) {
      settle(*self.grant);
      return std::move(self.grant);
    }
    if (&self == waiters_head_) {
      if (std::optional<Grant> grant = take_locked(where, intent)) {
        dequeue_locked(self);
        grant_waiters_locked();  // more may be free: wake the next head
        settle(*grant);
        return grant;
      }
    }
    if (closed_.load()) {
      dequeue_locked(self);
      throw Error("the connection pool for " + url_.to_string() + " is shut down");
    }
    if (&self == waiters_head_ && must_fail_fast_locked()) {
      dequeue_locked(self);
      throw fail_fast_error();
    }
    auto now = Clock::now();
    if (now >= timer.deadline()) {
      dequeue_locked(self);
      ++timeouts_total_;
      waits_.record(timer.elapsed());
      if (!throw_on_timeout) return std::nullopt;
      throw PoolTimeout(timeout_message_locked(timer.elapsed()));
    }
    auto wake = timer.deadline();
    if (&self == waiters_head_ && backoff_.delay.count() > 0) {
      // The backoff clock is coarse; wake at its end to try again.
      wake = std::min(
          wake, now + std::max<Clock::duration>(backoff_.until - coarse_now(), milliseconds{1}));
    }
    // Cleared only now, right before sleeping: a wake-up recorded while we were still running
    // (even by our own grant_waiters_locked call above) must not stop the next one.
    self.notified = false;
    self.cv.wait_until(lock.native(), wake);
  }
}

std::optional<Lease> PoolCore::finish_checkout(Grant grant, Timer& timer,
                                               std::source_location where, Intent intent) {
  std::unique_ptr<Connection> connection = std::move(grant.connection);
  Slot& s = slots_[grant.slot];
  bool dead = connection && grant.validate && !validate(*connection, s.host);
  // Alive, but to a host that does not serve this intent (a replica for a write, or the roles
  // changed while it sat idle): replaced the same way.
  bool elsewhere = connection && !dead && (grant.reopen || hosts_.fit(s.host, intent) < 0);
  if (dead || elsewhere) {
    // Close it and open a replacement in the same slot, which stays reserved throughout, so the
    // replacement never exceeds the cap.
    {
      MutexLock lock(mutex_);
      if (dead) ++validation_failures_total_;
      if (dead) suspect_since_.store(coarse_now());  // a restart? check the others
      unlist_owned_locked(grant.slot);
      s.state.store(kClosing);
    }
    // Within the checkout's own deadline too (nobody waits past checkout_timeout), but long
    // enough to see a prompt answer.
    auto deadline = std::max(timer.deadline(), Clock::now() + milliseconds{20});
    close_outside_lock(std::move(connection), std::min(close_deadline(), deadline), s.host);
    MutexLock lock(mutex_);
    ++closed_total_;
    hosts_.released(s.host);
    s.clear();
    s.state.store(kOpening);
  }
  if (!connection) {
    connection = open_into(grant.slot, timer.deadline(), intent);
    if (!connection) return std::nullopt;
  }
  {
    MutexLock lock(mutex_);
    if (s.state.load() == kOpening) s.state.store(kInUse);
    lend(s, where, coarse_now());
    ++checkouts_total_;
    waits_.record(timer.elapsed());
  }
  return make_pool_lease(std::move(connection), grant.slot, where);
}

// How long one host of a list may take to connect: an equal share of what is left of the
// checkout for each host that could be asked now (not tried, not denied, not at its cap, of the
// role wanted), so a host that swallows packets or never greets (a hung server, a dead machine
// whose address still routes) cannot use the whole checkout before the others are asked. Whole
// seconds (the client's connect timeout has no finer unit), at least one; all that is left when
// no other host could be asked.
Clock::time_point PoolCore::attempt_deadline(Clock::time_point deadline, std::size_t hosts_left) {
  if (hosts_left <= 1) return deadline;
  auto now = Clock::now();
  auto share = std::chrono::floor<seconds>((deadline - now) / static_cast<Clock::rep>(hosts_left));
  return std::min(deadline, now + std::max(share, seconds{1}));
}

std::unique_ptr<Connection> PoolCore::open_into(std::size_t slot, Clock::time_point deadline,
                                                Intent intent) {
  {
    MutexLock lock(mutex_);
    ++connect_attempts_total_;
  }
  // Each host at most once per attempt, in the order hosts_ prefers; on a single server this
  // is one try, and its error is the caller's.
  std::string failures;
  bool all_refused = true;
  std::optional<ConnectError> only;
  std::vector<bool> tried(hosts_.size(), false);
  try {
    for (std::size_t tries = 0; tries < hosts_.size(); ++tries) {
      std::string why;
      bool full = false;
      std::size_t alternatives = 0;
      std::optional<std::size_t> host = hosts_.reserve(why, full, intent, tried, &alternatives);
      if (!host) {
        if (failures.empty()) failures = why;
        all_refused = all_refused && full;
        break;
      }
      tried[*host] = true;
      try {
        auto connection = open_on(*host, attempt_deadline(deadline, alternatives + 1), intent);
        if (!connection) {
          all_refused = false;
          continue;  // not the host for this intent (its role is known now)
        }
        clamp_to_wait_timeout(*connection);
        MutexLock lock(mutex_);
        ++created_total_;
        auto now = coarse_now();
        slots_[slot].host = *host;
        slots_[slot].created.store(now);
        slots_[slot].last_used.store(now);
        backoff_ = Backoff{};
        probe_in_flight_ = false;
        return connection;
      } catch (const ConnectError& e) {
        if (hosts_.size() == 1) throw;
        failures += (failures.empty() ? "" : "; ") + hosts_.name(*host) + ": " + e.what();
        all_refused = all_refused && e.is_refusal();
        if (Clock::now() >= deadline) break;
      } catch (...) {
        hosts_.released(*host);
        throw;
      }
    }
    // No host could take the connection: one error for the pool's backoff, naming each host.
    if (hosts_.topology() == Topology::replication) {
      // Every host as now known (roles included); waiting helps while some host is up.
      std::string why;
      bool full = false;
      static_cast<void>(hosts_.reserve(why, full, intent, std::vector<bool>(hosts_.size(), true)));
      only.emplace(std::string(intent == Intent::write ? "no primary" : "no host for reads") +
                       " among the hosts of " + url_.to_string() + ": " + why,
                   0, full ? "08004" : "08001", full);
    } else {
      only.emplace("no host of " + url_.to_string() + " took a connection: " + failures, 0,
                   all_refused ? "08004" : "08001", all_refused);
    }
  } catch (const ConnectError& e) {
    only.emplace(e);
  } catch (...) {
    MutexLock lock(mutex_);
    probe_in_flight_ = false;
    free_slot_locked(slot, false);
    throw;
  }
  MutexLock lock(mutex_);
  record_connect_failure_locked(*only);
  free_slot_locked(slot, false);
  if (only->is_refusal()) return nullptr;
  throw *only;
}

std::unique_ptr<Connection> PoolCore::open_on(std::size_t host, Clock::time_point deadline,
                                              Intent intent) {
  auto left = duration_cast<milliseconds>(deadline - Clock::now());
  std::unique_ptr<Connection> connection;
  try {
    connection = Connection::open(hosts_.url(host), std::max(left, milliseconds{1}));
  } catch (const ConnectError& e) {
    hosts_.failed(host,
                  e.is_refusal()                               ? HostState::refusing
                  : sql_dialect(url_.dialect()).unreachable(e) ? HostState::down
                                                               : HostState::failing,
                  e.what());
    throw;
  }
  if (hosts_.topology() != Topology::sequential) {
    NodeCheck check;
    try {
      check = ConnectionAccess::dialect(*connection).check_node(*connection, hosts_.topology());
    } catch (const std::exception& e) {
      check = NodeCheck::unusable(std::string("its state could not be read: ") + e.what());
    }
    // A connection that will not be used is closed like any other (the server confirms before
    // the slot opens another), and only then does its host's count go back.
    if (!check.usable) {
      close_outside_lock(std::move(connection), close_deadline(), host);
      hosts_.failed(host, HostState::desynced, check.why);
      throw ConnectError(hosts_.name(host) + " may not take work: " + check.why, 0, "08004");
    }
    hosts_.opened(host, check);
    if (hosts_.fit(host, intent) < 0) {
      close_outside_lock(std::move(connection), close_deadline(), host);
      hosts_.released(host);
      return nullptr;
    }
    return connection;
  }
  hosts_.opened(host);
  return connection;
}

bool PoolCore::validate(Connection& connection, std::size_t host) {
  // The ping is bounded by validation_timeout (a half-open socket cannot hang the checkout);
  // a node's check follows on a connection known to answer.
  if (!connection.ping(validation_timeout_)) {
    hosts_.broke(host);
    return false;
  }
  if (hosts_.topology() == Topology::sequential) return true;
  NodeCheck check;
  try {
    check = ConnectionAccess::dialect(connection).check_node(connection, hosts_.topology());
  } catch (...) {
    hosts_.broke(host);
    return false;
  }
  if (!check.usable) {
    hosts_.mark(host, HostState::desynced, check.why);
    return false;
  }
  hosts_.opened(host, check);
  return true;
}

// --- giving back -------------------------------------------------------------------------------

bool PoolCore::try_fast_give_back(std::unique_ptr<Connection>& connection,
                                  std::size_t slot) noexcept {
  if (closed_.load(std::memory_order_acquire) || waiting_.load(std::memory_order_relaxed) != 0 ||
      connection->is_broken()) {
    return false;
  }
  Slot& s = slots_[slot];
  // No clock read here unless leak reports are on: the checkout time stands in for "last used"
  // (so a long-held connection is pinged when next taken, which errs on the safe side) and for
  // the age check (a connection past max_lifetime is retired at its next return).
  auto taken = s.taken.load(std::memory_order_relaxed);
  if (leak_threshold_.count() > 0 && coarse_now() - taken > leak_threshold_) {
    return false;  // to be reported: the locked path logs
  }
  auto lifetime = max_lifetime_.load(std::memory_order_relaxed);
  if (lifetime.count() > 0 && taken - s.created.load(std::memory_order_relaxed) >= lifetime) {
    return false;  // to be retired
  }
  std::uint64_t pool = id_;
  s.connection = std::move(connection);
  s.last_used.store(taken, std::memory_order_relaxed);
  std::uint32_t expected = kInUse | kListed;
  if (!s.state.compare_exchange_strong(expected, kIdle | kListed, std::memory_order_release,
                                       std::memory_order_relaxed)) {
    connection = std::move(s.connection);  // unlisted meanwhile: we still own the slot
    return false;
  }
  // The slot is anyone's now, and the core may be gone: touch nothing of it after the CAS.
  last_slot = LastSlot{pool, slot};
  return true;
}

void PoolCore::give_back(std::unique_ptr<Connection> connection, std::size_t token) noexcept {
  // Declared first, destroyed last: when the Pool is gone and this was the last lease out, this
  // reference is all that keeps *this alive, so nothing may touch members after it goes.
  std::shared_ptr<PoolCore> last_reference;
  std::size_t slot = token & kSlotMask;
  if (!token_is_current(token)) {
    // Lent out before fork(), returned in the child: the parent still owns that session, so do
    // not so much as roll it back.
    Connection::abandon(std::move(connection));
    MutexLock lock(mutex_);
    check_fork_locked();
    last_reference = release_if_drained_locked();
    return;
  }
  // Undo a transaction left open before anything else, outside the lock (it is a round trip).
  // A clean connection costs nothing here: the server's status flags say so.
  bool reset_failed = false;
  if (!connection->is_broken() && connection->in_transaction()) {
    reset_failed = !connection->reset(validation_timeout_);
  }
  if (!reset_failed && try_fast_give_back(connection, slot)) return;

  auto now = coarse_now();
  std::string leak_note;
  bool closing = false;
  {
    MutexLock lock(mutex_);
    Slot& s = slots_[slot];
    auto held = now - s.taken.load();
    if (leak_threshold_.count() > 0 && held > leak_threshold_) {
      if (!s.leak_reported.load()) ++leaks_reported_total_;
      leak_note = "connection taken at " + location(s.taken_at.load()) + " returned after " +
                  millis(held) + " (leak_threshold " + millis(leak_threshold_) + ")";
    }
    auto lifetime = max_lifetime_.load();
    bool expired = lifetime.count() > 0 && now - s.created.load() >= lifetime;
    if (connection->is_broken() && !reset_failed) {
      ++broken_total_;
      hosts_.broke(s.host);
      suspect_since_.store(now);  // a disconnect may mean a restart: validate idle ones first
    }
    closing = closed_.load() || expired || reset_failed || connection->is_broken();
    if (closing) {
      unlist_owned_locked(slot);
      s.state.store(kClosing);
    } else {
      s.last_used.store(now);
      make_idle_locked(slot, std::move(connection));
      last_slot = LastSlot{id_, slot};
      grant_waiters_locked();
    }
  }
  if (!leak_note.empty()) log(LogLevel::warning, leak_note);
  if (reset_failed) {
    log(LogLevel::warning, "closing a connection to " + url_.to_string() +
                               " whose transaction could not be rolled back on return");
  }
  if (closing) {
    close_outside_lock(std::move(connection), close_deadline(), slots_[slot].host);
    MutexLock lock(mutex_);
    free_slot_locked(slot, true);
    last_reference = release_if_drained_locked();
  }
}

void PoolCore::close_outside_lock(std::unique_ptr<Connection> connection,
                                  Clock::time_point deadline, std::size_t host) noexcept {
  // Network I/O and a wait for the server, so never under the lock.
  if (hosts_.is_cluster() && hosts_.is_down(host)) {
    // A host seen down: say goodbye, wait for nothing (its server, if any, no longer counts).
    static_cast<void>(connection->close(Clock::now()));
    return;
  }
  if (connection->close(deadline)) return;
  {
    MutexLock lock(mutex_);
    ++unconfirmed_closes_total_;
  }
  log(LogLevel::warning,
      "closed a connection to " + url_.to_string() + " whose server did not confirm the close " +
          "in time (validation_timeout " + millis(validation_timeout_) +
          "): the host no longer answers, or the server is still busy with it; its slot is " +
          "free again, and until the server ends that connection it may count one more than " +
          "max_connections");
}

// --- helpers under the lock --------------------------------------------------------------------

bool PoolCore::claim_listed_locked(std::size_t i, std::uint32_t to) {
  Slot& s = slots_[i];
  std::uint32_t word = s.state.load(std::memory_order_acquire);
  for (;;) {
    if (word == (kIdle | kListed)) {
      if (s.state.compare_exchange_weak(word, to, std::memory_order_acquire)) return true;
    } else if (word == (kInUse | kListed)) {
      // A fast-path user holds it: unlist, so its give-back comes through the lock.
      if (s.state.compare_exchange_weak(word, kInUse, std::memory_order_relaxed)) return false;
    } else {
      return false;  // a stale entry: the slot was unlisted and its state moved on
    }
  }
}

void PoolCore::unlist_owned_locked(std::size_t i) {
  // We own the slot (in use), so no CAS is needed: only lock holders unlist, and the fast path
  // never touches a slot that is in use.
  Slot& s = slots_[i];
  std::uint32_t word = s.state.load();
  if ((word & kListed) == 0) return;
  if (auto it = std::find(idle_.begin(), idle_.end(), i); it != idle_.end()) idle_.erase(it);
  s.state.store(word & ~kListed);
}

void PoolCore::make_idle_locked(std::size_t i, std::unique_ptr<Connection> connection) {
  Slot& s = slots_[i];
  s.connection = std::move(connection);
  if ((s.state.load() & kListed) == 0) idle_.push_back(i);
  s.state.store(kIdle | kListed, std::memory_order_release);
}

bool PoolCore::can_open_locked() const {
  if (closed_.load() || free_.empty()) return false;
  if (backoff_.delay.count() == 0) return true;
  return coarse_now() >= backoff_.until && !probe_in_flight_;
}

bool PoolCore::must_fail_fast_locked() const {
  // The server was unreachable moments ago and this caller would have to open a connection:
  // fail now with that error instead of lining up attempts against a dead server.
  return backoff_.delay.count() > 0 && !backoff_.refusal && idle_.empty() && !free_.empty() &&
         !can_open_locked();
}

bool PoolCore::may_barge_locked() const {
  // A newcomer may take a free connection ahead of waiting threads only while the oldest of them
  // has waited less than kBargeWindow. Under oversubscription this keeps running threads running
  // instead of switching to a sleeping waiter for every connection; past the window, strict
  // first-come-first-served hand-off takes over, so no waiter is ever starved.
  return waiters_head_ == nullptr || coarse_now() - waiters_head_->since < kBargeWindow;
}

std::optional<PoolCore::Grant> PoolCore::take_locked(std::source_location where, Intent intent) {
  auto lend_idle = [&](std::size_t i, bool reopen) TABULA_REQUIRES(mutex_) {
    Slot& s = slots_[i];
    Grant grant;
    grant.slot = i;
    grant.connection = std::move(s.connection);
    grant.reopen = reopen;
    auto now = coarse_now();
    auto last_used = s.last_used.load();
    grant.validate =
        !reopen && (now - last_used > validation_bypass_.load() ||
                    last_used < suspect_since_.load() || hosts_.due_for_check(s.host, now));
    lend(s, where, now);
    return grant;
  };
  if (hosts_.topology() != Topology::replication) {
    while (!idle_.empty()) {
      std::size_t i = idle_.back();
      idle_.pop_back();
      if (!claim_listed_locked(i, kInUse)) continue;
      return lend_idle(i, false);
    }
  } else {
    // The most recently used idle connection that serves the intent best; a fallback (a read on
    // the primary) only when no slot is free to open one that serves it better.
    std::optional<std::size_t> fallback;  // a slot number
    for (std::size_t k = idle_.size(); k > 0; --k) {
      std::size_t i = idle_[k - 1];
      int fit = hosts_.fit(slots_[i].host, intent);
      if (fit == 0) {
        idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(k - 1));
        if (claim_listed_locked(i, kInUse)) return lend_idle(i, false);
      } else if (fit == 1 && !fallback) {
        fallback = i;
      }
    }
    if (fallback && free_.empty()) {
      auto at = std::find(idle_.begin(), idle_.end(), *fallback);
      if (at != idle_.end()) {
        idle_.erase(at);
        if (claim_listed_locked(*fallback, kInUse)) return lend_idle(*fallback, false);
      }
    }
    if (free_.empty() && !idle_.empty()) {
      // Every slot is taken and only connections to other hosts are idle: the least recently
      // used one is closed and its slot opened again where the intent goes.
      std::size_t i = idle_.front();
      idle_.erase(idle_.begin());
      if (claim_listed_locked(i, kInUse)) return lend_idle(i, true);
    }
  }
  if (auto slot = reserve_locked(where)) {
    Grant grant;
    grant.slot = *slot;
    return grant;
  }
  return std::nullopt;
}

std::optional<std::size_t> PoolCore::reserve_locked(std::source_location where) {
  if (!can_open_locked()) return std::nullopt;
  std::size_t i = free_.back();
  free_.pop_back();
  Slot& s = slots_[i];
  s.state.store(kOpening);
  lend(s, where, coarse_now());
  if (backoff_.delay.count() > 0) probe_in_flight_ = true;
  peak_open_ = std::max(peak_open_, size_ - free_.size());
  return i;
}

void PoolCore::grant_waiters_locked() {
  while (waiters_head_ != nullptr) {
    Waiter* head = waiters_head_;
    if (coarse_now() - head->since < kBargeWindow) {
      // A young head takes for itself when it runs; just make sure it runs.
      if (!head->notified && (!idle_.empty() || can_open_locked())) {
        head->notified = true;  // one wake-up is enough until it has run
        head->cv.notify_one();
      }
      return;
    }
    auto grant = take_locked(head->where, head->intent);
    if (!grant) return;
    dequeue_locked(*head);
    head->grant = std::move(grant);
    head->cv.notify_one();
  }
}

void PoolCore::enqueue_locked(Waiter& waiter) {
  waiter.prev = waiters_tail_;
  waiter.next = nullptr;
  if (waiters_tail_ != nullptr) {
    waiters_tail_->next = &waiter;
  } else {
    waiters_head_ = &waiter;
  }
  waiters_tail_ = &waiter;
  head_since_.store(waiters_head_->since, std::memory_order_relaxed);
  waiting_.fetch_add(1);
}

void PoolCore::dequeue_locked(Waiter& waiter) {
  if (waiter.prev != nullptr) {
    waiter.prev->next = waiter.next;
  } else {
    waiters_head_ = waiter.next;
  }
  if (waiter.next != nullptr) {
    waiter.next->prev = waiter.prev;
  } else {
    waiters_tail_ = waiter.prev;
  }
  waiter.next = waiter.prev = nullptr;
  if (waiters_head_ != nullptr) head_since_.store(waiters_head_->since, std::memory_order_relaxed);
  waiting_.fetch_sub(1);
  // While backing off, only the head watches the backoff clock (and may fail fast): tell the
  // new head it is now its turn.
  if (waiters_head_ != nullptr && backoff_.delay.count() > 0) waiters_head_->cv.notify_one();
}

void PoolCore::free_slot_locked(std::size_t slot, bool was_open) {
  if (was_open) {
    ++closed_total_;
    hosts_.released(slots_[slot].host);
  }
  slots_[slot].clear();
  free_.push_back(slot);
  grant_waiters_locked();
}

bool PoolCore::any_out_locked() const {
  for (std::size_t i = 0; i < size_; ++i) {
    std::uint32_t state = state_of(slots_[i].state.load());
    if (state == kInUse || state == kOpening || state == kClosing) return true;
  }
  return false;
}

std::shared_ptr<PoolCore> PoolCore::release_if_drained_locked() {
  if (!keep_alive_ || any_out_locked()) return nullptr;
  return std::move(keep_alive_);
}

void PoolCore::record_connect_failure_locked(const ConnectError& error) {
  ++connect_failures_total_;
  if (error.is_refusal()) ++refusals_total_;
  probe_in_flight_ = false;
  backoff_.delay =
      backoff_.delay.count() == 0 ? kFirstBackoff : std::min(backoff_.delay * 2, kMaxBackoff);
  backoff_.until = coarse_now() + backoff_.delay;
  backoff_.refusal = error.is_refusal();
  backoff_.code = error.code();
  backoff_.sqlstate = error.sqlstate();
  backoff_.message = error.what();
}

void PoolCore::check_fork_locked() {
  std::uint64_t generation = fork_generation();
  if (generation == fork_generation_.load()) return;
  // First use in a child process: nothing inherited may be reused or closed politely. The
  // threads that held leases or waited do not exist here.
  fork_generation_.store(generation);
  for (std::size_t i = 0; i < size_; ++i) {
    if (slots_[i].connection) Connection::abandon(std::move(slots_[i].connection));
    slots_[i].clear();
  }
  idle_.clear();
  free_.clear();
  hosts_.forget_connections();
  for (std::size_t i = size_; i > 0; --i) free_.push_back(i - 1);
  waiters_head_ = waiters_tail_ = nullptr;
  waiting_.store(0);
  backoff_ = Backoff{};
  probe_in_flight_ = false;
  suspect_since_.store({});
  (void)housekeeper_.release();  // its thread did not survive fork(); the object must not be used
  if (!closed_.load()) {
    housekeeper_stop_ = false;
    housekeeper_ = std::make_unique<std::thread>([this] { housekeeping_loop(); });
  }
}

std::string PoolCore::timeout_message_locked(Clock::duration waited) const {
  auto now = coarse_now();
  std::string message = "no connection to " + url_.to_string() + " within " + millis(waited) +
                        " (checkout_timeout " + millis(checkout_timeout_) + "); " +
                        to_string(stats_locked());
  // Group the holders by where they took their connection: 12 leases from one handler read
  // better as one line.
  struct Holders {
    std::size_t count = 0;
    Clock::duration longest{};
  };
  std::map<std::string, Holders> holders;
  for (std::size_t i = 0; i < size_; ++i) {
    const Slot& s = slots_[i];
    if (state_of(s.state.load()) != kInUse) continue;
    Holders& h = holders[location(s.taken_at.load())];
    ++h.count;
    h.longest = std::max(h.longest, now - s.taken.load());
  }
  if (!holders.empty()) {
    message += "; connections held by:";
    for (const auto& [where, h] : holders) {
      message += " " + std::to_string(h.count) + " taken at " + where + " (longest " +
                 millis(h.longest) + ");";
    }
    message.pop_back();
  }
  if (backoff_.refusal && backoff_.delay.count() > 0) {
    message += "; the server refused new connections: " + backoff_.message;
  }
  return message;
}

PoolStats PoolCore::stats_locked() const {
  PoolStats s;
  s.max_connections = size_;
  s.open = size_ - free_.size();
  std::uint64_t fast = 0;
  for (std::size_t i = 0; i < size_; ++i) {
    std::uint32_t state = state_of(slots_[i].state.load());
    if (state == kIdle) ++s.idle;
    if (state == kInUse) ++s.in_use;
    fast += slots_[i].fast_checkouts.load(std::memory_order_relaxed);
  }
  s.waiting = waiting_.load();
  s.peak_open = peak_open_;
  s.checkouts_total = checkouts_total_ + fast;
  s.created_total = created_total_;
  s.closed_total = closed_total_;
  s.connect_attempts_total = connect_attempts_total_;
  s.connect_failures_total = connect_failures_total_;
  s.refusals_total = refusals_total_;
  s.timeouts_total = timeouts_total_;
  s.validation_failures_total = validation_failures_total_;
  s.broken_total = broken_total_;
  s.leaks_reported_total = leaks_reported_total_;
  s.unconfirmed_closes_total = unconfirmed_closes_total_;
  // Fast-path checkouts never waited.
  WaitHistogram waits = waits_;
  waits.record_zeros(fast);
  s.wait_p50 = waits.percentile(0.50);
  s.wait_p95 = waits.percentile(0.95);
  s.wait_p99 = waits.percentile(0.99);
  s.wait_max = waits.max();
  s.wait_total = waits.total();
  s.hosts = hosts_.stats();
  return s;
}

PoolStats PoolCore::stats() const {
  MutexLock lock(mutex_);
  return stats_locked();
}

PoolOptions PoolCore::options() const {
  MutexLock lock(mutex_);
  return options_;
}

// --- wait_timeout and housekeeping -------------------------------------------------------------

void PoolCore::clamp_to_wait_timeout(Connection& connection) noexcept {
  {
    MutexLock lock(mutex_);
    if (wait_timeout_checked_) return;
    wait_timeout_checked_ = true;
  }
  std::optional<std::chrono::seconds> wait_timeout;
  try {
    wait_timeout = connection.server_wait_timeout();
  } catch (const Error& e) {
    log(LogLevel::warning, std::string("could not read the server's wait_timeout: ") + e.what());
    return;
  }
  if (!wait_timeout || wait_timeout->count() <= 0) return;
  // wait_timeout is an idle timer: the server closes a connection that has sent nothing for that
  // long. A connection in steady use never meets it, so max_lifetime is left alone (retiring busy
  // connections would only add churn). What must stay below it is everything that lets a
  // connection sit idle: idle_timeout retires it first, validation_bypass makes sure one idle
  // for longer is pinged before it is lent, and min_idle ones are pinged to keep them alive.
  milliseconds server = *wait_timeout;
  milliseconds limit = server - std::min<milliseconds>(std::chrono::seconds{30}, server / 4);
  MutexLock lock(mutex_);
  auto clamp = [&](const char* name, milliseconds& value, bool zero_means_never) {
    bool unsafe = value > limit || (value.count() == 0 && zero_means_never);
    if (!unsafe) return;
    log(LogLevel::info, std::string("pool option ") + name + " lowered from " +
                            (value.count() == 0 ? std::string("never") : millis(value)) + " to " +
                            millis(limit) + ": the server closes connections idle for longer " +
                            "than its wait_timeout of " + std::to_string(wait_timeout->count()) +
                            " s");
    value = limit;
  };
  clamp("idle_timeout", options_.idle_timeout, true);
  clamp("validation_bypass", options_.validation_bypass, false);
  validation_bypass_.store(options_.validation_bypass);
  keepalive_after_ = limit;
  idle_margin_ = server - limit;
  housekeeper_cv_.notify_all();  // the period may have shrunk
}

void PoolCore::keep_alive_idle(Clock::time_point now) {
  std::vector<std::pair<std::size_t, std::unique_ptr<Connection>>> due;
  {
    MutexLock lock(mutex_);
    if (closed_.load() || keepalive_after_.count() == 0) return;
    std::vector<std::size_t> kept;
    for (std::size_t i : idle_) {
      Slot& s = slots_[i];
      if (now - s.last_used.load() >= keepalive_after_ && claim_listed_locked(i, kInUse)) {
        lend(s, std::source_location::current(), now);
        due.emplace_back(i, std::move(s.connection));
      } else if ((s.state.load() & kListed) != 0) {
        kept.push_back(i);
      }
    }
    idle_ = std::move(kept);
  }
  // One deadline for the batch: a host that stopped answering costs one timeout, not one each.
  auto deadline = close_deadline();
  for (auto& [slot, connection] : due) {
    bool alive = false;
    {
      LibraryUse use;  // the process may be exiting: then no ping, just let go
      MutexLock lock(mutex_);
      bool stopping = housekeeper_stop_ || closed_.load() || !use.granted();
      lock.unlock();
      if (!stopping) {
        auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
        alive = connection->ping(std::max(left, milliseconds{1}));  // resets the idle timer
      }
    }
    {
      MutexLock lock(mutex_);
      if (alive && !closed_.load()) {
        slots_[slot].last_used.store(coarse_now());
        make_idle_locked(slot, std::move(connection));
        grant_waiters_locked();
        continue;
      }
      if (!alive && !closed_.load() && !housekeeper_stop_) ++validation_failures_total_;
      slots_[slot].state.store(kClosing);
    }
    close_outside_lock(std::move(connection), deadline, slots_[slot].host);
    MutexLock lock(mutex_);
    free_slot_locked(slot, true);  // shutdown() joins this thread before it looks at slots
  }
}

PoolCore::Clock::duration PoolCore::housekeeping_period_locked() const {
  Clock::duration period = std::chrono::seconds{1};
  // Half of each interval the housekeeper must act within. idle_margin_: an idle connection is
  // retired (or pinged) between our limit and the server's wait_timeout, not after it.
  for (milliseconds d :
       {options_.idle_timeout, options_.max_lifetime, options_.leak_threshold, idle_margin_}) {
    if (d.count() > 0) period = std::min<Clock::duration>(period, d / 2);
  }
  return std::max<Clock::duration>(period, milliseconds{10});
}

void PoolCore::housekeeping_loop() {
  ClientThread client(url_.dialect());
  MutexLock lock(mutex_);
  while (!housekeeper_stop_) {
    lock.unlock();
    // At process exit the client library is about to end: a pool still alive then (leaked, or
    // static) opens, pings and retires nothing more.
    if (process_exiting()) return;
    housekeep_once();
    lock.lock();
    if (housekeeper_stop_) break;
    housekeeper_cv_.wait_for(lock.native(), housekeeping_period_locked());
  }
}

void PoolCore::housekeep_once() {
  std::vector<std::pair<std::size_t, std::unique_ptr<Connection>>> retired;
  std::vector<std::string> leaks;
  {
    MutexLock lock(mutex_);
    if (closed_.load()) return;
    auto now = coarse_now();
    // Retire from the least recently used end; keep min_idle idle ones unless too old. Slots a
    // fast-path user holds stay listed.
    std::size_t idle_count = 0;
    for (std::size_t i : idle_) {
      if (slots_[i].state.load() == (kIdle | kListed)) ++idle_count;
    }
    std::vector<std::size_t> kept;
    for (std::size_t i : idle_) {
      Slot& s = slots_[i];
      bool too_old =
          options_.max_lifetime.count() > 0 && now - s.created.load() >= options_.max_lifetime;
      bool idle_too_long = options_.idle_timeout.count() > 0 &&
                           now - s.last_used.load() >= options_.idle_timeout &&
                           idle_count > options_.min_idle;
      if ((too_old || idle_too_long) && claim_listed_locked(i, kClosing)) {
        --idle_count;
        retired.emplace_back(i, std::move(s.connection));
      } else if ((s.state.load() & kListed) != 0) {
        kept.push_back(i);
      }
    }
    idle_ = std::move(kept);
    if (leak_threshold_.count() > 0) {
      for (std::size_t i = 0; i < size_; ++i) {
        Slot& s = slots_[i];
        if (state_of(s.state.load()) != kInUse || s.leak_reported.load()) continue;
        auto held = now - s.taken.load();
        if (held <= leak_threshold_) continue;
        s.leak_reported.store(true);
        ++leaks_reported_total_;
        leaks.push_back("possible connection leak: a connection to " + url_.to_string() +
                        " taken at " + location(s.taken_at.load()) + " has been held for " +
                        millis(held) + " (leak_threshold " + millis(leak_threshold_) + ")");
      }
    }
  }
  for (const std::string& leak : leaks) log(LogLevel::warning, leak);
  auto deadline = close_deadline();
  for (auto& entry : retired) {
    close_outside_lock(std::move(entry.second), deadline, slots_[entry.first].host);
  }
  if (!retired.empty()) {
    MutexLock lock(mutex_);
    for (auto& entry : retired) free_slot_locked(entry.first, true);
  }
  keep_alive_idle(coarse_now());

  // Keep min_idle connections warm, one at a time, only when nobody is waiting.
  for (;;) {
    std::size_t slot = 0;
    {
      MutexLock lock(mutex_);
      std::size_t idle_count = 0;
      for (std::size_t i = 0; i < size_; ++i) {
        if (state_of(slots_[i].state.load()) == kIdle) ++idle_count;
      }
      if (closed_.load() || waiters_head_ != nullptr || idle_count >= options_.min_idle) return;
      auto reserved = reserve_locked(std::source_location::current());
      if (!reserved) return;
      slot = *reserved;
    }
    std::unique_ptr<Connection> connection;
    try {
      connection = open_into(slot, Clock::now() + std::chrono::seconds{10}, Intent::write);
    } catch (const Error& e) {
      // At process exit the client library is going away: failing then is expected, not news.
      if (!process_exiting()) {
        log(LogLevel::warning, std::string("could not open a warm connection: ") + e.what());
      }
      return;
    }
    if (!connection) return;  // refused: open_into freed the slot
    MutexLock lock(mutex_);
    if (closed_.load()) {
      // Shut down while this one was opening: close it as any other, and free its slot.
      slots_[slot].state.store(kClosing);
      lock.unlock();
      close_outside_lock(std::move(connection), close_deadline(), slots_[slot].host);
      lock.lock();
      free_slot_locked(slot, true);
      return;
    }
    make_idle_locked(slot, std::move(connection));
    grant_waiters_locked();
  }
}

}  // namespace tabula::detail

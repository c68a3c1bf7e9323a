#include "pool/pool_core.hpp"

#include "pool/fork_guard.hpp"

#include <time.h>

#include <algorithm>
#include <map>

namespace tabula::detail {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// A lease's token carries the process generation it was lent in above the slot number, so that a
// lease inherited across fork() is recognised when it comes back in the child.
constexpr unsigned kSlotBits = 24;
constexpr std::size_t kSlotMask = (std::size_t{1} << kSlotBits) - 1;

std::size_t make_token(std::size_t slot, std::uint64_t generation) {
  return slot | static_cast<std::size_t>(generation << kSlotBits);
}

std::string millis(std::chrono::steady_clock::duration d) {
  return std::to_string(duration_cast<milliseconds>(d).count()) + " ms";
}

std::string location(const std::source_location& at) {
  return std::string(at.file_name()) + ":" + std::to_string(at.line());
}

// How long the oldest waiter may be overtaken by newcomers (see may_barge_locked).
constexpr std::chrono::milliseconds kBargeWindow{2};

// Connection attempts after a failure are spaced 50 ms, 100 ms, ... up to 2 s apart.
constexpr milliseconds kFirstBackoff{50};
constexpr milliseconds kMaxBackoff{2000};

}  // namespace

std::unique_lock<std::mutex> lock_briefly(std::mutex& mutex) {
  for (int spin = 0; spin < 100; ++spin) {
    if (mutex.try_lock()) return std::unique_lock<std::mutex>(mutex, std::adopt_lock);
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  return std::unique_lock<std::mutex>(mutex);
}

std::chrono::steady_clock::time_point coarse_now() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return std::chrono::steady_clock::time_point(std::chrono::seconds(ts.tv_sec) +
                                               std::chrono::nanoseconds(ts.tv_nsec));
}

PoolCore::PoolCore(Url url, PoolOptions options)
    : url_(std::move(url)),
      checkout_timeout_(options.checkout_timeout),
      validation_timeout_(options.validation_timeout),
      options_(options),
      slots_(options.max_connections),
      fork_generation_(fork_generation()) {
  idle_.reserve(slots_.size());
  free_.reserve(slots_.size());
  for (std::size_t i = slots_.size(); i > 0; --i) free_.push_back(i - 1);
  register_for_fork(&mutex_);
}

PoolCore::~PoolCore() {
  shutdown();
  unregister_for_fork(&mutex_);
}

void PoolCore::start() {
  auto lock = lock_briefly(mutex_);
  housekeeper_ = std::make_unique<std::thread>([this] { housekeeping_loop(); });
}

void PoolCore::shutdown() noexcept {
  std::vector<std::pair<std::size_t, std::unique_ptr<Connection>>> to_close;
  std::unique_ptr<std::thread> housekeeper;
  {
    auto lock = lock_briefly(mutex_);
    check_fork_locked();
    if (!closed_) {
      closed_ = true;
      housekeeper_stop_ = true;
      for (std::size_t slot : idle_) {
        slots_[slot].state = SlotState::closing;
        to_close.emplace_back(slot, std::move(slots_[slot].connection));
      }
      idle_.clear();
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
  for (auto& entry : to_close) close_outside_lock(std::move(entry.second));
  auto lock = lock_briefly(mutex_);
  for (auto& entry : to_close) free_slot_locked(entry.first, true);
}

// --- checkout ----------------------------------------------------------------------------------

std::optional<Lease> PoolCore::checkout(Clock::duration timeout, std::source_location where,
                                        bool throw_on_timeout) {
  Timer timer{timeout, std::nullopt};
  for (;;) {
    std::optional<Grant> grant = acquire(timer, where, throw_on_timeout);
    if (!grant) return std::nullopt;
    if (auto lease = finish_checkout(std::move(*grant), timer, where)) return lease;
    // Refused by the server: wait for a connection to come back or for the backoff to pass.
  }
}

std::optional<PoolCore::Grant> PoolCore::acquire(Timer& timer, std::source_location where,
                                                 bool throw_on_timeout) {
  auto lock = lock_briefly(mutex_);
  check_fork_locked();
  auto fail_fast_error = [&] {
    auto ago = coarse_now() - (backoff_.until - backoff_.delay);
    return ConnectError(
        backoff_.message + " (not retried: the server failed a connection " + millis(ago) + " ago)",
        backoff_.code, backoff_.sqlstate);
  };
  if (closed_) throw Error("the connection pool for " + url_.to_string() + " is shut down");
  // Counts a grant that needs no validation and no opening as a finished checkout right here,
  // so the common path takes the lock once (and reads no precise clock).
  auto settle = [&](Grant& grant) {
    if (grant.connection && !grant.validate) {
      grant.ready = true;
      note_lent_locked();
      ++checkouts_total_;
      waits_.record(timer.elapsed());
    }
  };
  if (may_barge_locked()) {
    if (std::optional<Grant> grant = take_locked(where)) {
      settle(*grant);
      return grant;
    }
    if (must_fail_fast_locked()) throw fail_fast_error();
  }

  Waiter self;
  self.where = where;
  self.since = Clock::now();
  timer.start_at(self.since);
  enqueue_locked(self);
  for (;;) {
    grant_waiters_locked();
    if (self.grant) {
      settle(*self.grant);
      return std::move(self.grant);
    }
    if (&self == waiters_head_) {
      if (std::optional<Grant> grant = take_locked(where)) {
        dequeue_locked(self);
        grant_waiters_locked();  // more may be free: wake the next head
        settle(*grant);
        return grant;
      }
    }
    if (closed_) {
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
      throw PoolTimeout(timeout_message_locked(now - self.since));
    }
    auto wake = timer.deadline();
    if (&self == waiters_head_ && backoff_.delay.count() > 0) {
      // The backoff clock is coarse; wake at its end to try again.
      wake = std::min(
          wake, now + std::max<Clock::duration>(backoff_.until - coarse_now(), milliseconds{1}));
    }
    self.cv.wait_until(lock, wake);
  }
}

std::optional<Lease> PoolCore::finish_checkout(Grant grant, Timer& timer,
                                               std::source_location where) {
  if (grant.ready) {
    return make_lease(std::move(grant.connection), make_token(grant.slot, fork_generation_), where);
  }
  std::unique_ptr<Connection> connection = std::move(grant.connection);
  if (connection && grant.validate) {
    if (!connection->ping(validation_timeout_)) {
      {
        auto lock = lock_briefly(mutex_);
        ++validation_failures_total_;
        suspect_since_ = coarse_now();  // the server may have restarted: check the others too
        slots_[grant.slot].state = SlotState::closing;
      }
      close_outside_lock(std::move(connection));
      {
        auto lock = lock_briefly(mutex_);
        ++closed_total_;
        slots_[grant.slot] = Slot{};
        slots_[grant.slot].state = SlotState::opening;  // keep the slot for the replacement
      }
    }
  }
  if (!connection) {
    connection = open_into(grant.slot, timer.deadline());
    if (!connection) return std::nullopt;
  }
  auto lock = lock_briefly(mutex_);
  Slot& slot = slots_[grant.slot];
  if (slot.state == SlotState::opening) lend_locked(grant.slot, where);
  note_lent_locked();
  ++checkouts_total_;
  waits_.record(timer.elapsed());
  return make_lease(std::move(connection), make_token(grant.slot, fork_generation_), where);
}

std::unique_ptr<Connection> PoolCore::open_into(std::size_t slot, Clock::time_point deadline) {
  auto left = duration_cast<milliseconds>(deadline - Clock::now());
  {
    auto lock = lock_briefly(mutex_);
    ++connect_attempts_total_;
  }
  try {
    auto connection = Connection::open(url_, std::max(left, milliseconds{1}));
    clamp_to_wait_timeout(*connection);
    auto lock = lock_briefly(mutex_);
    ++created_total_;
    auto now = coarse_now();
    slots_[slot].created = now;
    slots_[slot].last_used = now;
    backoff_ = Backoff{};
    probe_in_flight_ = false;
    return connection;
  } catch (const ConnectError& e) {
    auto lock = lock_briefly(mutex_);
    record_connect_failure_locked(e);
    free_slot_locked(slot, false);
    if (e.is_refusal()) return nullptr;
    throw;
  } catch (...) {
    auto lock = lock_briefly(mutex_);
    probe_in_flight_ = false;
    free_slot_locked(slot, false);
    throw;
  }
}

// --- giving back -------------------------------------------------------------------------------

void PoolCore::give_back(std::unique_ptr<Connection> connection, std::size_t token) noexcept {
  // Declared first, destroyed last: when this was the last lease out and the Pool is gone, this
  // reference is all that keeps *this alive, so nothing may touch members after it goes.
  std::shared_ptr<PoolCore> last_reference;
  std::size_t slot = token & kSlotMask;
  if ((token >> kSlotBits) != (fork_generation() & (~std::uint64_t{0} >> kSlotBits))) {
    // Lent out before fork(), returned in the child: the parent still owns that session, so do
    // not so much as roll it back.
    Connection::abandon(std::move(connection));
    auto lock = lock_briefly(mutex_);
    check_fork_locked();
    last_reference = note_returned_locked();
    return;
  }
  // Undo a transaction left open before anything else, outside the lock (it is a round trip).
  // A clean connection costs nothing here: the server's status flags say so.
  bool reset_failed = false;
  if (!connection->is_broken() && connection->in_transaction()) {
    reset_failed = !connection->reset(validation_timeout_);
  }
  auto now = coarse_now();
  std::string leak_note;
  bool closing = false;
  {
    auto lock = lock_briefly(mutex_);
    Slot& s = slots_[slot];
    auto held = now - s.taken;
    if (options_.leak_threshold.count() > 0 && held > options_.leak_threshold) {
      if (!s.leak_reported) ++leaks_reported_total_;
      leak_note = "connection taken at " + location(s.taken_at) + " returned after " +
                  millis(held) + " (leak_threshold " + millis(options_.leak_threshold) + ")";
    }
    bool expired = options_.max_lifetime.count() > 0 && now - s.created >= options_.max_lifetime;
    if (connection->is_broken() && !reset_failed) {
      ++broken_total_;
      suspect_since_ = now;  // a disconnect may mean a restart: validate idle ones before reuse
    }
    closing = closed_ || expired || reset_failed || connection->is_broken();
    if (closing) {
      s.state = SlotState::closing;
    } else {
      s.connection = std::move(connection);
      s.state = SlotState::idle;
      s.last_used = now;
      idle_.push_back(slot);
      grant_waiters_locked();
      last_reference = note_returned_locked();
    }
  }
  if (!leak_note.empty()) log(LogLevel::warning, leak_note);
  if (reset_failed) {
    log(LogLevel::warning, "closing a connection to " + url_.to_string() +
                               " whose transaction could not be rolled back on return");
  }
  if (closing) {
    close_outside_lock(std::move(connection));
    auto lock = lock_briefly(mutex_);
    free_slot_locked(slot, true);
    last_reference = note_returned_locked();
  }
}

void PoolCore::note_lent_locked() {
  if (lent_++ == 0) keep_alive_ = shared_from_this();
}

std::shared_ptr<PoolCore> PoolCore::note_returned_locked() {
  if (--lent_ == 0) return std::move(keep_alive_);
  return nullptr;
}

void PoolCore::close_outside_lock(std::unique_ptr<Connection> connection) noexcept {
  // Closing sends COM_QUIT on MySQL: network I/O, so never under the lock. SOCI's session
  // destructor swallows errors itself.
  connection.reset();
}

// --- helpers under the lock --------------------------------------------------------------------

bool PoolCore::can_open_locked() const {
  if (closed_ || free_.empty()) return false;
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
  return waiters_head_ == nullptr || Clock::now() - waiters_head_->since < kBargeWindow;
}

std::optional<PoolCore::Grant> PoolCore::take_locked(std::source_location where) {
  if (!idle_.empty()) {
    std::size_t slot = idle_.back();
    idle_.pop_back();
    Slot& s = slots_[slot];
    auto now = coarse_now();
    Grant grant;
    grant.slot = slot;
    grant.connection = std::move(s.connection);
    grant.validate = now - s.last_used > options_.validation_bypass || s.last_used < suspect_since_;
    lend_locked(slot, where);
    return grant;
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
  std::size_t slot = free_.back();
  free_.pop_back();
  Slot& s = slots_[slot];
  s.state = SlotState::opening;
  s.taken = coarse_now();
  s.taken_at = where;
  if (backoff_.delay.count() > 0) probe_in_flight_ = true;
  peak_open_ = std::max(peak_open_, slots_.size() - free_.size());
  return slot;
}

void PoolCore::lend_locked(std::size_t slot, std::source_location where) {
  Slot& s = slots_[slot];
  s.state = SlotState::in_use;
  s.taken = coarse_now();
  s.taken_at = where;
  s.leak_reported = false;
  s.fork_generation = fork_generation_;
}

void PoolCore::grant_waiters_locked() {
  while (waiters_head_ != nullptr) {
    Waiter* head = waiters_head_;
    if (Clock::now() - head->since < kBargeWindow) {
      // A young head takes for itself when it runs; just make sure it runs.
      if (!idle_.empty() || can_open_locked()) head->cv.notify_one();
      return;
    }
    auto grant = take_locked(head->where);
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
  ++waiting_;
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
  --waiting_;
  // While backing off, only the head watches the backoff clock (and may fail fast): tell the
  // new head it is now its turn.
  if (waiters_head_ != nullptr && backoff_.delay.count() > 0) waiters_head_->cv.notify_one();
}

void PoolCore::free_slot_locked(std::size_t slot, bool was_open) {
  if (was_open) ++closed_total_;
  slots_[slot] = Slot{};
  free_.push_back(slot);
  grant_waiters_locked();
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
  if (generation == fork_generation_) return;
  // First use in a child process: nothing inherited may be reused or closed politely.
  fork_generation_ = generation;
  for (Slot& s : slots_) {
    if (s.connection) Connection::abandon(std::move(s.connection));
    s = Slot{};
  }
  idle_.clear();
  free_.clear();
  for (std::size_t i = slots_.size(); i > 0; --i) free_.push_back(i - 1);
  waiters_head_ = waiters_tail_ = nullptr;  // their threads do not exist here
  waiting_ = 0;
  backoff_ = Backoff{};
  probe_in_flight_ = false;
  suspect_since_ = {};
  (void)housekeeper_.release();  // its thread did not survive fork(); the object must not be used
  if (!closed_) {
    housekeeper_stop_ = false;
    housekeeper_ = std::make_unique<std::thread>([this] { housekeeping_loop(); });
  }
}

std::string PoolCore::timeout_message_locked(Clock::duration waited) const {
  auto now = coarse_now();
  std::string message = "no connection to " + url_.to_string() + " within " + millis(waited) +
                        " (checkout_timeout " + millis(options_.checkout_timeout) + "); " +
                        to_string(stats_locked());
  // Group the holders by where they took their connection: 12 leases from one handler read
  // better as one line.
  struct Holders {
    std::size_t count = 0;
    Clock::duration longest{};
  };
  std::map<std::string, Holders> holders;
  for (const Slot& s : slots_) {
    if (s.state != SlotState::in_use) continue;
    Holders& h = holders[location(s.taken_at)];
    ++h.count;
    h.longest = std::max(h.longest, now - s.taken);
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
  s.max_connections = slots_.size();
  s.open = slots_.size() - free_.size();
  s.idle = idle_.size();
  s.in_use = static_cast<std::size_t>(std::count_if(
      slots_.begin(), slots_.end(), [](const Slot& x) { return x.state == SlotState::in_use; }));
  s.waiting = waiting_;
  s.peak_open = peak_open_;
  s.checkouts_total = checkouts_total_;
  s.created_total = created_total_;
  s.closed_total = closed_total_;
  s.connect_attempts_total = connect_attempts_total_;
  s.connect_failures_total = connect_failures_total_;
  s.refusals_total = refusals_total_;
  s.timeouts_total = timeouts_total_;
  s.validation_failures_total = validation_failures_total_;
  s.broken_total = broken_total_;
  s.leaks_reported_total = leaks_reported_total_;
  s.wait_p50 = waits_.percentile(0.50);
  s.wait_p95 = waits_.percentile(0.95);
  s.wait_p99 = waits_.percentile(0.99);
  s.wait_max = waits_.max();
  s.wait_total = waits_.total();
  return s;
}

PoolStats PoolCore::stats() const {
  auto lock = lock_briefly(mutex_);
  return stats_locked();
}

PoolOptions PoolCore::options() const {
  auto lock = lock_briefly(mutex_);
  return options_;
}

// --- wait_timeout and housekeeping -------------------------------------------------------------

void PoolCore::clamp_to_wait_timeout(Connection& connection) noexcept {
  {
    auto lock = lock_briefly(mutex_);
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
  // The server closes connections idle longer than wait_timeout; retire ours safely before.
  milliseconds server = *wait_timeout;
  milliseconds limit = server - std::min<milliseconds>(std::chrono::seconds{30}, server / 4);
  auto lock = lock_briefly(mutex_);
  auto clamp = [&](const char* name, milliseconds& value, bool zero_means_never) {
    bool unsafe = value > limit || (value.count() == 0 && zero_means_never);
    if (!unsafe) return;
    log(LogLevel::warning, std::string("pool option ") + name + " lowered from " +
                               (value.count() == 0 ? std::string("never") : millis(value)) +
                               " to " + millis(limit) + ": the server closes connections idle " +
                               "for longer than its wait_timeout of " +
                               std::to_string(wait_timeout->count()) + " s");
    value = limit;
  };
  clamp("idle_timeout", options_.idle_timeout, true);
  clamp("max_lifetime", options_.max_lifetime, false);
  housekeeper_cv_.notify_all();  // the period may have shrunk
}

PoolCore::Clock::duration PoolCore::housekeeping_period_locked() const {
  Clock::duration period = std::chrono::seconds{1};
  for (milliseconds d : {options_.idle_timeout, options_.max_lifetime, options_.leak_threshold}) {
    if (d.count() > 0) period = std::min<Clock::duration>(period, d / 2);
  }
  return std::max<Clock::duration>(period, milliseconds{10});
}

void PoolCore::housekeeping_loop() {
  auto lock = lock_briefly(mutex_);
  while (!housekeeper_stop_) {
    lock.unlock();
    housekeep_once();
    lock.lock();
    if (housekeeper_stop_) break;
    housekeeper_cv_.wait_for(lock, housekeeping_period_locked());
  }
}

void PoolCore::housekeep_once() {
  std::vector<std::pair<std::size_t, std::unique_ptr<Connection>>> retired;
  std::vector<std::string> leaks;
  {
    auto lock = lock_briefly(mutex_);
    if (closed_) return;
    auto now = coarse_now();
    // Retire from the least recently used end; keep min_idle idle ones unless too old.
    std::vector<std::size_t> kept;
    for (std::size_t i = 0; i < idle_.size(); ++i) {
      std::size_t slot = idle_[i];
      Slot& s = slots_[slot];
      bool too_old = options_.max_lifetime.count() > 0 && now - s.created >= options_.max_lifetime;
      std::size_t remaining = idle_.size() - i - 1 + kept.size();
      bool idle_too_long = options_.idle_timeout.count() > 0 &&
                           now - s.last_used >= options_.idle_timeout &&
                           remaining >= options_.min_idle;
      if (too_old || idle_too_long) {
        s.state = SlotState::closing;
        retired.emplace_back(slot, std::move(s.connection));
      } else {
        kept.push_back(slot);
      }
    }
    idle_ = std::move(kept);
    if (options_.leak_threshold.count() > 0) {
      for (Slot& s : slots_) {
        if (s.state != SlotState::in_use || s.leak_reported) continue;
        auto held = now - s.taken;
        if (held <= options_.leak_threshold) continue;
        s.leak_reported = true;
        ++leaks_reported_total_;
        leaks.push_back("possible connection leak: a connection to " + url_.to_string() +
                        " taken at " + location(s.taken_at) + " has been held for " + millis(held) +
                        " (leak_threshold " + millis(options_.leak_threshold) + ")");
      }
    }
  }
  for (const std::string& leak : leaks) log(LogLevel::warning, leak);
  for (auto& entry : retired) close_outside_lock(std::move(entry.second));
  if (!retired.empty()) {
    auto lock = lock_briefly(mutex_);
    for (auto& entry : retired) free_slot_locked(entry.first, true);
  }

  // Keep min_idle connections warm, one at a time, only when nobody is waiting.
  for (;;) {
    std::size_t slot = 0;
    {
      auto lock = lock_briefly(mutex_);
      if (closed_ || waiters_head_ != nullptr || idle_.size() >= options_.min_idle) return;
      auto reserved = reserve_locked(std::source_location::current());
      if (!reserved) return;
      slot = *reserved;
    }
    std::unique_ptr<Connection> connection;
    try {
      connection = open_into(slot, Clock::now() + std::chrono::seconds{10});
    } catch (const Error& e) {
      log(LogLevel::warning, std::string("could not open a warm connection: ") + e.what());
      return;
    }
    if (!connection) return;  // refused: open_into freed the slot
    auto lock = lock_briefly(mutex_);
    Slot& s = slots_[slot];
    s.connection = std::move(connection);
    s.state = SlotState::idle;
    idle_.push_back(slot);
    grant_waiters_locked();
  }
}

}  // namespace tabula::detail

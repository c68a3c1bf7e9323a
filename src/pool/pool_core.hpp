#pragma once

// The shared state behind a Pool: slots, idle stack, FIFO waiters, statistics and the
// housekeeping thread. Leases hold a shared_ptr to it, so it outlives the Pool object if a lease
// does.
//
// How the cap holds: the pool owns exactly `max_connections` slots, and a connection can only
// exist inside a slot. A slot is reserved (state `opening`) before a connection is opened into
// it and is freed (state `empty`) only after its connection has been closed, so connections
// being opened, validated, replaced or closed all count against the cap.
//
// Thread-safety: every member below `mutex_` is guarded by it. Network I/O (open, ping, reset,
// close) never happens under the lock.

#include <tabula/error.hpp>
#include <tabula/log.hpp>
#include <tabula/metrics.hpp>
#include <tabula/pool.hpp>

#include "lease_owner.hpp"
#include "pool/wait_histogram.hpp"

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <source_location>
#include <string>
#include <thread>
#include <vector>

namespace tabula::detail {

// CLOCK_MONOTONIC_COARSE as a steady_clock time point (the same epoch as steady_clock, a few
// milliseconds behind at most): a cheaper read for bookkeeping that needs no precision.
std::chrono::steady_clock::time_point coarse_now() noexcept;

// Locks `mutex`, spinning briefly on try_lock first: the pool's critical sections last tens of
// nanoseconds, much less than a futex sleep and wake-up, so under contention a short spin wins.
std::unique_lock<std::mutex> lock_briefly(std::mutex& mutex);

class PoolCore final : public LeaseOwner, public std::enable_shared_from_this<PoolCore> {
 public:
  using Clock = std::chrono::steady_clock;

  PoolCore(Url url, PoolOptions options);
  ~PoolCore() override;

  // Starts the housekeeping thread (not in the constructor: it must not see a half-built core).
  void start();
  // Stops and joins the housekeeper, closes idle connections, wakes waiters with an error.
  // Leases still out close their connections on return. Idempotent.
  void shutdown() noexcept;

  // Waits at most `timeout`. Returns nullopt on timeout when `throw_on_timeout` is false.
  std::optional<Lease> checkout(Clock::duration timeout, std::source_location where,
                                bool throw_on_timeout);

  void give_back(std::unique_ptr<Connection> connection, std::size_t slot) noexcept override;

  // Fixed at construction (only idle_timeout and max_lifetime are ever adjusted), so read
  // without the lock.
  Clock::duration checkout_timeout() const noexcept { return checkout_timeout_; }

  PoolStats stats() const;
  PoolOptions options() const;
  const Url& url() const noexcept { return url_; }

 private:
  enum class SlotState { empty, opening, idle, in_use, closing };

  // Slot times come from coarse_now(): a few milliseconds of resolution is plenty for
  // validation_bypass, idle_timeout, max_lifetime and leak reports, and it is cheap to read.
  struct Slot {
    SlotState state = SlotState::empty;
    std::unique_ptr<Connection> connection;  // set while idle
    Clock::time_point created{};             // when its connection was opened
    Clock::time_point last_used{};           // when it was last returned (or opened)
    Clock::time_point taken{};               // when it was lent out
    std::source_location taken_at{};
    bool leak_reported = false;
    std::uint64_t fork_generation = 0;  // the process generation it was lent out in
  };

  // What a checkout obtained: a slot holding an idle connection (to validate first when it sat
  // idle too long), or an empty slot reserved for opening a new connection.
  struct Grant {
    std::size_t slot = 0;
    std::unique_ptr<Connection> connection;  // null: open a new connection into the slot
    bool validate = false;
    bool ready = false;  // usable as is: already lent out and counted (the fast path)
  };

  // A thread blocked in checkout(). Lives on that thread's stack; linked into waiters_.
  struct Waiter {
    std::condition_variable cv;
    std::source_location where;
    Clock::time_point since;     // when it started waiting
    std::optional<Grant> grant;  // set (and the waiter unlinked) by whoever serves it
    Waiter* next = nullptr;
    Waiter* prev = nullptr;
  };

  // Connection attempts that failed recently: further attempts wait (refusals) or fail fast
  // (other errors) until `until`, so a down or full server is not hammered.
  struct Backoff {
    Clock::time_point until{};
    std::chrono::milliseconds delay{0};
    bool refusal = false;
    int code = 0;
    std::string sqlstate;
    std::string message;
  };

  // Measures one checkout's wait. The precise clock is read only once the checkout has to wait
  // (or validate, or connect): the common path costs no clock read at all.
  struct Timer {
    Clock::duration timeout;
    std::optional<Clock::time_point> started;

    void start_at(Clock::time_point t) {
      if (!started) started = t;
    }
    Clock::time_point deadline() {
      start_at(Clock::now());
      return *started + timeout;
    }
    Clock::duration elapsed() const {
      return started ? Clock::now() - *started : Clock::duration::zero();
    }
  };

  // Waits for a grant (FIFO, see may_barge_locked). Returns nullopt on timeout when not
  // throwing.
  std::optional<Grant> acquire(Timer& timer, std::source_location where, bool throw_on_timeout);
  // Validates or opens as the grant requires. Returns nullopt when the server refused a new
  // connection (back-pressure): the caller waits again.
  std::optional<Lease> finish_checkout(Grant grant, Timer& timer, std::source_location where);
  // Opens a connection into reserved `slot`. Returns null on refusal; throws on other failures.
  // Either way the slot is freed when no connection results.
  std::unique_ptr<Connection> open_into(std::size_t slot, Clock::time_point deadline);

  // Everything below ending in _locked requires mutex_ held.
  void grant_waiters_locked();
  std::optional<Grant> take_locked(std::source_location where);
  // Reserves an empty slot for a new connection when the cap and any backoff allow.
  std::optional<std::size_t> reserve_locked(std::source_location where);
  bool can_open_locked() const;
  bool must_fail_fast_locked() const;
  bool may_barge_locked() const;
  void enqueue_locked(Waiter& waiter);
  void dequeue_locked(Waiter& waiter);
  void lend_locked(std::size_t slot, std::source_location where);
  void free_slot_locked(std::size_t slot, bool was_open);
  void record_connect_failure_locked(const ConnectError& error);
  void check_fork_locked();
  // A lease is about to be made: hold a reference to ourselves while any is out.
  void note_lent_locked();
  // A lease came back: returns the self-reference to drop (after unlocking) when it was the last.
  std::shared_ptr<PoolCore> note_returned_locked();
  std::string timeout_message_locked(Clock::duration waited) const;
  PoolStats stats_locked() const;

  void close_outside_lock(std::unique_ptr<Connection> connection) noexcept;
  void clamp_to_wait_timeout(Connection& connection) noexcept;
  void housekeeping_loop();
  void housekeep_once();
  Clock::duration housekeeping_period_locked() const;

  const Url url_;
  const Clock::duration checkout_timeout_;
  const std::chrono::milliseconds validation_timeout_;
  mutable std::mutex mutex_;
  PoolOptions options_;
  std::vector<Slot> slots_;
  std::vector<std::size_t> idle_;  // LIFO: the most recently returned is handed out first
  std::vector<std::size_t> free_;  // empty slots
  Waiter* waiters_head_ = nullptr;
  Waiter* waiters_tail_ = nullptr;
  std::size_t waiting_ = 0;
  std::size_t lent_ = 0;                  // leases out (kept across fork(): see check_fork)
  std::shared_ptr<PoolCore> keep_alive_;  // set while lent_ > 0
  Backoff backoff_;
  Clock::time_point suspect_since_{};  // idle connections returned before this get pinged
  bool probe_in_flight_ = false;       // one attempt at a time while backing off
  bool wait_timeout_checked_ = false;
  bool closed_ = false;
  std::uint64_t fork_generation_ = 0;

  std::size_t peak_open_ = 0;
  std::uint64_t checkouts_total_ = 0;
  std::uint64_t created_total_ = 0;
  std::uint64_t closed_total_ = 0;
  std::uint64_t connect_attempts_total_ = 0;
  std::uint64_t connect_failures_total_ = 0;
  std::uint64_t refusals_total_ = 0;
  std::uint64_t timeouts_total_ = 0;
  std::uint64_t validation_failures_total_ = 0;
  std::uint64_t broken_total_ = 0;
  std::uint64_t leaks_reported_total_ = 0;
  WaitHistogram waits_;

  std::condition_variable housekeeper_cv_;
  bool housekeeper_stop_ = false;
  std::unique_ptr<std::thread> housekeeper_;
};

}  // namespace tabula::detail

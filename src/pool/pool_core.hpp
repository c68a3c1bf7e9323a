#pragma once

// The shared state behind a Pool: slots, idle list, FIFO waiters, statistics and the
// housekeeping thread.
//
// How the cap holds: the pool owns exactly `max_connections` slots, and a connection can only
// exist inside a slot. A slot is reserved (state `opening`) before a connection is opened into
// it and is freed (state `empty`) only after its connection has been closed, so connections
// being opened, validated, replaced or closed all count against the cap.
//
// Two paths lead through a slot:
// - The locked path: waiters, opening, closing, housekeeping and every decision that involves
//   more than one slot happen under `mutex_`.
// - The fast path, for a thread that takes again the slot it last gave back while nobody waits:
//   one compare-and-swap on that slot's state to take it, one to give it back, no lock and no
//   shared counter, so threads working with their own connections do not contend.
// The two meet in the `listed` bit of a slot's state, which says "this slot's number is in
// idle_". The fast path only moves a listed slot between idle and in use; the locked path
// unlists a slot (with a CAS) before anything else may happen to it, which makes any fast give-
// back of that slot fail over to the locked path. So when the locked path finds idle_ empty, no
// fast give-back can slip past a waiter, and once shutdown has unlisted everything, every later
// return takes the lock.
//
// Lifetime: Leases hold a plain pointer. The Pool object owns the core; when it is destroyed
// while leases or openings are out, the core keeps a reference to itself, dropped by the return
// that leaves no slot in use. The fast give-back's final CAS is its last access to the core.
//
// Network I/O (open, ping, reset, close) never happens under the lock.
//
// Closing: a slot that held a connection is freed only once the server has let go of it (COM_QUIT,
// then end of stream on the socket, at most validation_timeout later; see Connection::close), so
// the replacement opened into it never meets the old one at the server. The order is always:
// unlist the slot and mark it closing, close and wait outside the lock, then free the slot.

#include <tabula/error.hpp>
#include <tabula/log.hpp>
#include <tabula/metrics.hpp>
#include <tabula/pool.hpp>

#include "detail/mutex.hpp"
#include "lease_owner.hpp"
#include "pool/host_set.hpp"
#include "pool/wait_histogram.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <thread>
#include <vector>

namespace tabula::detail {

// CLOCK_MONOTONIC_COARSE as a steady_clock time point (the same epoch as steady_clock, a few
// milliseconds behind at most): a cheaper read for bookkeeping that needs no precision.
std::chrono::steady_clock::time_point coarse_now() noexcept;

class PoolCore final : public LeaseOwner, public std::enable_shared_from_this<PoolCore> {
 public:
  using Clock = std::chrono::steady_clock;

  PoolCore(Url url, PoolOptions options);
  ~PoolCore() override;

  // Starts the housekeeping thread (not in the constructor: it must not see a half-built core).
  void start();
  // Stops and joins the housekeeper, closes idle connections, wakes waiters with an error. When
  // leases are still out, the core keeps itself alive until the last comes back (and closes
  // it). Idempotent. Requires a live shared_ptr to the core on the first call.
  void shutdown() noexcept;

  // Waits at most `timeout`; throws PoolTimeout when it runs out.
  Lease checkout(Clock::duration timeout, std::source_location where, Intent intent);
  // Waits at most `timeout`; nullopt when it runs out.
  std::optional<Lease> try_checkout(Clock::duration timeout, std::source_location where,
                                    Intent intent);

  void give_back(std::unique_ptr<Connection> connection, std::size_t token) noexcept override;

  // Fixed at construction (only idle_timeout and validation_bypass are ever adjusted), so read
  // without the lock.
  Clock::duration checkout_timeout() const noexcept { return checkout_timeout_; }

  PoolStats stats() const;
  PoolOptions options() const;
  Topology topology() const noexcept { return hosts_.topology(); }
  const Url& url() const noexcept { return url_; }

 private:
  // A slot's state word: one of the states below, plus kListed while its number is in idle_.
  static constexpr std::uint32_t kEmpty = 0;
  static constexpr std::uint32_t kOpening = 1;
  static constexpr std::uint32_t kIdle = 2;
  static constexpr std::uint32_t kInUse = 3;
  static constexpr std::uint32_t kClosing = 4;
  static constexpr std::uint32_t kListed = 8;
  static constexpr std::uint32_t state_of(std::uint32_t word) { return word & ~kListed; }

  // One connection's place. Whoever moved `state` into opening, in_use or closing owns the
  // slot's plain fields; times are atomics because the housekeeper and statistics read them
  // while another thread owns the slot. Times come from coarse_now().
  struct alignas(64) Slot {
    std::atomic<std::uint32_t> state{kEmpty};
    std::unique_ptr<Connection> connection;  // present while idle
    std::size_t host = 0;                    // which of hosts_ its connection goes to
    std::atomic<Clock::time_point> created{};
    std::atomic<Clock::time_point> last_used{};
    std::atomic<Clock::time_point> taken{};
    std::atomic<std::source_location> taken_at{};
    std::atomic<bool> leak_reported{false};
    std::atomic<std::uint64_t> fast_checkouts{0};  // checkouts that took the fast path

    // Back to empty (requires ownership or the lock with nobody else able to reach it).
    void clear() noexcept;
  };

  // What a checkout obtained: a slot holding an idle connection (to validate first when it sat
  // idle too long), or an empty slot reserved for opening a new connection.
  struct Grant {
    std::size_t slot = 0;
    std::unique_ptr<Connection> connection;  // null: open a new connection into the slot
    bool validate = false;
    bool ready = false;   // usable as is: lent out and counted already
    bool reopen = false;  // holds a connection to a host that does not serve the intent
  };

  // A thread blocked in checkout(). Lives on that thread's stack; linked into waiters_.
  struct Waiter {
    std::condition_variable cv;
    std::source_location where;
    Intent intent = Intent::write;
    Clock::time_point since;     // when it started waiting (coarse clock)
    std::optional<Grant> grant;  // set (and the waiter unlinked) by whoever serves it
    bool notified = false;       // woken and not yet run: no need to wake it again
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
  // (or validate, or connect): the common path reads no precise clock at all.
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

  // The fast path (no lock): retake the slot this thread gave back last, or give a connection
  // back to it. Each returns false / nullopt when the locked path must decide instead.
  std::optional<Grant> try_fast_take(std::source_location where) noexcept;
  bool try_fast_give_back(std::unique_ptr<Connection>& connection, std::size_t slot) noexcept;

  // Everything after a fast path that did not produce a lease: waiting, validating, opening.
  std::optional<Lease> checkout_slow(std::optional<Grant> fast, Clock::duration timeout,
                                     std::source_location where, bool throw_on_timeout,
                                     Intent intent);
  // Waits for a grant (FIFO, see may_barge_locked). Returns nullopt on timeout when not
  // throwing.
  std::optional<Grant> acquire(Timer& timer, std::source_location where, bool throw_on_timeout,
                               Intent intent);
  // Validates or opens as the grant requires. Returns nullopt when the server refused a new
  // connection (back-pressure): the caller waits again.
  std::optional<Lease> finish_checkout(Grant grant, Timer& timer, std::source_location where,
                                       Intent intent);
  // Opens a connection into reserved `slot`. Returns null on refusal; throws on other failures.
  // Either way the slot is freed when no connection results.
  std::unique_ptr<Connection> open_into(std::size_t slot, Clock::time_point deadline,
                                        Intent intent);
  Lease make_pool_lease(std::unique_ptr<Connection> connection, std::size_t slot,
                        std::source_location where);
  void lend(Slot& slot, std::source_location where, Clock::time_point now) noexcept;

  // Everything below ending in _locked requires mutex_ held.
  void grant_waiters_locked() TABULA_REQUIRES(mutex_);
  // An idle connection that serves `intent` (under replication: one to the right host, else an
  // empty slot to open into, else an idle one to replace), or an empty slot.
  std::optional<Grant> take_locked(std::source_location where, Intent intent)
      TABULA_REQUIRES(mutex_);
  // Reserves an empty slot for a new connection when the cap and any backoff allow.
  std::optional<std::size_t> reserve_locked(std::source_location where) TABULA_REQUIRES(mutex_);
  // Takes slot `i` off the idle list: claims it (state `to`) when idle and returns true, or
  // unlists it when a fast-path user holds it and returns false.
  bool claim_listed_locked(std::size_t i, std::uint32_t to) TABULA_REQUIRES(mutex_);
  // Takes a slot we own (in use) off the idle list, if it is on it.
  void unlist_owned_locked(std::size_t i) TABULA_REQUIRES(mutex_);
  // Makes a slot we own idle and listed, holding `connection`.
  void make_idle_locked(std::size_t i, std::unique_ptr<Connection> connection)
      TABULA_REQUIRES(mutex_);
  bool can_open_locked() const TABULA_REQUIRES(mutex_);
  bool must_fail_fast_locked() const TABULA_REQUIRES(mutex_);
  bool may_barge_locked() const TABULA_REQUIRES(mutex_);
  void enqueue_locked(Waiter& waiter) TABULA_REQUIRES(mutex_);
  void dequeue_locked(Waiter& waiter) TABULA_REQUIRES(mutex_);
  void free_slot_locked(std::size_t slot, bool was_open) TABULA_REQUIRES(mutex_);
  void record_connect_failure_locked(const ConnectError& error) TABULA_REQUIRES(mutex_);
  void check_fork_locked() TABULA_REQUIRES(mutex_);
  bool any_out_locked() const TABULA_REQUIRES(mutex_);
  // After shutdown: hands back the self-reference once no lease or opening is out.
  std::shared_ptr<PoolCore> release_if_drained_locked() TABULA_REQUIRES(mutex_);
  std::string timeout_message_locked(Clock::duration waited) const TABULA_REQUIRES(mutex_);
  PoolStats stats_locked() const TABULA_REQUIRES(mutex_);

  // Closes `connection`, waiting until `deadline` at the latest for the server to let go of it;
  // counts and reports a close the server did not confirm in time. Call without the lock, before
  // freeing the slot.
  // A connection to a host seen down is let go at once: there is no server to confirm.
  void close_outside_lock(std::unique_ptr<Connection> connection, Clock::time_point deadline,
                          std::size_t host) noexcept;
  // Opens a connection to `host` and checks it is a usable node of the topology. Throws
  // ConnectError (the node's check failing included).
  // Null when the host turned out not to serve `intent` (a replica, for a write): its role is
  // recorded, the connection closed and the host's count given back.
  std::unique_ptr<Connection> open_on(std::size_t host, Clock::time_point deadline, Intent intent);
  // The deadline for one host's connect when `hosts_left` hosts (this one included) could be
  // asked before `deadline`: a fair share of the time left.
  static Clock::time_point attempt_deadline(Clock::time_point deadline, std::size_t hosts_left);
  // Whether an idle connection still answers (and, in a cluster, its node may take work);
  // tells hosts_ what it found.
  bool validate(Connection& connection, std::size_t host);
  Clock::time_point close_deadline() const noexcept { return Clock::now() + validation_timeout_; }
  void clamp_to_wait_timeout(Connection& connection) noexcept;
  // Pings idle connections kept for min_idle before the server's wait_timeout closes them.
  void keep_alive_idle(Clock::time_point now);
  void housekeeping_loop();
  void housekeep_once();
  Clock::duration housekeeping_period_locked() const TABULA_REQUIRES(mutex_);

  // Read-only after construction.
  const Url url_;
  const std::uint64_t id_;  // process-unique, for the per-thread fast-path memory
  const std::size_t size_;
  const Clock::duration checkout_timeout_;
  const std::chrono::milliseconds validation_timeout_;
  const std::chrono::milliseconds leak_threshold_;
  const std::unique_ptr<Slot[]> slots_;

  // Read by the fast path without the lock; written under it.
  std::atomic<bool> closed_{false};
  std::atomic<std::size_t> waiting_{0};
  std::atomic<Clock::time_point> head_since_{};  // when the oldest waiter began (coarse)
  std::atomic<std::uint64_t> fork_generation_;
  std::atomic<Clock::time_point> suspect_since_{};  // idle connections used before: ping them
  std::atomic<Clock::duration> max_lifetime_;       // 0 = never
  std::atomic<Clock::duration> validation_bypass_;  // may be clamped below wait_timeout

  mutable Mutex mutex_;
  // The servers the URL names, and what is known of each. Its lock is taken after mutex_, never
  // before; declared after it so that the fork guard, which locks in address order, agrees.
  HostSet hosts_;
  PoolOptions options_ TABULA_GUARDED_BY(mutex_);
  std::vector<std::size_t> idle_
      TABULA_GUARDED_BY(mutex_);  // listed slots, LIFO; may hold ones a fast-path user took
  std::vector<std::size_t> free_ TABULA_GUARDED_BY(mutex_);  // empty slots
  Waiter* waiters_head_ TABULA_GUARDED_BY(mutex_) = nullptr;
  Waiter* waiters_tail_ TABULA_GUARDED_BY(mutex_) = nullptr;
  Backoff backoff_ TABULA_GUARDED_BY(mutex_);
  bool probe_in_flight_ TABULA_GUARDED_BY(mutex_) =
      false;  // one attempt at a time while backing off
  bool wait_timeout_checked_ TABULA_GUARDED_BY(mutex_) = false;
  // From the server's wait_timeout (zero until known, or when it has none): idle connections kept
  // for min_idle are pinged after `keepalive_after_` idle, and housekeeping runs often enough to
  // act within `idle_margin_` (the time between our limit and the server's).
  std::chrono::milliseconds keepalive_after_ TABULA_GUARDED_BY(mutex_){0};
  std::chrono::milliseconds idle_margin_ TABULA_GUARDED_BY(mutex_){0};
  std::shared_ptr<PoolCore> keep_alive_
      TABULA_GUARDED_BY(mutex_);  // set by shutdown() while leases are out

  std::size_t peak_open_ TABULA_GUARDED_BY(mutex_) = 0;
  std::uint64_t checkouts_total_ TABULA_GUARDED_BY(mutex_) = 0;  // through the locked path
  std::uint64_t created_total_ TABULA_GUARDED_BY(mutex_) = 0;
  std::uint64_t closed_total_ TABULA_GUARDED_BY(mutex_) = 0;
  std::uint64_t connect_attempts_total_ TABULA_GUARDED_BY(mutex_) = 0;
  std::uint64_t connect_failures_total_ TABULA_GUARDED_BY(mutex_) = 0;
  std::uint64_t refusals_total_ TABULA_GUARDED_BY(mutex_) = 0;
  std::uint64_t timeouts_total_ TABULA_GUARDED_BY(mutex_) = 0;
  std::uint64_t validation_failures_total_ TABULA_GUARDED_BY(mutex_) = 0;
  std::uint64_t broken_total_ TABULA_GUARDED_BY(mutex_) = 0;
  std::uint64_t leaks_reported_total_ TABULA_GUARDED_BY(mutex_) = 0;
  std::uint64_t unconfirmed_closes_total_ TABULA_GUARDED_BY(mutex_) = 0;
  WaitHistogram waits_ TABULA_GUARDED_BY(mutex_);

  std::condition_variable housekeeper_cv_;
  bool housekeeper_stop_ TABULA_GUARDED_BY(mutex_) = false;
  std::unique_ptr<std::thread> housekeeper_;
};

}  // namespace tabula::detail

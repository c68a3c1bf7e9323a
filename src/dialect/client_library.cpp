#include "dialect/client_library.hpp"

#include "dialect/sql_dialect.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>

#include <pthread.h>

namespace tabula::detail {
namespace {

// How long process exit waits for opens and closes still in flight before the client
// library ends. An attempt against an unreachable host can take its whole connect_timeout; exit
// should not.
constexpr std::chrono::milliseconds kExitWait{1000};

struct ExitState {
  std::mutex mutex;
  std::condition_variable idle;
  std::size_t in_flight = 0;
  bool exiting = false;
};

// Never destroyed: threads still running during exit use it after static destructors have run.
ExitState& exit_state();

// fork(): the child must not inherit the mutex locked by a parent thread, nor the parent's
// uses in flight (their threads do not exist in the child).
void before_fork() {
  exit_state().mutex.lock();
}
void after_fork_in_parent() {
  exit_state().mutex.unlock();
}
void after_fork_in_child() {
  ExitState& s = exit_state();
  s.in_flight = 0;
  s.mutex.unlock();
}

ExitState& exit_state() {
  static ExitState* state = [] {
    auto* s = new ExitState;
    ::pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
    return s;
  }();
  return *state;
}

void on_process_exit() {
  ExitState& s = exit_state();
  std::unique_lock lock(s.mutex);
  s.exiting = true;
  s.idle.wait_for(lock, kExitWait, [&] { return s.in_flight == 0; });
}

}  // namespace

void prepare_client_library(Dialect dialect) {
  sql_dialect(dialect).init_client_library();
}

void guard_process_exit() {
  static std::once_flag once;
  std::call_once(once, [] { std::atexit(on_process_exit); });
}

bool process_exiting() noexcept {
  ExitState& s = exit_state();
  std::lock_guard lock(s.mutex);
  return s.exiting;
}

ClientThread::ClientThread(Dialect dialect) noexcept : dialect_(dialect) {
  sql_dialect(dialect_).thread_begin();
}

ClientThread::~ClientThread() {
  sql_dialect(dialect_).thread_end();
}

LibraryUse::LibraryUse() noexcept {
  ExitState& s = exit_state();
  std::lock_guard lock(s.mutex);
  if (s.exiting) return;
  ++s.in_flight;
  granted_ = true;
}

LibraryUse::~LibraryUse() {
  if (!granted_) return;
  ExitState& s = exit_state();
  std::lock_guard lock(s.mutex);
  if (--s.in_flight == 0) s.idle.notify_all();
}

}  // namespace tabula::detail

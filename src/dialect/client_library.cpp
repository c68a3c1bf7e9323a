#include "dialect/client_library.hpp"

#include "dialect/mysql/mysql_dialect.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>

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
ExitState& exit_state() {
  static auto* state = new ExitState;
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
  if (dialect != Dialect::mysql) return;  // SQLite needs no set-up
  static std::once_flag once;
  // If initialisation throws, call_once runs it again on the next call.
  std::call_once(once, [] {
    dialect::mysql::init_client_library();
    // Registered after SOCI's own exit-time mysql_library_end (init_client_library made sure it
    // exists), so it runs before it: exit handlers run in reverse order of registration.
    std::atexit(on_process_exit);
  });
}

bool process_exiting() noexcept {
  ExitState& s = exit_state();
  std::lock_guard lock(s.mutex);
  return s.exiting;
}

ClientThread::ClientThread(Dialect dialect) noexcept : dialect_(dialect) {
  if (dialect_ == Dialect::mysql) dialect::mysql::thread_begin();
}

ClientThread::~ClientThread() {
  if (dialect_ == Dialect::mysql) dialect::mysql::thread_end();
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

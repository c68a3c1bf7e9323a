#include "pool/fork_guard.hpp"

#include <pthread.h>

#include <atomic>
#include <set>

namespace tabula::detail {
namespace {

std::atomic<std::uint64_t> generation{0};

struct Registry {
  std::mutex mutex;
  std::set<std::mutex*> pools;
};

Registry& registry() {
  static Registry* instance = new Registry;  // never destroyed: atfork handlers outlive statics
  return *instance;
}

void lock_all() {
  registry().mutex.lock();
  for (std::mutex* pool : registry().pools) pool->lock();
}

void unlock_all() {
  for (std::mutex* pool : registry().pools) pool->unlock();
  registry().mutex.unlock();
}

void in_child() {
  generation.fetch_add(1, std::memory_order_relaxed);
  unlock_all();
}

}  // namespace

std::uint64_t fork_generation() noexcept {
  return generation.load(std::memory_order_relaxed);
}

void register_for_fork(std::mutex* mutex) {
  static std::once_flag installed;
  std::call_once(installed, [] { ::pthread_atfork(lock_all, unlock_all, in_child); });
  std::lock_guard lock(registry().mutex);
  registry().pools.insert(mutex);
}

void unregister_for_fork(std::mutex* mutex) noexcept {
  std::lock_guard lock(registry().mutex);
  registry().pools.erase(mutex);
}

}  // namespace tabula::detail

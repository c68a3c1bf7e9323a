#pragma once

// fork() support for pools. A child process must never reuse its parent's connections: both
// would talk over the same socket to the same server session. Across fork() every registered
// pool's mutex is held (pthread_atfork), so the child inherits each pool in a consistent state;
// the child then sees a new fork generation and abandons what it inherited.

#include <cstdint>
#include <mutex>

namespace tabula::detail {

// Increases by one in each child process right after fork(). Cheap: one relaxed atomic load.
std::uint64_t fork_generation() noexcept;

// Registers a pool's mutex to be held across fork(); unregister before the mutex dies.
void register_for_fork(std::mutex* mutex);
void unregister_for_fork(std::mutex* mutex) noexcept;

}  // namespace tabula::detail

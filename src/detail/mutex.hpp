#pragma once

// A mutex clang's thread-safety analysis understands (-Wthread-safety, the `thread-safety`
// preset): members marked TABULA_GUARDED_BY(mutex_) may be touched only with the lock held, and
// functions marked TABULA_REQUIRES(mutex_) only called with it held. Other compilers see plain
// std::mutex and std::unique_lock.
//
//   Mutex mutex_;
//   std::vector<int> queue_ TABULA_GUARDED_BY(mutex_);
//   void push(int v) {
//     MutexLock lock(mutex_);
//     queue_.push_back(v);
//     cv_.wait(lock.native(), [&] { ... });  // condition variables wait on the native lock
//   }

#include <mutex>

#if defined(__clang__)
#define TABULA_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define TABULA_THREAD_ANNOTATION(x)
#endif

#define TABULA_CAPABILITY(name) TABULA_THREAD_ANNOTATION(capability(name))
#define TABULA_SCOPED_CAPABILITY TABULA_THREAD_ANNOTATION(scoped_lockable)
#define TABULA_GUARDED_BY(m) TABULA_THREAD_ANNOTATION(guarded_by(m))
#define TABULA_PT_GUARDED_BY(m) TABULA_THREAD_ANNOTATION(pt_guarded_by(m))
#define TABULA_REQUIRES(...) TABULA_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define TABULA_EXCLUDES(...) TABULA_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define TABULA_ACQUIRE(...) TABULA_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define TABULA_RELEASE(...) TABULA_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TABULA_RETURN_CAPABILITY(x) TABULA_THREAD_ANNOTATION(lock_returned(x))
#define TABULA_NO_THREAD_SAFETY_ANALYSIS TABULA_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace tabula::detail {

class TABULA_CAPABILITY("mutex") Mutex {
 public:
  void lock() TABULA_ACQUIRE() { mutex_.lock(); }
  void unlock() TABULA_RELEASE() { mutex_.unlock(); }
  // The std::mutex itself, for what must hold it without the analysis (fork handlers).
  std::mutex& native() noexcept { return mutex_; }

 private:
  std::mutex mutex_;
};

// Holds a Mutex for its scope; unlock()/lock() in between are tracked too.
class TABULA_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) TABULA_ACQUIRE(mutex) : lock_(mutex.native()) {}
  ~MutexLock() TABULA_RELEASE() {}
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void lock() TABULA_ACQUIRE() { lock_.lock(); }
  void unlock() TABULA_RELEASE() { lock_.unlock(); }
  // For std::condition_variable, which releases and retakes the lock while it waits.
  std::unique_lock<std::mutex>& native() noexcept { return lock_; }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace tabula::detail

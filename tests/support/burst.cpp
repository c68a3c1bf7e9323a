#include "burst.hpp"

#include <mutex>
#include <thread>
#include <vector>

namespace tabula::test {

BurstResult checkout_burst(Engine& engine, int threads, int each) {
  BurstResult result;
  std::mutex mutex;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < each; ++i) {
        try {
          Lease lease = engine.checkout();
          lease->execute("DO 1");
        } catch (const std::exception& e) {
          std::lock_guard lock(mutex);
          if (result.errors++ == 0) result.first_error = e.what();
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  return result;
}

}  // namespace tabula::test

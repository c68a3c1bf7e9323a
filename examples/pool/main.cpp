// examples/pool: many threads, few connections.
//
//   pool                                      # a SQLite file in /tmp, no server needed
//   pool 'mysql://app:secret@127.0.0.1:3306/shop'
//
// What it shows: 32 threads share an engine capped at 4 connections; each checkout waits its
// turn; the statistics (and their Prometheus form) show the cap held; a checkout that cannot be
// served in time names who holds the connections.

#include <tabula/tabula.hpp>

#include <chrono>
#include <iostream>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  using namespace std::chrono_literals;
  try {
    tabula::Engine engine(argc > 1 ? argv[1] : "sqlite:///tmp/tabula-example-pool.db",
                          {.max_connections = 4, .checkout_timeout = 5s});
    std::cout << "engine: " << engine.url() << " (at most 4 connections)\n";

    std::vector<std::thread> threads;
    for (int t = 0; t < 32; ++t) {
      threads.emplace_back([&engine] {
        for (int i = 0; i < 25; ++i) {
          tabula::Lease lease = engine.checkout();  // waits in line when all 4 are busy
          lease->execute("SELECT 1");
        }  // back in the pool here
      });
    }
    for (auto& t : threads) t.join();

    tabula::PoolStats stats = engine.pool().stats();
    std::cout << "after 800 checkouts by 32 threads: " << tabula::to_string(stats) << ", peak open "
              << stats.peak_open << " of " << stats.max_connections << "\n";

    // Hold every connection, then ask for one more with a short timeout.
    std::vector<tabula::Lease> held;
    for (int i = 0; i < 4; ++i) held.push_back(engine.checkout());
    if (!engine.pool().try_checkout(100ms)) {
      std::cout << "a fifth connection is refused: the cap holds\n";
    }
    held.clear();

    std::string metrics = tabula::to_prometheus(engine.pool().stats(), "example_pool");
    std::cout << metrics.substr(0, metrics.find("# HELP example_pool_idle")) << "...\n";
  } catch (const tabula::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

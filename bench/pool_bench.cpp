// pool_bench: checkout + return per second on a pool of 12, no query inside, at 1, 2, 8 and 64
// threads, side by side with SOCI's connection_pool used the way its documentation shows
// (`soci::session sql(pool)` in a scope, connections opened up front) and with its raw
// lease()/give_back() calls.
//
//   pool_bench [mysql://user:pass@host:port/db] [--benchmark_... flags]
//
// Without a URL it starts its own throwaway MariaDB. It ends with one line per thread count:
//   ratio: pool_checkout_<n>t = <tabula ops/s / soci session(pool) ops/s>
//   ratio: pool_checkout_raw_<n>t = <tabula ops/s / soci lease+give_back ops/s>

#include <tabula/pool.hpp>

#include "bench_server.hpp"
#include "ratio_reporter.hpp"
#include "raw_connect.hpp"

#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <iostream>
#include <memory>

namespace {

constexpr std::size_t kPoolSize = 12;
constexpr int kThreadCounts[] = {1, 2, 8, 64};

std::unique_ptr<tabula::Pool> tabula_pool;
std::unique_ptr<soci::connection_pool> soci_pool;

void tabula_checkout(benchmark::State& state) {
  for (auto _ : state) {
    tabula::Lease lease = tabula_pool->checkout();
    benchmark::DoNotOptimize(&lease.connection());
  }
  state.SetItemsProcessed(state.iterations());
}

void soci_session_pool(benchmark::State& state) {
  for (auto _ : state) {
    soci::session sql(*soci_pool);
    benchmark::DoNotOptimize(&sql);
  }
  state.SetItemsProcessed(state.iterations());
}

void soci_lease_give_back(benchmark::State& state) {
  for (auto _ : state) {
    std::size_t index = soci_pool->lease();
    benchmark::DoNotOptimize(index);
    soci_pool->give_back(index);
  }
  state.SetItemsProcessed(state.iterations());
}

void register_all() {
  for (auto [name, fn] : {std::pair{"tabula_checkout", &tabula_checkout},
                          std::pair{"soci_session_pool", &soci_session_pool},
                          std::pair{"soci_lease_give_back", &soci_lease_give_back}}) {
    auto* b = benchmark::RegisterBenchmark(name, fn);
    for (int threads : kThreadCounts) b->Threads(threads);
    b->UseRealTime();
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    tabula::bench::BenchServer server(argc, argv);
    tabula::Url url(server.url());
    std::cerr << "bench: database " << url << "\n";

    tabula_pool = std::make_unique<tabula::Pool>(url, tabula::PoolOptions{
                                                          .max_connections = kPoolSize,
                                                          .min_idle = kPoolSize,
                                                      });
    soci_pool = std::make_unique<soci::connection_pool>(kPoolSize);
    for (std::size_t i = 0; i < kPoolSize; ++i) {
      soci_pool->at(i).open(*soci::factory_mysql(), tabula::bench::soci_connect_string(url));
    }
    // Open all of tabula's connections up front too, so neither side pays for connecting.
    {
      std::vector<tabula::Lease> warm;
      for (std::size_t i = 0; i < kPoolSize; ++i) warm.push_back(tabula_pool->checkout());
    }

    benchmark::Initialize(&argc, argv);
    register_all();
    tabula::bench::RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    tabula::PoolStats stats = tabula_pool->stats();
    std::cout << "tabula pool after the run: " << tabula::to_string(stats) << ", peak_open "
              << stats.peak_open << ", created " << stats.created_total << "\n";
    for (int threads : kThreadCounts) {
      auto ours = reporter.rate("tabula_checkout", threads);
      auto session = reporter.rate("soci_session_pool", threads);
      auto raw = reporter.rate("soci_lease_give_back", threads);
      if (ours && session) {
        std::printf("ratio: pool_checkout_%dt = %.2f\n", threads, *ours / *session);
      }
      if (ours && raw) {
        std::printf("ratio: pool_checkout_raw_%dt = %.2f\n", threads, *ours / *raw);
      }
    }
    tabula_pool.reset();
    soci_pool.reset();
  } catch (const std::exception& e) {
    std::cerr << "pool_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

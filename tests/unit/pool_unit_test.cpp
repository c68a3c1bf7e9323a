// Pool behaviour that needs no server: SQLite file databases stand in for the connections.

#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/log.hpp>
#include <tabula/metrics.hpp>
#include <tabula/pool.hpp>

#include <soci/soci.h>

#include <gtest/gtest.h>

#include <atomic>

#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

namespace tabula {
namespace {

using namespace std::chrono_literals;

std::string scratch_url(const std::string& name, const std::string& query = "") {
  auto dir = std::filesystem::temp_directory_path() / "tabula-unit";
  std::filesystem::create_directories(dir);
  auto path = dir / (name + "-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  return "sqlite://" + path.string() + (query.empty() ? "" : "?" + query);
}

// Captures log messages for the duration of a test.
class LogCapture {
 public:
  LogCapture() {
    set_log_handler([this](LogLevel, std::string_view message) {
      std::lock_guard lock(mutex_);
      messages_.emplace_back(message);
    });
  }
  ~LogCapture() { set_log_handler(nullptr); }
  std::vector<std::string> matching(const std::string& fragment) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& m : messages_) {
      if (m.find(fragment) != std::string::npos) out.push_back(m);
    }
    return out;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> messages_;
};

TEST(PoolUnitTest, ReusesOneConnectionWhenUsedSequentially) {
  Pool pool(Url(scratch_url("reuse")), {.max_connections = 4});
  for (int i = 0; i < 50; ++i) {
    Lease lease = pool.checkout();
    lease->execute("SELECT 1");
  }
  PoolStats s = pool.stats();
  EXPECT_EQ(s.created_total, 1u);
  EXPECT_EQ(s.checkouts_total, 50u);
  EXPECT_EQ(s.open, 1u);
  EXPECT_EQ(s.idle, 1u);
  EXPECT_EQ(s.in_use, 0u);
}

TEST(PoolUnitTest, CheckoutTimesOutWhenExhaustedAndNamesTheHolders) {
  Pool pool(Url(scratch_url("timeout")), {.max_connections = 2, .checkout_timeout = 200ms});
  Lease first = pool.checkout();
  int first_line = __LINE__ - 1;
  Lease second = pool.checkout();
  int second_line = __LINE__ - 1;
  auto started = std::chrono::steady_clock::now();
  try {
    (void)pool.checkout();
    FAIL() << "a third connection was handed out by a pool of 2";
  } catch (const PoolTimeout& e) {
    auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_GE(waited, 200ms);
    EXPECT_LT(waited, 2s);
    std::string message = e.what();
    EXPECT_NE(message.find("pool_unit_test.cpp:" + std::to_string(first_line)), std::string::npos)
        << message;
    EXPECT_NE(message.find("pool_unit_test.cpp:" + std::to_string(second_line)), std::string::npos)
        << message;
    EXPECT_NE(message.find("open 2/2"), std::string::npos) << message;
  }
  EXPECT_EQ(pool.stats().timeouts_total, 1u);
}

TEST(PoolUnitTest, TryCheckoutReturnsNulloptInsteadOfThrowing) {
  Pool pool(Url(scratch_url("try")), {.max_connections = 1});
  Lease held = pool.checkout();
  EXPECT_FALSE(pool.try_checkout(50ms).has_value());
  held.release();
  std::optional<Lease> lease = pool.try_checkout(50ms);
  ASSERT_TRUE(lease.has_value());
  EXPECT_TRUE((*lease)->ping());
}

TEST(PoolUnitTest, WaitersAreServedFirstComeFirstServed) {
  Pool pool(Url(scratch_url("fifo")), {.max_connections = 1, .checkout_timeout = 10s});
  Lease held = pool.checkout();
  std::mutex mutex;
  std::vector<int> order;
  std::vector<std::thread> threads;
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back([&, i] {
      Lease lease = pool.checkout();
      std::lock_guard lock(mutex);
      order.push_back(i);
    });
    // Make sure thread i is queued before thread i + 1 starts.
    while (pool.stats().waiting != static_cast<std::size_t>(i + 1)) std::this_thread::yield();
  }
  held.release();
  for (auto& t : threads) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(PoolUnitTest, LeaseOutlivesItsPool) {
  std::optional<Lease> lease;
  {
    Pool pool(Url(scratch_url("outlive")), {.max_connections = 1});
    lease = pool.checkout();
  }
  EXPECT_TRUE((*lease)->ping());
  lease.reset();  // returns to a shut-down pool: the connection is closed, nothing crashes
}

TEST(PoolUnitTest, ExceptionInsideScopeGivesTheConnectionBack) {
  Pool pool(Url(scratch_url("exception")), {.max_connections = 1, .checkout_timeout = 1s});
  try {
    Lease lease = pool.checkout();
    lease->execute("CREATE TABLE t (x INTEGER)");
    lease->execute("BEGIN");
    lease->execute("INSERT INTO t VALUES (1)");
    throw std::runtime_error("handler failed mid-transaction");
  } catch (const std::runtime_error&) {
  }
  Lease lease = pool.checkout();  // would time out if the first lease had leaked
  EXPECT_FALSE(lease->in_transaction()) << "returned connections are rolled back";
  long long rows = -1;
  lease->run([&](soci::session& sql) { sql << "SELECT COUNT(*) FROM t", soci::into(rows); });
  EXPECT_EQ(rows, 0) << "uncommitted rows are gone";
}

TEST(PoolUnitTest, LeakIsReportedOnceAndAgainOnReturn) {
  LogCapture logs;
  Pool pool(Url(scratch_url("leak")), {.max_connections = 2, .leak_threshold = 100ms});
  {
    Lease lease = pool.checkout();
    int line = __LINE__ - 1;
    std::this_thread::sleep_for(450ms);  // several housekeeping rounds
    auto reports = logs.matching("possible connection leak");
    ASSERT_EQ(reports.size(), 1u) << "reported exactly once while held";
    EXPECT_NE(reports[0].find("pool_unit_test.cpp:" + std::to_string(line)), std::string::npos)
        << reports[0];
  }
  auto returns = logs.matching("returned after");
  ASSERT_EQ(returns.size(), 1u);
  EXPECT_EQ(pool.stats().leaks_reported_total, 1u);
}

TEST(PoolUnitTest, IdleConnectionsBeyondMinIdleAreRetired) {
  Pool pool(Url(scratch_url("idle")), {.max_connections = 4, .min_idle = 1, .idle_timeout = 100ms});
  {
    std::vector<Lease> leases;
    for (int i = 0; i < 4; ++i) leases.push_back(pool.checkout());
  }
  EXPECT_EQ(pool.stats().idle, 4u);
  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (pool.stats().open > 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  PoolStats s = pool.stats();
  EXPECT_EQ(s.open, 1u) << "min_idle stays";
  EXPECT_EQ(s.closed_total, 3u);
}

TEST(PoolUnitTest, MinIdleIsKeptWarm) {
  Pool pool(Url(scratch_url("warm")), {.max_connections = 4, .min_idle = 3});
  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (pool.stats().idle < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(pool.stats().idle, 3u);
  EXPECT_EQ(pool.stats().checkouts_total, 0u);
}

TEST(PoolUnitTest, OptionsComeFromTheUrl) {
  Pool pool(Url(scratch_url("options",
                            "max_connections=3&checkout_timeout=250ms&min_idle=1&"
                            "leak_threshold=2m&validation_bypass=0")));
  PoolOptions o = pool.options();
  EXPECT_EQ(o.max_connections, 3u);
  EXPECT_EQ(o.checkout_timeout, 250ms);
  EXPECT_EQ(o.min_idle, 1u);
  EXPECT_EQ(o.leak_threshold, 2min);
  EXPECT_EQ(o.validation_bypass, 0ms);
}

TEST(PoolUnitTest, InvalidOptionsAreRejectedWithTheirName) {
  auto expect_error = [](const std::string& query, const std::string& fragment) {
    try {
      Pool pool(Url(scratch_url("bad-options", query)));
      ADD_FAILURE() << "accepted " << query;
    } catch (const UrlError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  expect_error("max_connections=0", "max_connections must be at least 1");
  expect_error("max_connections=many", "'max_connections' = 'many' is not a whole number");
  expect_error("max_connections=-3", "is not a whole number");
  expect_error("checkout_timeout=soon", "'checkout_timeout' = 'soon' is not a duration");
  expect_error("max_connections=2&min_idle=5", "min_idle (5) exceeds max_connections (2)");
  expect_error("max_conections=2", "unknown option 'max_conections'");
  // Given in code, the same mistakes are OptionsErrors.
  EXPECT_THROW(Pool(Url(scratch_url("bad-options")), {.max_connections = 0}), OptionsError);
  EXPECT_THROW(Pool(Url(scratch_url("bad-options")), {.max_connections = 2, .min_idle = 3}),
               OptionsError);
  EXPECT_THROW(Pool(Url(scratch_url("bad-options", "min_idle=3")), {.max_connections = 2}),
               UrlError);
}

TEST(PoolUnitTest, MemoryDatabaseIsOneConnection) {
  Engine engine("sqlite://:memory:?max_connections=8");
  EXPECT_EQ(engine.pool().options().max_connections, 1u);
  engine.execute("CREATE TABLE t (x INTEGER)");
  engine.execute("INSERT INTO t VALUES (1)");  // same database: the table is still there
}

TEST(PoolUnitTest, StatsRenderAsPrometheusText) {
  Pool pool(Url(scratch_url("prometheus")), {.max_connections = 5});
  { Lease lease = pool.checkout(); }
  std::string text = to_prometheus(pool.stats(), "shop_db");
  EXPECT_NE(text.find("# TYPE shop_db_open gauge\nshop_db_open 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("shop_db_max_connections 5\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE shop_db_checkouts_total counter\nshop_db_checkouts_total 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("shop_db_wait_seconds{quantile=\"0.99\"}"), std::string::npos);
  EXPECT_NE(text.find("shop_db_wait_seconds_count 1\n"), std::string::npos);
  EXPECT_NE(to_prometheus(pool.stats()).find("tabula_pool_idle 1\n"), std::string::npos);
}

TEST(PoolUnitTest, ManyThreadsNeverExceedTheCap) {
  Pool pool(Url(scratch_url("threads")), {.max_connections = 3, .checkout_timeout = 10s});
  std::atomic<int> in_use{0};
  std::atomic<int> peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        Lease lease = pool.checkout();
        int now = ++in_use;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        --in_use;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(peak.load(), 3);
  PoolStats s = pool.stats();
  EXPECT_LE(s.peak_open, 3u);
  EXPECT_EQ(s.checkouts_total, 16u * 200u);
  EXPECT_EQ(s.timeouts_total, 0u);
  EXPECT_EQ(s.in_use, 0u);
}

TEST(PoolUnitTest, PoolDestroyedWhileOtherThreadsReturnLeases) {
  // Leases outlive their pool while other threads give them back concurrently with its
  // destruction: every connection is closed, nothing is touched after it is freed (asan/tsan).
  for (int round = 0; round < 20; ++round) {
    std::vector<std::thread> threads;
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    {
      Pool pool(Url(scratch_url("destroy")), {.max_connections = 4});
      for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, lease = pool.checkout()]() mutable {
          ++ready;
          while (!go.load()) std::this_thread::yield();
          lease.release();
        });
      }
      while (ready.load() < 4) std::this_thread::yield();
      go.store(true);
    }  // the pool goes while the threads give back
    for (auto& t : threads) t.join();
  }
}

TEST(PoolUnitTest, MixedFastAndWaitingCheckoutsKeepTheCapAndCounts) {
  Pool pool(Url(scratch_url("mixed")), {.max_connections = 2, .checkout_timeout = 10s});
  std::atomic<int> held{0};
  std::atomic<int> peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        Lease lease = pool.checkout();
        int now = ++held;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        if ((i + t) % 50 == 0) std::this_thread::sleep_for(1ms);  // make others wait
        --held;
      }
    });
  }
  for (auto& t : threads) t.join();
  PoolStats s = pool.stats();
  EXPECT_LE(peak.load(), 2);
  EXPECT_LE(s.peak_open, 2u);
  EXPECT_EQ(s.checkouts_total, 8u * 500u) << "fast and locked paths both counted";
  EXPECT_EQ(s.in_use, 0u);
  EXPECT_EQ(s.idle, s.open);
  EXPECT_EQ(s.waiting, 0u);
}

}  // namespace
}  // namespace tabula

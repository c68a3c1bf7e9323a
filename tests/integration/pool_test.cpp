// The bounded pool against the real MariaDB. The cap is asserted on what the server saw (a
// monitor counting the test user's rows in PROCESSLIST), not only on the pool's own counters.

#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/log.hpp>
#include <tabula/pool.hpp>

#include "burst.hpp"
#include "server_monitor.hpp"
#include "sql_scalar.hpp"
#include "test_server.hpp"

#include <soci/soci.h>

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <thread>
#include <vector>

namespace tabula {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

using test::scalar;

TEST(PoolTest, CapHoldsWith200ThreadsOnAPoolOf12) {
  test::ScratchDatabase db("pool_cap");
  test::TestUser user("tp_cap", db.url());
  Engine engine(user.url(), {.max_connections = 12, .checkout_timeout = 10s});
  std::atomic<int> ok{0};
  std::atomic<int> timeouts{0};
  std::atomic<int> other_errors{0};
  {
    test::ConnectionMonitor monitor(user);
    auto until = Clock::now() + 3s;
    std::vector<std::thread> threads;
    for (int t = 0; t < 200; ++t) {
      threads.emplace_back([&] {
        while (Clock::now() < until) {
          try {
            Lease lease = engine.checkout();
            lease->execute("DO 1");
            ++ok;
          } catch (const PoolTimeout&) {
            ++timeouts;
          } catch (const std::exception& e) {
            ++other_errors;
            ADD_FAILURE() << e.what();
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_GT(monitor.samples(), 50u) << "the monitor must actually have watched";
    EXPECT_LE(monitor.peak(), 12u) << "server saw more connections than the cap";
    EXPECT_GE(monitor.peak(), 1u);
  }
  PoolStats s = engine.pool().stats();
  EXPECT_LE(s.peak_open, 12u);
  EXPECT_EQ(s.created_total, s.connect_attempts_total) << "no failed attempts";
  EXPECT_LE(s.created_total, 12u) << "connections were reused, not reopened";
  EXPECT_EQ(other_errors.load(), 0);
  EXPECT_GT(ok.load(), 1000);
  EXPECT_EQ(s.checkouts_total, static_cast<std::uint64_t>(ok.load()));
  EXPECT_EQ(s.timeouts_total, static_cast<std::uint64_t>(timeouts.load()));
  EXPECT_EQ(s.in_use, 0u);
  EXPECT_EQ(s.waiting, 0u);
}

TEST(PoolTest, LeasesDroppedByExceptionsComeBackAndUncommittedRowsVanish) {
  test::ScratchDatabase db("pool_exceptions");
  test::TestUser user("tp_exc", db.url());
  Engine engine(user.url(), {.max_connections = 4, .checkout_timeout = 10s});
  engine.execute("CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB");
  std::vector<std::thread> threads;
  std::atomic<int> thrown{0};
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        try {
          Lease lease = engine.checkout();
          lease->execute("BEGIN");
          lease->execute("INSERT INTO t (v) VALUES (1)");
          throw std::runtime_error("handler failed after its INSERT");
        } catch (const std::runtime_error&) {
          ++thrown;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(thrown.load(), 320);
  PoolStats s = engine.pool().stats();
  EXPECT_EQ(s.in_use, 0u);
  EXPECT_EQ(s.idle, s.open) << "every connection came back";
  EXPECT_LE(s.peak_open, 4u);
  EXPECT_EQ(s.closed_total, 0u) << "rolled back and reused, not closed";
  Lease lease = engine.checkout();
  EXPECT_EQ(scalar(lease, "SELECT COUNT(*) FROM t"), 0) << "no uncommitted row survived";
  EXPECT_LE(user.connections(), 4u);
}

TEST(PoolTest, RollbackOnlyWhenDirty) {
  test::ScratchDatabase db("pool_dirty");
  Engine engine(db.url(), {.max_connections = 1});
  engine.execute("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB");
  auto rollbacks = [&] {
    Lease lease = engine.checkout();
    long long n = 0;
    std::string name;
    lease->run([&](soci::session& sql) {
      sql << "SHOW SESSION STATUS LIKE 'Com_rollback'", soci::into(name), soci::into(n);
    });
    return n;
  };
  long long before = rollbacks();
  {
    Lease lease = engine.checkout();
    lease->execute("SELECT 1");
  }
  EXPECT_EQ(rollbacks(), before) << "a clean connection costs no ROLLBACK round trip";
  {
    Lease lease = engine.checkout();
    lease->execute("BEGIN");
    lease->execute("INSERT INTO t VALUES (1)");
    EXPECT_TRUE(lease->in_transaction());
  }
  EXPECT_EQ(rollbacks(), before + 1);
  {
    Lease lease = engine.checkout();
    EXPECT_FALSE(lease->in_transaction());
    EXPECT_EQ(scalar(lease, "SELECT COUNT(*) FROM t"), 0);
    lease->execute("SET autocommit = 0");
  }
  Lease lease = engine.checkout();
  EXPECT_EQ(scalar(lease, "SELECT @@autocommit"), 1) << "autocommit restored on return";
}

TEST(PoolTest, KilledIdleConnectionsAreReplacedWithoutCallersNoticing) {
  test::ScratchDatabase db("pool_killed");
  test::TestUser user("tp_kill", db.url());
  Engine engine(user.url(),
                {.max_connections = 6, .checkout_timeout = 10s, .validation_bypass = 50ms});
  {
    std::vector<Lease> leases;
    for (int i = 0; i < 6; ++i) leases.push_back(engine.checkout());
  }
  ASSERT_EQ(user.connections(), 6u);
  EXPECT_EQ(user.kill_all(), 6u);
  std::this_thread::sleep_for(100ms);  // longer than validation_bypass

  test::ConnectionMonitor monitor(user);
  test::BurstResult burst = test::checkout_burst(engine, 24, 10);
  EXPECT_EQ(burst.errors, 0) << burst.first_error;
  EXPECT_LE(monitor.peak(), 6u);
  PoolStats s = engine.pool().stats();
  EXPECT_GE(s.validation_failures_total, 1u);
  EXPECT_LE(s.peak_open, 6u);
}

TEST(PoolTest, ConnectionBrokenInUseIsClosedOnReturnAndReplaced) {
  test::ScratchDatabase db("pool_broken");
  test::TestUser user("tp_broken", db.url());
  Engine engine(user.url(), {.max_connections = 2});
  long long first_id = 0;
  {
    Lease lease = engine.checkout();
    first_id = scalar(lease, "SELECT CONNECTION_ID()");
    user.kill_all();
    EXPECT_THROW(lease->execute("DO 1"), SqlError);
    EXPECT_TRUE(lease->is_broken());
  }
  PoolStats s = engine.pool().stats();
  EXPECT_EQ(s.broken_total, 1u);
  EXPECT_EQ(s.open, 0u) << "the broken connection was closed, not pooled";
  Lease lease = engine.checkout();
  EXPECT_NE(scalar(lease, "SELECT CONNECTION_ID()"), first_id);
}

TEST(PoolTest, MaxUserConnectionsBelowTheCapIsBackPressure) {
  test::ScratchDatabase db("pool_refusal");
  test::TestUser user("tp_refuse", db.url(), "WITH MAX_USER_CONNECTIONS 3");
  Engine engine(user.url(), {.max_connections = 12, .checkout_timeout = 1500ms});
  // Watched once the first burst is over: before its first refusal the pool does not know of the
  // user's limit and opens for all its waiters at once (up to its own cap), and the server lists
  // each refused attempt under the user for the moment its login takes.
  std::optional<test::ConnectionMonitor> monitor;
  std::atomic<int> ok{0};
  std::atomic<int> timeouts{0};
  std::atomic<int> other{0};
  std::string timeout_message;
  std::mutex mutex;
  auto until = Clock::now() + 3s;
  std::vector<std::thread> threads;
  for (int t = 0; t < 30; ++t) {
    threads.emplace_back([&] {
      while (Clock::now() < until) {
        try {
          Lease lease = engine.checkout();
          lease->execute("DO SLEEP(0.02)");
          ++ok;
        } catch (const PoolTimeout& e) {
          ++timeouts;
          std::lock_guard lock(mutex);
          timeout_message = e.what();
        } catch (const std::exception& e) {
          ++other;
          ADD_FAILURE() << e.what();
        }
      }
    });
  }
  // The first burst is over once a refusal came back and the pool holds no more than the three
  // connections and one attempt.
  auto bursting = [&] {
    PoolStats now = engine.pool().stats();
    return now.refusals_total == 0 || now.open > 4;
  };
  while (bursting() && Clock::now() < until) std::this_thread::sleep_for(1ms);
  monitor.emplace(user);
  for (auto& t : threads) t.join();
  PoolStats s = engine.pool().stats();
  EXPECT_EQ(other.load(), 0) << "refusals never reach callers as errors";
  EXPECT_GT(ok.load(), 50) << "the three connections the server allows keep serving";
  // The server lists a connection being refused while it authenticates: the 3 it allows plus at
  // most the one probe the pool sends at a time while backing off.
  EXPECT_LE(monitor->peak(), 4u);
  EXPECT_GT(monitor->samples(), 100u) << "the backoff was hardly watched";
  EXPECT_LE(s.peak_open, 12u);
  EXPECT_GE(s.refusals_total, 1u);
  // Backoff spaces attempts 50 ms, 100 ms, ... 2 s apart, one probe at a time: about a dozen in
  // three seconds. A retry storm would be thousands.
  EXPECT_LE(s.connect_attempts_total, 30u) << "attempts: " << s.connect_attempts_total;
  if (timeouts.load() > 0) {
    EXPECT_NE(timeout_message.find("max_user_connections"), std::string::npos) << timeout_message;
  }
}

TEST(PoolTest, MinIdleConnectionsAreOpenOnTheServer) {
  test::ScratchDatabase db("pool_warm");
  test::TestUser user("tp_warm", db.url());
  Engine engine(user.url(), {.max_connections = 5, .min_idle = 3});
  auto deadline = Clock::now() + 5s;
  while (user.connections() < 3 && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(user.connections(), 3u);
  EXPECT_EQ(engine.pool().stats().idle, 3u);
}

TEST(PoolTest, ChildAfterForkNeverReusesTheParentsConnections) {
  test::ScratchDatabase db("pool_fork");
  Engine engine(db.url(), {.max_connections = 2});
  long long parent_id = 0;
  {
    Lease lease = engine.checkout();
    parent_id = scalar(lease, "SELECT CONNECTION_ID()");
  }
  ASSERT_EQ(engine.pool().stats().idle, 1u);
  pid_t child = ::fork();
  if (child == 0) {
    int code = 0;
    try {
      Lease lease = engine.checkout();
      long long id = scalar(lease, "SELECT CONNECTION_ID()");
      if (id == parent_id) code = 3;  // reused the parent's session
    } catch (...) {
      code = 5;
    }
    ::_exit(code);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "3: reused the parent's connection; 5: failed";
  Lease lease = engine.checkout();
  EXPECT_EQ(scalar(lease, "SELECT CONNECTION_ID()"), parent_id)
      << "the child left the parent's connection alone";
}

}  // namespace
}  // namespace tabula

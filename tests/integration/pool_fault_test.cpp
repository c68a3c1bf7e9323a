// Pool faults that change the whole server (its global wait_timeout, a restart): registered
// SERIAL so that no other test runs meanwhile.

#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/log.hpp>
#include <tabula/pool.hpp>

#include "burst.hpp"
#include "server_monitor.hpp"
#include "test_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace tabula {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Sets the server's global wait_timeout for the test's duration (new connections inherit it).
class GlobalWaitTimeout {
 public:
  explicit GlobalWaitTimeout(int seconds) {
    Engine admin(test::server_url());
    admin.execute("SET GLOBAL wait_timeout = " + std::to_string(seconds));
  }
  ~GlobalWaitTimeout() {
    try {
      Engine admin(test::server_url());
      admin.execute("SET GLOBAL wait_timeout = 28800");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "could not restore wait_timeout: " << e.what();
    }
  }
};

TEST(PoolFaultTest, ServerWaitTimeoutClampsTheOptionsAndIdleDeathsStayInvisible) {
  GlobalWaitTimeout short_timeout(1);
  test::ScratchDatabase db("pool_wait_timeout");
  test::TestUser user("tp_wait", db.url());
  std::vector<std::string> warnings;
  std::mutex mutex;
  set_log_handler([&](LogLevel, std::string_view message) {
    std::lock_guard lock(mutex);
    warnings.emplace_back(message);
  });
  {
    // validation_bypass above the server's idle limit would hand out dead connections if the pool
    // did not retire them first: the clamp is what keeps callers safe here.
    Engine engine(user.url(), {.max_connections = 8, .checkout_timeout = 10s});
    test::ConnectionMonitor monitor(user);
    auto burst = [&] {
      test::BurstResult result = test::checkout_burst(engine, 32, 5);
      EXPECT_EQ(result.errors, 0) << result.first_error;
      return result.errors;
    };
    EXPECT_EQ(burst(), 0);
    PoolOptions clamped = engine.pool().options();
    EXPECT_LT(clamped.idle_timeout, 1s);
    EXPECT_LE(clamped.validation_bypass, clamped.idle_timeout);
    EXPECT_EQ(clamped.max_lifetime, PoolOptions{}.max_lifetime)
        << "wait_timeout is an idle timer: busy connections are not retired for it";
    std::this_thread::sleep_for(1500ms);  // every idle connection is now past wait_timeout
    EXPECT_EQ(burst(), 0) << "idle connections the server dropped never reach callers";
    EXPECT_LE(monitor.peak(), 8u);
    EXPECT_LE(engine.pool().stats().peak_open, 8u);
  }
  set_log_handler(nullptr);
  bool logged = false;
  for (const auto& w : warnings) {
    if (w.find("wait_timeout of 1 s") != std::string::npos) logged = true;
  }
  EXPECT_TRUE(logged) << "the clamp is explained in the log";
}

// wait_timeout is an idle timer: a connection in steady use never meets it, so the pool must not
// retire busy connections for it. Each slot opens one connection per idle gap longer than
// wait_timeout.
TEST(PoolFaultTest, SteadyUseUnderAShortWaitTimeoutOpensOneConnectionPerSlotPerIdleGap) {
  GlobalWaitTimeout short_timeout(2);
  test::ScratchDatabase db("pool_steady");
  test::TestUser user("tp_steady", db.url(), "WITH MAX_USER_CONNECTIONS 4");
  Engine engine(user.url(), {.max_connections = 4, .checkout_timeout = 10s});
  auto busy = [&](std::chrono::milliseconds length) {
    auto until = Clock::now() + length;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        while (Clock::now() < until) {
          Lease lease = engine.checkout();
          lease->execute("DO 1");
        }
      });
    }
    for (auto& t : threads) t.join();
  };
  busy(3000ms);  // longer than wait_timeout: steady use must not retire anything
  EXPECT_EQ(engine.pool().stats().created_total, engine.pool().stats().peak_open);
  std::this_thread::sleep_for(4500ms);  // an idle gap: every connection goes
  EXPECT_EQ(engine.pool().stats().open, 0u) << "idle connections retired before wait_timeout";
  busy(1000ms);
  PoolStats s = engine.pool().stats();
  EXPECT_LE(s.created_total, 8u) << "one connection per slot per idle gap";
  EXPECT_EQ(s.validation_failures_total, 0u) << "retired by the pool, not found dead";
  EXPECT_EQ(s.refusals_total, 0u);
  EXPECT_EQ(engine.pool().options().max_lifetime, PoolOptions{}.max_lifetime);
}

// min_idle connections are kept alive with a ping before the server's wait_timeout would close
// them, instead of dying at the server and being found dead later.
TEST(PoolFaultTest, MinIdleConnectionsArePingedBeforeTheServerDropsThem) {
  // 4 s: the pool pings at 3 s, and housekeeping runs every 0.5 s, so a busy machine has a
  // second of slack before the server would act.
  GlobalWaitTimeout short_timeout(4);
  test::ScratchDatabase db("pool_keepalive");
  test::TestUser user("tp_keepalive", db.url());
  Engine engine(user.url(), {.max_connections = 4, .min_idle = 2, .checkout_timeout = 10s});
  auto until = Clock::now() + 10s;
  while (engine.pool().stats().idle < 2 && Clock::now() < until) std::this_thread::sleep_for(5ms);
  ASSERT_EQ(engine.pool().stats().idle, 2u);
  std::this_thread::sleep_for(9s);  // more than two wait_timeouts
  EXPECT_EQ(user.connections(), 2u) << "the server still has both";
  PoolStats s = engine.pool().stats();
  EXPECT_EQ(s.created_total, 2u);
  EXPECT_EQ(s.validation_failures_total, 0u);
  {
    Lease lease = engine.checkout();
    lease->execute("DO 1");
  }
  EXPECT_EQ(engine.pool().stats().created_total, 2u);
}

TEST(PoolFaultTest, ServerRestartMidLoadGivesClearErrorsAndTheCapHolds) {
  test::ScratchDatabase db("pool_restart");
  test::TestUser user("tp_restart", db.url());
  const auto checkout_timeout = 2s;
  Engine engine(user.url("connect_timeout=1s"),
                {.max_connections = 10, .checkout_timeout = checkout_timeout});
  std::atomic<bool> stop{false};
  std::atomic<int> ok_before{0};
  std::atomic<int> ok_after{0};
  std::atomic<bool> restarted{false};
  std::atomic<int> clear_errors{0};
  std::atomic<int> unexpected{0};
  std::atomic<long long> longest_checkout_ms{0};
  std::mutex mutex;
  std::string sample_error;

  test::ConnectionMonitor monitor(user);
  std::vector<std::thread> threads;
  for (int t = 0; t < 40; ++t) {
    threads.emplace_back([&] {
      while (!stop.load()) {
        // Times checkout() on every outcome, failures included.
        auto timed_checkout = [&] {
          auto started = Clock::now();
          auto record = [&] {
            auto took =
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
            long long seen = longest_checkout_ms.load();
            while (took.count() > seen &&
                   !longest_checkout_ms.compare_exchange_weak(seen, took.count())) {
            }
          };
          try {
            Lease lease = engine.checkout();
            record();
            return lease;
          } catch (...) {
            record();
            throw;
          }
        };
        try {
          Lease lease = timed_checkout();
          lease->execute("DO 1");
          (restarted.load() ? ok_after : ok_before)++;
        } catch (const PoolTimeout&) {
          ++clear_errors;
        } catch (const ConnectError& e) {
          ++clear_errors;
          std::lock_guard lock(mutex);
          sample_error = e.what();
        } catch (const SqlError& e) {
          if (e.is_disconnect()) {
            ++clear_errors;
          } else {
            ++unexpected;
            ADD_FAILURE() << e.what();
          }
        } catch (const std::exception& e) {
          ++unexpected;
          ADD_FAILURE() << e.what();
        }
        std::this_thread::sleep_for(1ms);
      }
    });
  }
  std::this_thread::sleep_for(500ms);
  test::stop_server();
  std::this_thread::sleep_for(1s);
  test::start_server();
  restarted.store(true);
  auto deadline = Clock::now() + 10s;
  while (ok_after.load() < 200 && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
  stop.store(true);
  for (auto& t : threads) t.join();

  PoolStats s = engine.pool().stats();
  EXPECT_GT(ok_before.load(), 0);
  EXPECT_GE(ok_after.load(), 200) << "the pool recovered after the restart";
  EXPECT_GT(clear_errors.load(), 0) << "the outage was reported";
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_LE(s.peak_open, 10u);
  EXPECT_LE(monitor.peak(), 10u);
  // checkout_timeout plus the connect timeout's whole-second granularity.
  EXPECT_LE(longest_checkout_ms.load(), 3500) << "no checkout waited far past checkout_timeout";
  if (!sample_error.empty()) {
    EXPECT_EQ(sample_error.find(user.url().password()), std::string::npos) << sample_error;
  }
}

}  // namespace
}  // namespace tabula

// The cap as the server counts it. The server enforces the same limit as the pool
// (CREATE USER ... WITH MAX_USER_CONNECTIONS equal to max_connections), so a connection the pool
// opens before the server has let go of the one it replaces is refused (error 1226) and shows up
// in refusals_total; a processlist monitor also records the highest count the server showed.

#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/pool.hpp>

#include "server_monitor.hpp"
#include "tcp_relay.hpp"
#include "test_server.hpp"

#include <soci/soci.h>

#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tabula {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(PoolServerCapTest, HeavyChurnUnderAServerEnforcedCapIsNeverRefused) {
  test::ScratchDatabase db("pool_server_cap");
  test::TestUser user("tp_server_cap", db.url(), "WITH MAX_USER_CONNECTIONS 12");
  // max_lifetime of 100 ms: every connection is retired and replaced about ten times a second,
  // each replacement racing the server's end of the old one.
  Engine engine(user.url(),
                {.max_connections = 12, .checkout_timeout = 10s, .max_lifetime = 100ms});
  std::atomic<int> ok{0};
  std::atomic<int> errors{0};
  std::mutex mutex;
  std::string first_error;
  {
    test::ConnectionMonitor monitor(user);
    auto until = Clock::now() + 10s;
    std::vector<std::thread> threads;
    for (int t = 0; t < 200; ++t) {
      threads.emplace_back([&] {
        while (Clock::now() < until) {
          try {
            Lease lease = engine.checkout();
            lease->execute("DO 1");
            ++ok;
          } catch (const std::exception& e) {
            if (errors++ == 0) {
              std::lock_guard lock(mutex);
              first_error = e.what();
            }
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_LE(monitor.peak(), 12u) << "the server's processlist showed more live connections "
                                      "than the cap (all rows, teardown included: "
                                   << monitor.listed_peak() << ")";
    EXPECT_GT(monitor.samples(), 100u) << "the monitor must actually have watched";
  }
  PoolStats s = engine.pool().stats();
  EXPECT_EQ(errors.load(), 0) << first_error;
  EXPECT_EQ(s.refusals_total, 0u) << "the server refused a connection: the pool opened one "
                                     "before the server had let go of the one it replaced";
  EXPECT_EQ(s.connect_failures_total, 0u);
  EXPECT_EQ(s.unconfirmed_closes_total, 0u);
  EXPECT_GE(s.created_total, 100u) << "max_lifetime of 100 ms must have caused churn";
  EXPECT_LE(s.peak_open, 12u);
  EXPECT_GT(ok.load(), 1000);
  std::cout << "checkouts " << ok.load() << ", connections opened " << s.created_total
            << ", refusals " << s.refusals_total << "\n";
}

long long connection_id(Lease& lease) {
  long long id = 0;
  lease->run([&](soci::session& sql) { sql << "SELECT CONNECTION_ID()", soci::into(id); });
  return id;
}

TEST(PoolServerCapTest, AReplacedConnectionIsGoneAtTheServerBeforeItsSuccessorOpens) {
  test::ScratchDatabase db("pool_close_order");
  test::TestUser user("tp_close_order", db.url(), "WITH MAX_USER_CONNECTIONS 1");
  // One slot whose connection is retired within a checkout or two (max_lifetime of 1 ms, checked
  // against the checkout time when it comes back): the previous connection is closed and the next
  // one opened into the same slot at once. The server allows this user one connection, so the new
  // one is refused unless the old one was gone first.
  Engine engine(user.url(), {.max_connections = 1, .checkout_timeout = 10s, .max_lifetime = 1ms});
  long long previous = 0;
  int replacements = 0;
  for (int i = 0; i < 400; ++i) {
    Lease lease = engine.checkout();
    long long id = connection_id(lease);
    if (previous != 0 && id != previous) {
      ++replacements;
      // Gone, or at most listed while its thread cleans up ('Killed'/'Busy': the server has
      // closed it and no longer counts it against the account).
      long long still_live = -1;
      lease->run([&](soci::session& sql) {
        sql << "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = :id AND COMMAND "
               "NOT IN ('Killed', 'Busy')",
            soci::use(previous), soci::into(still_live);
      });
      ASSERT_EQ(still_live, 0) << "connection " << previous << " was still live on the server";
    }
    previous = id;
    std::this_thread::sleep_for(5ms);  // past max_lifetime by the coarse clock's reading
  }
  PoolStats s = engine.pool().stats();
  EXPECT_GE(replacements, 150);
  EXPECT_EQ(s.refusals_total, 0u);
  EXPECT_EQ(s.connect_failures_total, 0u);
  EXPECT_EQ(s.unconfirmed_closes_total, 0u);
}

// The same through a relay that holds each COM_QUIT for 50 ms, as a busy server is slow to act on
// it: a pool that freed the slot on sending COM_QUIT would open the replacement while the server
// still counts the old connection, and the server (MAX_USER_CONNECTIONS 1) would refuse it.
TEST(PoolServerCapTest, ASlowQuitKeepsTheSlotUntilTheServerHasLetGo) {
  test::ScratchDatabase db("pool_slow_quit");
  test::TestUser user("tp_slow_quit", db.url(), "WITH MAX_USER_CONNECTIONS 1");
  Url direct = user.url();
  test::TcpRelay relay("127.0.0.1", direct.effective_port(), {.quit_delay = 50ms});
  Url relayed("mysql://" + direct.user() + ":" + direct.password() +
              "@127.0.0.1:" + std::to_string(relay.port()) + "/" + direct.database());
  Engine engine(relayed, {.max_connections = 1, .checkout_timeout = 10s, .max_lifetime = 1ms});
  long long previous = 0;
  int replacements = 0;
  auto started = Clock::now();
  for (int i = 0; i < 20; ++i) {
    Lease lease = engine.checkout();
    long long id = connection_id(lease);
    if (previous != 0 && id != previous) ++replacements;
    previous = id;
    std::this_thread::sleep_for(5ms);
  }
  auto elapsed = Clock::now() - started;
  PoolStats s = engine.pool().stats();
  EXPECT_GE(replacements, 8);
  EXPECT_GE(relay.quits_delayed(), replacements) << "every replacement went through a slow quit";
  EXPECT_EQ(s.refusals_total, 0u) << "a replacement met its predecessor at the server";
  EXPECT_EQ(s.connect_failures_total, 0u);
  EXPECT_EQ(s.unconfirmed_closes_total, 0u) << "50 ms is well inside validation_timeout";
  EXPECT_GE(elapsed, replacements * 50ms) << "each close waited for the server";
}

}  // namespace
}  // namespace tabula

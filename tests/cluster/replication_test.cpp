// tabula on a real GTID primary with two replicas (scripts/test-cluster.sh, fixture
// `replication`), with topology=replication: roles are found by asking each host (the URL lists
// the primary last), writes go to the primary and read-only sessions to replicas, a replica whose
// replication is stopped takes no reads, a write that reaches a demoted primary (1290) is run
// again on the new one by engine.transaction, and after the primary is killed and a replica
// promoted, writes resume. Which server ran a read is told by a marker row each node holds alone.

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/log.hpp>
#include <tabula/metrics.hpp>
#include <tabula/session.hpp>

#include "test_cluster.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <set>
#include <string>
#include <thread>

namespace tabula {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class ReplicationTest : public ::testing::Test {
 protected:
  test::TestCluster cluster{"TABULA_TEST_REPLICATION"};

  void SetUp() override {
    ASSERT_EQ(cluster.primary(), 1) << "the cluster was left with another primary";
    cluster.sql(1,
                "DROP TABLE IF EXISTS rep_marker; DROP TABLE IF EXISTS rep_item; "
                "CREATE TABLE rep_marker (node INT PRIMARY KEY); "
                "CREATE TABLE rep_item (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL)");
    wait_replicated();
    // Each node's own marker, kept out of the binlog: a read shows which server answered it.
    for (int n = 1; n <= 3; ++n) {
      cluster.sql(n, "SET SESSION sql_log_bin = 0; INSERT INTO rep_marker VALUES (" +
                         std::to_string(n) + ")");
    }
  }

  void TearDown() override {
    try {
      cluster.sql(cluster.primary(),
                  "DROP TABLE IF EXISTS rep_marker; DROP TABLE IF EXISTS rep_item");
    } catch (...) {
    }
  }

  // Every replica has applied what the primary wrote so far.
  void wait_replicated() {
    std::string gtid = cluster.sql(cluster.primary(), "SELECT @@gtid_binlog_pos");
    for (int n = 1; n <= 3; ++n) {
      if (n == cluster.primary()) continue;
      cluster.sql(n, "SELECT MASTER_GTID_WAIT('" + gtid + "', 10)");
    }
  }

  // The URL with the primary last: host order is not trusted.
  Url url(const std::string& options) const {
    std::string hosts;
    for (int n : {2, 3, 1}) hosts += (hosts.empty() ? "" : ",") + cluster.node_host(n);
    Url one = cluster.node_url(1);
    return Url("mysql://" + one.user() + ":" + one.password() + "@" + hosts + "/" + one.database() +
               "?topology=replication" + (options.empty() ? "" : "&" + options));
  }

  // The node whose marker a session sees.
  static int node_seen(Session& s) {
    std::vector<Record*> rows = s.query("rep_marker").all();
    EXPECT_EQ(rows.size(), 1U);
    return rows.empty() ? 0 : static_cast<int>(rows.front()->get<std::int64_t>("node"));
  }
};

TEST_F(ReplicationTest, WritesGoToThePrimaryAndReadOnlySessionsToReplicas) {
  Engine engine(url("max_connections=6"));
  {
    Session writer = engine.session();
    EXPECT_EQ(node_seen(writer), 1) << "a write session was not on the primary";
    writer.add(engine.models().at("rep_item").make({{"v", 7}}));
    writer.commit();  // on a replica this would fail: the test user cannot write there (1290)
  }
  std::set<int> readers;
  {
    std::vector<Session> sessions;
    for (int i = 0; i < 4; ++i) {
      sessions.push_back(engine.session({.read_only = true}));
      readers.insert(node_seen(sessions.back()));
    }
  }
  EXPECT_EQ(readers, (std::set<int>{2, 3})) << "reads did not spread over the two replicas";
  PoolStats stats = engine.pool().stats();
  ASSERT_EQ(stats.hosts.size(), 3U);
  EXPECT_EQ(stats.hosts[2].role, "primary");  // node 1, listed last
  EXPECT_EQ(stats.hosts[0].role, "replica");
  EXPECT_EQ(stats.hosts[1].role, "replica");

  Session reader = engine.session({.read_only = true});
  reader.add(engine.models().at("rep_item").make({{"v", 8}}));
  try {
    reader.flush();
    FAIL() << "a read-only session wrote";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("read-only"), std::string::npos) << e.what();
  }
}

TEST_F(ReplicationTest, AReplicaWhoseReplicationStoppedTakesNoReads) {
  cluster.sql(2, "STOP SLAVE SQL_THREAD");
  struct Restart {
    const test::TestCluster& cluster;
    ~Restart() {
      try {
        cluster.sql(2, "START SLAVE SQL_THREAD");
      } catch (...) {
      }
    }
  } restart{cluster};
  // Every checkout of an idle connection checks its node again (validation_bypass=0).
  Engine engine(url("max_connections=6&validation_bypass=0&max_replica_lag=5s"));
  for (int i = 0; i < 6; ++i) {
    Session reader = engine.session({.read_only = true});
    EXPECT_EQ(node_seen(reader), 3) << "a read went to the stopped replica (or the primary)";
  }
  PoolStats stats = engine.pool().stats();
  EXPECT_EQ(stats.hosts[0].role, "replica");
  EXPECT_EQ(stats.hosts[0].lag_seconds, -1) << "node 2's stopped replication not seen";
  EXPECT_NE(to_prometheus(stats).find("tabula_pool_host_replica_lag_seconds{host=\"" +
                                      cluster.node_host(2) + "\"} -1"),
            std::string::npos);
  // With no fit replica left and no fallback, a read fails and says why.
  cluster.sql(3, "STOP SLAVE SQL_THREAD");
  Engine strict(url("max_connections=2&replica_fallback=false&checkout_timeout=1s"));
  try {
    Session reader = strict.session({.read_only = true});
    node_seen(reader);
    ADD_FAILURE() << "a read was served with no fit replica and replica_fallback=false";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no host for reads"), std::string::npos) << e.what();
  }
  // With the fallback (the default), the primary serves it.
  Engine lenient(url("max_connections=2"));
  Session reader = lenient.session({.read_only = true});
  EXPECT_EQ(node_seen(reader), 1);
  cluster.sql(3, "START SLAVE SQL_THREAD");
}

TEST_F(ReplicationTest, ATransactionsGtidComesWithItsCommitAtNoExtraQuery) {
  Engine engine(url("max_connections=2"));
  std::atomic<int> asked{0};
  set_statement_handler([&](std::string_view sql, std::size_t) {
    if (sql == "SELECT @@last_gtid") ++asked;
  });
  struct Unset {
    ~Unset() { set_statement_handler(nullptr); }
  } unset;
  std::string token;
  {
    Session writer = engine.session();
    writer.add(engine.models().at("rep_item").make({{"v", 5'000'001}}));
    writer.flush();  // two statements: BEGIN ... COMMIT
    writer.add(engine.models().at("rep_item").make({{"v", 5'000'002}}));
    writer.commit();
    token = writer.last_commit();
  }
  std::string position = cluster.sql(cluster.primary(), "SELECT @@global.gtid_binlog_pos");
  while (!position.empty() && (position.back() == '\n' || position.back() == ' ')) {
    position.pop_back();
  }
  EXPECT_EQ(token, position) << "the GTID is not the commit's";
  EXPECT_EQ(asked.load(), 0) << "the GTID was asked for, not read from the COMMIT's OK packet";
  // A commit that is one statement (no COMMIT, a result set with RETURNING) asks.
  {
    Session writer = engine.session();
    writer.add(engine.models().at("rep_item").make({{"v", 5'000'003}}));
    writer.commit();
    EXPECT_FALSE(writer.last_commit().empty());
    EXPECT_NE(writer.last_commit(), token);
  }
  EXPECT_EQ(asked.load(), 1);
}

// 1,000 writes, each read back at once by a read-only session on a replica, while both
// replicas' SQL threads are stopped and started again every 30 ms: without read-your-writes some
// reads miss their row (lag is real here), with it none does.
TEST_F(ReplicationTest, ReadYourWritesNeverReadsStaleWhileReplicasLag) {
  // The replicas' health is not checked again (node_check_interval and validation_bypass of an
  // hour): a check that caught a stopped SQL thread would send reads to the primary, which has
  // every commit, and the test would prove nothing. The replica's connection is opened (and its
  // role found) before the lag starts.
  Engine engine(url("max_connections=6&node_check_interval=1h&validation_bypass=1h"));
  {
    Session warm = engine.session({.read_only = true});
    ASSERT_NE(node_seen(warm), 1);
  }
  std::atomic<bool> stop{false};
  std::thread lagger([&] {
    while (!stop.load()) {
      for (int n : {2, 3}) cluster.sql(n, "STOP SLAVE SQL_THREAD");
      std::this_thread::sleep_for(30ms);
      for (int n : {2, 3}) cluster.sql(n, "START SLAVE SQL_THREAD");
      std::this_thread::sleep_for(30ms);
    }
  });
  auto run = [&](bool wait, int first, int count) {
    int stale = 0;
    for (int v = first; v < first + count; ++v) {
      std::string token;
      {
        // Every other write is a transaction of two statements: its GTID comes with the
        // COMMIT's OK packet; the others commit alone and ask @@last_gtid.
        Session writer = engine.session();
        if (v % 2 == 1) {
          writer.add(engine.models().at("rep_item").make({{"v", v + 1'000'000}}));
          writer.flush();
        }
        writer.add(engine.models().at("rep_item").make({{"v", v}}));
        writer.commit();
        token = writer.last_commit();
      }
      EXPECT_FALSE(token.empty()) << "no GTID for a commit";
      SessionOptions options{.read_only = true};
      if (wait) options.after = token;
      Session reader = engine.session(options);
      EXPECT_NE(node_seen(reader), 1) << "the read was not on a replica";
      stale += reader.query("rep_item").where("v = ?", v).all().empty() ? 1 : 0;
    }
    return stale;
  };
  int stale_without = run(false, 0, 200);
  int stale_with = run(true, 1000, 1000);
  stop.store(true);
  lagger.join();
  std::cout << "replication: stale reads without read-your-writes " << stale_without
            << " of 200, with it " << stale_with << " of 1000\n";
  EXPECT_GT(stale_without, 0) << "the replicas never lagged: the test proves nothing";
  EXPECT_EQ(stale_with, 0);

  // A commit the replicas cannot apply in time: an error once after_timeout has passed, never a
  // stale answer.
  for (int n : {2, 3}) cluster.sql(n, "STOP SLAVE SQL_THREAD");
  std::string token;
  {
    Session writer = engine.session();
    writer.add(engine.models().at("rep_item").make({{"v", -1}}));
    writer.commit();
    token = writer.last_commit();
  }
  auto started = Clock::now();
  try {
    Session reader = engine.session({.read_only = true, .after = token, .after_timeout = 300ms});
    node_seen(reader);
    ADD_FAILURE() << "a read ran on a replica that had not applied the commit";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did not apply commit " + token), std::string::npos)
        << e.what();
  }
  EXPECT_GE(Clock::now() - started, 300ms) << "the replica did not wait for the commit";
  for (int n : {2, 3}) cluster.sql(n, "START SLAVE SQL_THREAD");
}

TEST_F(ReplicationTest, AfterAFailoverWritesResumeOnThePromotedReplica) {
  // Idle connections are lent without a check (validation_bypass and node_check_interval of an
  // hour), so the pooled connection to node 1 meets the switchover as a 1290, whatever the
  // machine's speed.
  Engine engine(
      url("max_connections=6&checkout_timeout=20s&validation_bypass=1h&node_check_interval=1h"));
  test::ClusterMonitor monitor(cluster, "tabula");
  auto write = [&](int v) {
    engine.transaction(
        [&](Session& s) {
          s.add(engine.models().at("rep_item").make({{"v", v}}));
        },
        {.attempts = 5, .backoff = 100ms});
  };
  write(1);
  // A planned switchover: node 2 becomes the primary while node 1 is still up, read-only now.
  // Pooled connections to node 1 meet 1290; engine.transaction runs the work again on node 2.
  cluster.sql(1, "SET GLOBAL read_only = 1");
  cluster.promote(2);
  {
    // Without engine.transaction the caller sees it, as a retryable error that says why.
    Session s = engine.session();
    s.add(engine.models().at("rep_item").make({{"v", 0}}));
    try {
      s.commit();
      ADD_FAILURE() << "a write reached the demoted primary and did not fail";
    } catch (const SqlError& e) {
      EXPECT_TRUE(e.is_retryable()) << e.what();
      EXPECT_NE(std::string(e.what()).find("roles are found again"), std::string::npos) << e.what();
    }
  }
  write(2);
  EXPECT_EQ(cluster.sql(2, "SELECT COUNT(*) FROM rep_item WHERE v = 2"), "1");
  // Back to node 1 for the next test, then a crash: node 1 killed, node 2 promoted by "the
  // operator"; writes resume within a bound.
  cluster.promote(1);
  write(3);
  cluster.kill(1);
  auto killed = Clock::now();
  cluster.promote(2);
  write(4);
  auto resumed = Clock::now() - killed;
  std::cout << "replication: primary killed and node 2 promoted -> first write committed after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(resumed).count() << " ms\n";
  EXPECT_LT(resumed, 10s);
  EXPECT_EQ(cluster.sql(2, "SELECT COUNT(*) FROM rep_item WHERE v = 4"), "1");
  PoolStats stats = engine.pool().stats();
  EXPECT_EQ(stats.hosts[0].role, "primary") << "node 2 not seen as the primary";
  EXPECT_LE(monitor.peak(), 6U);
  // Leave the cluster as found: node 1 back (as a replica of node 2), then primary again.
  cluster.restart(1);
  cluster.promote(1);
}

}  // namespace
}  // namespace tabula

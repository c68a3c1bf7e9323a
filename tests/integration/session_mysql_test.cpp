// Session inserts against the real MariaDB: generated keys and server defaults come back,
// parents go in before children, a failure commits nothing, the connection goes back.

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/log.hpp>
#include <tabula/session.hpp>

#include "server_monitor.hpp"
#include "sql_scalar.hpp"
#include "test_server.hpp"

#include <atomic>
#include <thread>

#include <soci/soci.h>

#include <gtest/gtest.h>

namespace tabula {
namespace {

long long count(Engine& engine, const std::string& table) {
  return test::scalar(engine, "SELECT COUNT(*) FROM " + table);
}

class SessionMysqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_.execute(
        "CREATE TABLE shelf (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, label VARCHAR(20) NOT "
        "NULL, "
        "created DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), kind ENUM('a','b') DEFAULT "
        "'b', "
        "price DECIMAL(10,3) DEFAULT '1.250', flags BIT(4) DEFAULT b'0101') ENGINE=InnoDB");
    engine_.execute(
        "CREATE TABLE item (id BIGINT AUTO_INCREMENT PRIMARY KEY, shelf_id INT UNSIGNED NOT NULL, "
        "name VARCHAR(10) NOT NULL UNIQUE, FOREIGN KEY (shelf_id) REFERENCES shelf (id)) "
        "ENGINE=InnoDB");
  }
  // One database per test: CTest runs the cases of this file in parallel.
  test::ScratchDatabase db_{std::string("session_") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name()};
  Engine engine_{db_.url(), {.max_connections = 2}};
};

TEST_F(SessionMysqlTest, AddAndCommitFillsKeysAndServerDefaults) {
  const Models& models = engine_.models();
  Session session = engine_.session();
  EXPECT_FALSE(session.has_connection()) << "no connection before the first statement";
  Record& shelf = session.add(models.at("shelf").make({{"label", "top"}}));
  EXPECT_FALSE(session.has_connection());
  session.commit();
  EXPECT_FALSE(session.has_connection()) << "the connection went back at commit";
  EXPECT_EQ(engine_.pool().stats().in_use, 0u);
  EXPECT_EQ(shelf.get<std::uint64_t>("id"), 1u);
  EXPECT_EQ(shelf.get<std::string>("kind"), "b");
  EXPECT_EQ(shelf.get<Decimal>("price").str(), "1.250");
  EXPECT_EQ(shelf.get<std::int64_t>("flags"), 5);
  EXPECT_EQ(shelf.get(std::string("created")).kind(), Value::Kind::datetime);
  EXPECT_EQ(count(engine_, "shelf"), 1);
}

TEST_F(SessionMysqlTest, ParentsAreInsertedBeforeChildren) {
  const Models& models = engine_.models();
  Session session = engine_.session();
  // Staged child first; its parent row is given an explicit key.
  session.add(models.at("item").make({{"shelf_id", 7}, {"name", "bolt"}}));
  session.add(models.at("shelf").make({{"id", 7}, {"label", "seven"}}));
  EXPECT_NO_THROW(session.commit());
  EXPECT_EQ(count(engine_, "item"), 1);
}

TEST_F(SessionMysqlTest, FailureCommitsNothingAndNamesTheRecord) {
  const Models& models = engine_.models();
  Session session = engine_.session();
  session.add(models.at("shelf").make({{"id", 1}, {"label", "one"}}));
  session.add(models.at("item").make({{"shelf_id", 1}, {"name", "nut"}}));
  session.add(models.at("item").make({{"shelf_id", 1}, {"name", "nut"}}));  // duplicate
  try {
    session.commit();
    FAIL() << "duplicate accepted";
  } catch (const SqlError& e) {
    EXPECT_EQ(e.code(), 1062);
    EXPECT_NE(
        std::string(e.what()).find("while inserting into item: {\"shelf_id\":1,\"name\":\"nut\"}"),
        std::string::npos)
        << e.what();
  }
  EXPECT_EQ(count(engine_, "shelf"), 0) << "nothing half-written was committed";
  EXPECT_EQ(count(engine_, "item"), 0);
  EXPECT_FALSE(session.has_connection());
  EXPECT_EQ(session.pending(), 3u) << "records stay staged";
}

TEST_F(SessionMysqlTest, DestructorRollsBackAndGivesTheConnectionBack) {
  const Models& models = engine_.models();
  {
    Session session = engine_.session();
    session.add(models.at("shelf").make({{"label", "temp"}}));
    session.flush();
    EXPECT_TRUE(session.has_connection());
    EXPECT_EQ(engine_.pool().stats().in_use, 1u);
  }
  EXPECT_EQ(engine_.pool().stats().in_use, 0u);
  EXPECT_EQ(count(engine_, "shelf"), 0) << "uncommitted work rolled back";
}

TEST_F(SessionMysqlTest, InsertOneLinerReturnsTheRowAsJson) {
  std::string json = engine_.insert("shelf", R"({"label": "from json", "price": "2.5"})");
  EXPECT_NE(json.find("\"id\":1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"price\":\"2.500\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"kind\":\"b\""), std::string::npos) << json;
  EXPECT_EQ(engine_.pool().stats().in_use, 0u);
  EXPECT_THROW(engine_.insert("shelff", R"({"label": "x"})"), Error);
  EXPECT_THROW(engine_.insert("shelf", R"({"label": null})"), ValidationError);
  EXPECT_THROW(engine_.insert("shelf", R"({"price": "1"})"), ValidationError) << "label required";
  EXPECT_EQ(count(engine_, "shelf"), 1);
}

TEST_F(SessionMysqlTest, AbandonedSessionsNeverExceedTheCapAndLeaveNoRow) {
  test::TestUser user("abandon", db_.url());
  Engine engine(user.url(), {.max_connections = 3});
  const Model& shelf = engine.models().at("shelf");
  test::ConnectionMonitor monitor(user);
  for (int i = 0; i < 10000; ++i) {
    Session s = engine.session();
    s.add(shelf.make({{"label", "abandoned"}}));
    if (i % 2 == 0) s.flush();  // half of them hold a connection with an open transaction
    if (i % 1000 == 0) {
      EXPECT_LE(engine.pool().stats().open, 3u);
    }
  }  // every session destroyed without commit
  PoolStats stats = engine.pool().stats();
  EXPECT_EQ(stats.in_use, 0u);
  EXPECT_LE(stats.open, 3u);
  EXPECT_LE(monitor.peak(), 3u) << "the server never saw more than the cap";
  EXPECT_GT(monitor.samples(), 0u);
  EXPECT_LE(user.connections(), 3u);
  EXPECT_EQ(count(engine_, "shelf"), 0) << "nothing of an uncommitted session is left";
}

TEST_F(SessionMysqlTest, DestroyedSessionGivesItsServerConnectionBackToThePool) {
  test::TestUser user("destroyed", db_.url());
  Engine engine(user.url(), {.max_connections = 1});
  {
    Session s = engine.session();
    s.add(engine.models().at("shelf").make({{"label", "x"}}));
    s.flush();
    EXPECT_EQ(engine.pool().stats().in_use, 1u);
  }
  EXPECT_EQ(engine.pool().stats().in_use, 0u);
  EXPECT_EQ(user.connections(), 1u) << "kept open in the pool, not leaked and not doubled";
  // The one connection is usable by the next session: with max_connections = 1 a leak would
  // make this time out.
  Session next = engine.session();
  next.add(engine.models().at("shelf").make({{"label", "y"}}));
  next.commit();
  EXPECT_EQ(count(engine_, "shelf"), 1);
}

TEST_F(SessionMysqlTest, AServerThatGoesAwayFailsTheFlushAndTheSessionRecovers) {
  test::TestUser user("goes_away", db_.url());
  Engine engine(user.url(), {.max_connections = 2});
  const Model& shelf = engine.models().at("shelf");
  Session s = engine.session();
  s.add(shelf.make({{"label", "first"}}));
  s.flush();
  user.kill_all();
  s.add(shelf.make({{"label", "second"}}));
  try {
    s.commit();
    FAIL() << "commit on a killed connection succeeded";
  } catch (const SqlError& e) {
    EXPECT_TRUE(e.is_disconnect()) << e.what();
  }
  EXPECT_FALSE(s.has_connection()) << "the broken connection went back (to be closed)";
  EXPECT_EQ(s.pending(), 2u) << "both records staged again";
  s.commit();  // a fresh connection; everything sent again
  EXPECT_EQ(count(engine_, "shelf"), 2);
  EXPECT_LE(user.connections(), 2u);
}

// A statement that finds its connection broken ends the transaction at the server; a commit the
// caller tries after catching that error sends nothing and says the work was not committed (and
// may run again), instead of a COMMIT whose outcome would look unknown.
TEST_F(SessionMysqlTest, ACommitAfterTheConnectionBrokeInTheTransactionSaysNotCommitted) {
  test::TestUser user("broke_then_commit", db_.url());
  Engine engine(user.url(), {.max_connections = 2});
  Session s = engine.session();
  s.add(engine.models().at("shelf").make({{"label", "first"}}));
  s.flush();
  s.add(engine.models().at("shelf").make({{"label", "second"}}));
  s.flush();  // two statements: a transaction is open
  user.kill_all();
  EXPECT_THROW(s.execute("DO 1"), SqlError);
  try {
    s.commit();
    FAIL() << "a commit on a broken connection succeeded";
  } catch (const SqlError& e) {
    EXPECT_NE(std::string(e.what()).find("not committed"), std::string::npos) << e.what();
    EXPECT_TRUE(e.is_retryable()) << e.what();
    EXPECT_TRUE(e.is_disconnect()) << e.what();
  }
  EXPECT_EQ(count(engine_, "shelf"), 0);
}

// A commit that is one INSERT goes without BEGIN/COMMIT, so a connection lost while it runs
// leaves the client not knowing whether it committed: the error says so. (Here the kill lands
// during a slow trigger, so the server rolled the statement back.)
TEST_F(SessionMysqlTest, AConnectionLostDuringACommitSaysTheOutcomeIsUnknown) {
  engine_.execute("CREATE TABLE slow (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB");
  test::TestUser user("lost_commit", db_.url());
  Engine engine(user.url(), {.max_connections = 2});
  // Created by the user, so the processlist shows the user while the trigger runs.
  engine.execute("CREATE TRIGGER slow_in BEFORE INSERT ON slow FOR EACH ROW SET NEW.v = SLEEP(5)");
  Session s = engine.session();
  s.add(engine.models().at("slow").make({{"v", 1}}));
  std::thread killer([&] {  // once the INSERT runs (the trigger sleeps), kill its connection
    for (int i = 0; i < 500 && user.running("INSERT") == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    user.kill_all();
  });
  std::string error;
  bool disconnect = false;
  try {
    s.commit();
  } catch (const SqlError& e) {
    error = e.what();
    disconnect = e.is_disconnect();
  }
  killer.join();
  ASSERT_FALSE(error.empty()) << "the commit survived its connection";
  EXPECT_TRUE(disconnect) << error;
  EXPECT_NE(error.find("whether it committed is unknown"), std::string::npos) << error;
  EXPECT_EQ(s.pending(), 1u) << "staged again, for the caller to decide";
  EXPECT_FALSE(s.has_connection());
  EXPECT_EQ(count(engine_, "slow"), 0) << "killed inside the statement: rolled back";
}

// A connection killed while idle in the pool shows it on its socket: the session pings it before
// its first statement and takes another, so the next commit neither fails nor has to guess.
TEST_F(SessionMysqlTest, AConnectionKilledWhileIdleIsReplacedBeforeTheNextCommit) {
  test::TestUser user("killed_idle", db_.url());
  // The pool would ping a connection idle for longer than validation_bypass: make that never,
  // so only the socket can tell.
  Engine engine(user.url(), {.max_connections = 2, .validation_bypass = std::chrono::hours{1}});
  const Model& shelf = engine.models().at("shelf");
  Session first = engine.session();
  first.add(shelf.make({{"label", "before"}}));
  first.commit();
  ASSERT_GE(user.kill_all(), 1u);
  for (int i = 0; i < 500 && user.connections() > 0; ++i) {  // the server has closed it
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Session s = engine.session();
  s.add(shelf.make({{"label", "after"}}));
  s.commit();
  EXPECT_EQ(count(engine_, "shelf"), 2);
  EXPECT_GE(engine.pool().stats().broken_total, 1u)
      << "the dead one went back broken, to be closed";
}

TEST_F(SessionMysqlTest, ARealDeadlockIsRetriedByTransaction) {
  engine_.execute("INSERT INTO shelf (id, label) VALUES (1, 'a'), (2, 'b')");
  const Model& shelf = engine_.models().at("shelf");
  Engine other(db_.url(), {.max_connections = 2});
  std::atomic<int> runs{0};
  std::atomic<int> both_locked_first{0};
  auto worker = [&](Engine& engine, int first, int second) {
    engine.transaction(
        [&](Session& s) {
          int run = ++runs;
          s.get(shelf, first)
              ->set("label", "by " + std::to_string(first) + " run " + std::to_string(run));
          s.flush();  // row `first` locked
          ++both_locked_first;
          while (both_locked_first.load() < 2) std::this_thread::yield();
          s.get(shelf, second)->set("label", "by " + std::to_string(first));
          s.flush();  // one of the two deadlocks here
        },
        {.attempts = 5, .backoff = std::chrono::milliseconds(5)});
  };
  std::thread a([&] { worker(engine_, 1, 2); });
  std::thread b([&] { worker(other, 2, 1); });
  a.join();
  b.join();
  EXPECT_GE(runs.load(), 3) << "one of the two transactions ran again";
  EXPECT_EQ(count(engine_, "shelf"), 2);
}

#ifndef NDEBUG
TEST_F(SessionMysqlTest, DebugBuildsCatchASessionUsedFromTwoThreadsAtOnce) {
  engine_.execute("INSERT INTO shelf (label) VALUES ('sleeper')");  // one row: SLEEP runs once
  Session s = engine_.session();
  std::atomic<bool> inside{false};
  std::thread slow([&] {
    inside = true;
    s.query("shelf").where("SLEEP(0.5) = 0").all();  // holds the session for half a second
  });
  while (!inside) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  try {
    s.flush();
    ADD_FAILURE() << "a second thread entered the session";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("used from two threads at once"), std::string::npos)
        << e.what();
  }
  slow.join();
}
#endif

TEST_F(SessionMysqlTest, LargeInsertsAreSplitIntoPagesUnderMaxAllowedPacket) {
  engine_.execute("CREATE TABLE blob_row (id INT AUTO_INCREMENT PRIMARY KEY, body MEDIUMTEXT)");
  long long packet = 0;
  {
    Lease lease = engine_.checkout();
    lease->run(
        [&](soci::session& sql) { sql << "SELECT @@max_allowed_packet", soci::into(packet); });
  }
  // Rows of 256 KiB: together three times the packet limit (or the 16 MiB page cap).
  const std::size_t row_bytes = 256 * 1024;
  const std::size_t rows = 3 * std::min<std::size_t>(packet, 16u << 20) / row_bytes;
  std::atomic<int> inserts{0};
  set_statement_handler([&](std::string_view sql, std::size_t) {
    if (sql.rfind("INSERT", 0) == 0) ++inserts;
  });
  Session s = engine_.session();
  const Model& model = engine_.models().at("blob_row");
  for (std::size_t i = 0; i < rows; ++i) {
    s.add(model.make({{"body", std::string(row_bytes, static_cast<char>('a' + i % 26))}}));
  }
  s.commit();
  set_statement_handler(nullptr);
  EXPECT_GE(inserts.load(), 3);
  EXPECT_LE(inserts.load(), 5);
  EXPECT_EQ(count(engine_, "blob_row"), static_cast<long long>(rows));
}

TEST_F(SessionMysqlTest, InsertedRecordsEqualTheirRowsWhateverTheServerNormalised) {
  engine_.execute(
      "CREATE TABLE norm (id INT AUTO_INCREMENT PRIMARY KEY, price DECIMAL(10,2), code CHAR(5), "
      "f FLOAT, at DATETIME, ts TIMESTAMP NULL, note VARCHAR(20), kind ENUM('Red','Blue'), "
      "units DECIMAL(10,0))");
  engine_.execute(
      "CREATE TABLE shouted (id INT AUTO_INCREMENT PRIMARY KEY, word VARCHAR(20) NOT NULL)");
  engine_.execute(
      "CREATE TRIGGER shout BEFORE INSERT ON shouted FOR EACH ROW SET NEW.word = UPPER(NEW.word)");
  const Models& models = engine_.models();
  std::vector<std::string> returning;
  set_statement_handler([&](std::string_view sql, std::size_t) {
    if (auto at = sql.find(" RETURNING "); at != std::string_view::npos) {
      returning.emplace_back(sql.substr(at + 11));
    }
  });
  Session s = engine_.session();
  Record& plain = s.add(models.at("norm").make({{"price", Decimal("12.50")},
                                                {"note", "as sent"},
                                                {"at", "2026-11-25 12:00:00"},
                                                {"units", Decimal("7")}}));
  Record& odd = s.add(models.at("norm").make({{"price", Decimal("1.5")},
                                              {"code", "ab   "},
                                              {"f", 0.1},
                                              {"at", "2026-11-25 12:00:00.7"},
                                              {"ts", "2026-11-25 12:00:00"},
                                              {"note", "x"},
                                              {"kind", "Red"},
                                              {"units", Decimal("5.")}}));
  Record& shouted = s.add(models.at("shouted").make({{"word", "quiet"}}));
  s.commit();
  set_statement_handler(nullptr);
  // The two norm rows give different columns, so they go as two statements (a bound value
  // cannot say DEFAULT); the first row's values are stored as sent.
  ASSERT_EQ(returning.size(), 3u);
  EXPECT_EQ(returning[0].find("`price`"), std::string::npos) << "12.50 is stored as sent";
  EXPECT_EQ(returning[0].find("`units`"), std::string::npos) << "7 is stored as sent";
  EXPECT_NE(returning[1].find("`price`"), std::string::npos) << "1.5 is stored as 1.50";
  EXPECT_EQ(returning[2], "`id`, `word`") << "a BEFORE INSERT trigger: everything comes back";

  EXPECT_EQ(plain.get<Decimal>("price").str(), "12.50");
  EXPECT_EQ(odd.get<Decimal>("price").str(), "1.50");
  EXPECT_EQ(odd.get<Decimal>("units").str(), "5") << "5. is stored as 5";
  EXPECT_EQ(odd.get<std::string>("code"), "ab");
  EXPECT_EQ(odd.get<std::string>("kind"), "Red");
  EXPECT_EQ(shouted.get<std::string>("word"), "QUIET");
  // Every column of every record equals what a fresh read finds.
  Session check = engine_.session();
  for (Record* r : {&plain, &odd, &shouted}) {
    Record* row = check.get(r->model(), r->get(r->model().table().primary_key.front()));
    ASSERT_NE(row, nullptr);
    for (const Column& c : r->model().table().columns) {
      EXPECT_EQ(r->get(c.name), row->get(c.name)) << r->model().name() << "." << c.name;
    }
  }
}

}  // namespace
}  // namespace tabula

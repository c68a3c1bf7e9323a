// Session inserts against the real MariaDB: generated keys and server defaults come back,
// parents go in before children, a failure commits nothing, the connection goes back.

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/session.hpp>

#include "test_server.hpp"

#include <soci/soci.h>

#include <gtest/gtest.h>

namespace tabula {
namespace {

long long count(Engine& engine, const std::string& table) {
  Lease lease = engine.checkout();
  long long n = 0;
  lease->run([&](soci::session& sql) { sql << "SELECT COUNT(*) FROM " + table, soci::into(n); });
  return n;
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

}  // namespace
}  // namespace tabula

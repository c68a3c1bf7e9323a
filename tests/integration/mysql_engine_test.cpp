// Engine, Lease and Connection against the real MariaDB that the test run starts.

#include <tabula/engine.hpp>
#include <tabula/error.hpp>

#include "test_server.hpp"

#include <soci/soci.h>

#include <gtest/gtest.h>

namespace tabula {
namespace {

std::string query_string(Lease& lease, const std::string& sql_text) {
  std::string value;
  lease->run([&](soci::session& sql) { sql << sql_text, soci::into(value); });
  return value;
}

TEST(MysqlEngineTest, ConnectsOverTcpAndRunsAStatement) {
  test::ScratchDatabase db("engine_tcp");
  Engine engine(db.url());
  EXPECT_EQ(engine.dialect(), Dialect::mysql);
  Lease lease = engine.checkout();
  EXPECT_TRUE(lease->is_mariadb()) << lease->server_version();
  lease->execute("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20))");
  lease->execute("INSERT INTO t VALUES (1, 'ada')");
  EXPECT_EQ(query_string(lease, "SELECT name FROM t WHERE id = 1"), "ada");
  EXPECT_EQ(query_string(lease, "SELECT DATABASE()"), db.name());
  EXPECT_TRUE(lease->ping());
}

TEST(MysqlEngineTest, ConnectsOverUnixSocket) {
  Engine engine(test::socket_url());
  Lease lease = engine.checkout();
  EXPECT_EQ(query_string(lease, "SELECT @@character_set_client"), "utf8mb4");
  // Over the socket the server sees the client as localhost, not 127.0.0.1.
  EXPECT_EQ(query_string(lease, "SELECT SUBSTRING_INDEX(USER(), '@', -1)"), "localhost");
}

TEST(MysqlEngineTest, SqlErrorCarriesServerCodeAndSqlstate) {
  test::ScratchDatabase db("engine_errors");
  Engine engine(db.url());
  Lease lease = engine.checkout();
  try {
    lease->execute("SELECT * FROM no_such_table");
    FAIL() << "query on a missing table succeeded";
  } catch (const SqlError& e) {
    EXPECT_EQ(e.code(), 1146);
    EXPECT_EQ(e.sqlstate(), "42S02");
    EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos) << e.what();
    EXPECT_FALSE(e.is_disconnect());
  }
  lease->execute("CREATE TABLE t (id INT PRIMARY KEY)");
  lease->execute("INSERT INTO t VALUES (1)");
  try {
    lease->execute("INSERT INTO t VALUES (1)");
    FAIL() << "duplicate key accepted";
  } catch (const SqlError& e) {
    EXPECT_EQ(e.code(), 1062);
    EXPECT_EQ(e.sqlstate(), "23000");
  }
  EXPECT_FALSE(lease->is_broken());
  EXPECT_TRUE(lease->ping());
}

TEST(MysqlEngineTest, BadPasswordIsAConnectErrorWithoutThePassword) {
  const std::string wrong = "Wr0ngPassw0rd-for-test";
  Url good = test::server_url();
  Url bad("mysql://" + good.user() + ":" + wrong + "@" + good.host() + ":" +
          std::to_string(good.effective_port()) + "/" + good.database());
  Engine engine(bad);
  try {
    (void)engine.checkout();
    FAIL() << "connected with a wrong password";
  } catch (const ConnectError& e) {
    std::string message = e.what();
    EXPECT_EQ(message.find(wrong), std::string::npos) << message;
    EXPECT_EQ(e.code(), 1045) << message;
    EXPECT_EQ(e.sqlstate(), "28000");
    EXPECT_NE(message.find("Access denied"), std::string::npos) << message;
    EXPECT_NE(message.find(":***@"), std::string::npos) << "names the redacted URL: " << message;
  }
}

TEST(MysqlEngineTest, UnknownDatabaseIsAConnectError) {
  Engine engine(test::server_url().with_database("tabula_no_such_db"));
  try {
    (void)engine.checkout();
    FAIL() << "connected to a missing database";
  } catch (const ConnectError& e) {
    EXPECT_EQ(e.code(), 1049);
    EXPECT_NE(std::string(e.what()).find("tabula_no_such_db"), std::string::npos) << e.what();
  }
}

TEST(MysqlEngineTest, NothingListeningIsAConnectError) {
  // Port 1 on loopback: nothing listens there, and it is not 3306.
  Engine engine("mysql://nobody:pw@127.0.0.1:1/db?connect_timeout=2s");
  try {
    (void)engine.checkout();
    FAIL() << "connected to a closed port";
  } catch (const ConnectError& e) {
    EXPECT_EQ(e.code(), 2002) << e.what();  // Connector/C reports TCP refusals as 2002 too
  }
}

TEST(MysqlEngineTest, UnknownOptionIsRejectedBeforeConnecting) {
  try {
    Engine engine("mysql://u:p@127.0.0.1:1/db?conect_timeout=5s");
    FAIL() << "typo accepted";
  } catch (const UrlError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown option 'conect_timeout'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("connect_timeout"), std::string::npos);
  }
}

TEST(MysqlEngineTest, KilledConnectionIsMarkedBroken) {
  Engine engine(test::server_url());
  Lease victim = engine.checkout();
  std::string id = query_string(victim, "SELECT CONNECTION_ID()");
  Lease killer = engine.checkout();
  killer->execute("KILL CONNECTION " + id);
  try {
    victim->execute("SELECT 1");
    FAIL() << "statement on a killed connection succeeded";
  } catch (const SqlError& e) {
    EXPECT_TRUE(e.is_disconnect()) << e.code() << " " << e.what();
  }
  EXPECT_TRUE(victim->is_broken());
  EXPECT_FALSE(victim->ping()) << "no silent reconnect";
}

TEST(MysqlEngineTest, UncommittedWorkOnAClosedLeaseIsGone) {
  test::ScratchDatabase db("engine_rollback");
  Engine engine(db.url());
  engine.execute("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB");
  {
    Lease lease = engine.checkout();
    lease->execute("BEGIN");
    lease->execute("INSERT INTO t VALUES (1)");
  }  // connection closed without COMMIT
  Lease lease = engine.checkout();
  EXPECT_EQ(query_string(lease, "SELECT CAST(COUNT(*) AS CHAR) FROM t"), "0");
}

}  // namespace
}  // namespace tabula

// MariaDB's prepared insert pages (src/dialect/mysql/mysql_prepared_insert.hpp) against the real
// server: statements are kept per connection and bounded, survive a schema change, respect the
// 65,535-placeholder limit, and a row refused in the middle of a page is named while nothing of
// the page stays.

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/log.hpp>
#include <tabula/session.hpp>

#include "test_server.hpp"

#include <soci/soci.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace tabula {
namespace {

class PreparedInsertTest : public ::testing::Test {
 protected:
  // One connection, so that its session counters are the engine's.
  Engine engine(const std::string& statement_cache) {
    return Engine(db_.url()
                      .with_option("max_connections", "1")
                      .with_option("statement_cache", statement_cache));
  }
  static long long scalar(Engine& engine, const std::string& sql) {
    Lease lease = engine.checkout();
    long long n = 0;
    lease->run([&](soci::session& s) { s << sql, soci::into(n); });
    return n;
  }
  // A counter of the engine's one connection (SHOW SESSION STATUS).
  static long long session_status(Engine& engine, const std::string& name) {
    Lease lease = engine.checkout();
    std::string variable;
    long long n = 0;
    lease->run([&](soci::session& s) {
      s << "SHOW SESSION STATUS LIKE '" + name + "'", soci::into(variable), soci::into(n);
    });
    return n;
  }
  void insert_one(Engine& engine, const std::string& table, Record row) {
    (void)table;
    Session s = engine.session();
    s.add(std::move(row));
    s.commit();
  }

  test::ScratchDatabase db_{std::string("prepared_") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name()};
};

TEST_F(PreparedInsertTest, TheStatementCacheKeepsTheMostRecentlyUsedAndClosesTheRest) {
  for (std::string table : {"a", "b", "c"}) {
    Engine setup(db_.url());
    setup.execute("CREATE TABLE " + table + " (id INT AUTO_INCREMENT PRIMARY KEY, v INT)");
  }
  auto run = [&](const std::string& cache, int rounds) {
    Engine e = engine(cache);
    long long before = session_status(e, "Com_stmt_prepare");
    long long closed_before = session_status(e, "Com_stmt_close");
    for (int round = 0; round < rounds; ++round) {
      for (std::string table : {"a", "b", "c"}) {
        Session s = e.session();
        s.add(e.models().at(table).make({{"v", round}}));
        s.commit();
      }
    }
    return std::pair(session_status(e, "Com_stmt_prepare") - before,
                     session_status(e, "Com_stmt_close") - closed_before);
  };
  // Three shapes in turn: with room for three, each is prepared once.
  auto [prepared, closed] = run("3", 3);
  EXPECT_EQ(prepared, 3);
  EXPECT_EQ(closed, 0);
  // With room for two, the least recently used is always the one needed next: every insert
  // prepares, and the statement it pushes out is closed at the server.
  std::tie(prepared, closed) = run("2", 3);
  EXPECT_EQ(prepared, 9);
  EXPECT_EQ(prepared - closed, 2) << "never more than two open on the connection";
  // statement_cache=0: no prepared statements at all (the text path).
  std::tie(prepared, closed) = run("0", 2);
  EXPECT_EQ(prepared, 0);
  Engine e(db_.url());
  EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM a"), 8);
}

TEST_F(PreparedInsertTest, ACachedStatementSurvivesASchemaChange) {
  Engine e = engine("64");
  e.execute("CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(10) NOT NULL)");
  const Model& t = e.models().at("t");
  insert_one(e, "t", t.make({{"name", "first"}}));
  long long prepared = session_status(e, "Com_stmt_prepare");
  // The statement's table changes under it: wider column, a new column with a default.
  e.execute("ALTER TABLE t MODIFY name VARCHAR(40) NOT NULL, ADD COLUMN extra INT DEFAULT 5");
  Session s = e.session();
  Record& second = s.add(t.make({{"name", "second"}}));
  s.commit();
  EXPECT_EQ(second.get<std::int64_t>("id"), 2);
  EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM t WHERE extra = 5"), 2);
  EXPECT_LE(session_status(e, "Com_stmt_prepare") - prepared, 1) << "prepared again at most once";
  // A column the statement names is gone: a clear error, nothing committed, and the next
  // statement of that shape is prepared afresh.
  e.execute("ALTER TABLE t DROP COLUMN name");
  Session s2 = e.session();
  s2.add(t.make({{"name", "third"}}));
  try {
    s2.commit();
    FAIL() << "an INSERT naming a dropped column was accepted";
  } catch (const SqlError& error) {
    EXPECT_NE(std::string(error.what()).find("name"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("while inserting into t"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM t"), 2);
}

TEST_F(PreparedInsertTest, AWideTableGetsPagesUnderThePlaceholderLimit) {
  Engine e = engine("64");
  std::string columns;
  for (int c = 0; c < 100; ++c) columns += ", c" + std::to_string(c) + " INT NOT NULL";
  e.execute("CREATE TABLE wide (id INT AUTO_INCREMENT PRIMARY KEY" + columns + ")");
  const Model& wide = e.models().at("wide");
  std::size_t most = 0;
  std::size_t statements = 0;
  set_statement_handler([&](std::string_view sql, std::size_t values) {
    if (sql.rfind("INSERT", 0) != 0) return;
    ++statements;
    most = std::max(most, values);
  });
  const int rows = 1400;
  Session s = e.session();
  for (int r = 0; r < rows; ++r) {
    Record row = wide.make();
    for (int c = 0; c < 100; ++c) row.set("c" + std::to_string(c), r + c);
    s.add(std::move(row));
  }
  s.commit();
  set_statement_handler(nullptr);
  EXPECT_LE(most, 65'535u);
  EXPECT_EQ(most, 655u * 100) << "a full page: as many rows as the limit allows";
  EXPECT_EQ(statements, 5u) << "655 + 655, then the last 90 rows as 64 + 16 + 10";
  EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM wide"), rows);
  EXPECT_EQ(scalar(e, "SELECT SUM(c99) FROM wide"), (rows - 1) * rows / 2 + 99LL * rows);
}

TEST_F(PreparedInsertTest, ARowRefusedInTheMiddleOfAPageIsNamedAndNothingStays) {
  Engine e = engine("64");
  e.execute("CREATE TABLE u (id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(10) UNIQUE)");
  const Model& u = e.models().at("u");
  Session s = e.session();
  for (int r = 0; r < 600; ++r) {
    s.add(u.make({{"code", r == 417 ? std::string("c3") : "c" + std::to_string(r)}}));
  }
  try {
    s.commit();
    FAIL() << "a duplicate was accepted";
  } catch (const SqlError& error) {
    EXPECT_EQ(error.code(), 1062) << error.what();
    EXPECT_NE(std::string(error.what()).find(R"(while inserting into u: {"code":"c3"})"),
              std::string::npos)
        << error.what();
  }
  EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM u"), 0);
  EXPECT_EQ(s.pending(), 600u) << "every row is staged again";
  // The same shapes work afterwards on the same connection.
  s.rollback();
  Session again = e.session();
  for (int r = 0; r < 600; ++r) again.add(u.make({{"code", "d" + std::to_string(r)}}));
  again.commit();
  EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM u"), 600);
}

}  // namespace
}  // namespace tabula

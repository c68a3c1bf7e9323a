// Session inserts on SQLite (RETURNING, SQLite 3.35+).

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/session.hpp>

#include <gtest/gtest.h>

namespace tabula {
namespace {

TEST(SessionSqliteTest, InsertsReturnKeysAndDefaults) {
  Engine engine("sqlite://:memory:");
  engine.execute(
      "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INT DEFAULT 3, "
      "made TEXT DEFAULT 'x''y', price NUMERIC(6,2) DEFAULT 1.5)");
  Session session = engine.session();
  Record& a = session.add(engine.models().at("t").make({{"name", "a"}}));
  Record& b = session.add(engine.models().at("t").make({{"name", "b"}, {"qty", 9}}));
  session.commit();
  EXPECT_EQ(a.get<std::int64_t>("id"), 1);
  EXPECT_EQ(b.get<std::int64_t>("id"), 2);
  EXPECT_EQ(a.get<std::int64_t>("qty"), 3);
  EXPECT_EQ(b.get<std::int64_t>("qty"), 9);
  EXPECT_EQ(a.get<std::string>("made"), "x'y");
  std::string json = engine.insert("t", R"({"name": "c"})");
  EXPECT_NE(json.find("\"id\":3"), std::string::npos) << json;
}

TEST(SessionSqliteTest, RollbackDiscardsEverything) {
  Engine engine("sqlite://:memory:");
  engine.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  {
    Session session = engine.session();
    session.add(engine.models().at("t").make({{"name", "gone"}}));
    session.flush();
    session.rollback();
    EXPECT_EQ(session.pending(), 0u);
  }
  std::string json = engine.insert("t", R"({"name": "kept"})");
  EXPECT_NE(json.find("\"id\":1"), std::string::npos) << "the rolled-back row took no id: " << json;
}

}  // namespace
}  // namespace tabula

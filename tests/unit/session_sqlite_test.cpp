// Session inserts on SQLite (RETURNING, SQLite 3.35+).

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/session.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

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

// SessionOptions::write_behind gains nothing where rows go one per statement in the same process:
// add() only stages, takes no connection, and the commit writes everything as usual.
TEST(SessionSqliteTest, WriteBehindOnlyStagesAndTheCommitLandsEveryRow) {
  Engine engine("sqlite://:memory:");
  engine.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  const Model& t = engine.models().at("t");
  Session session = engine.session({.write_behind = true});
  std::vector<Record*> added;
  for (int n = 0; n < 2500; ++n)
    added.push_back(&session.add(t.make({{"name", std::to_string(n)}})));
  EXPECT_FALSE(session.has_connection());
  EXPECT_EQ(session.pending(), 2500u);
  session.commit();
  EXPECT_EQ(added[2499]->get<std::int64_t>("id"), 2500);
  Session check = engine.session();
  EXPECT_EQ(check.query("t").count(), 2500u);
}

// Empty bytes are an empty blob, never NULL (a null pointer would bind NULL), and -0.0 in a REAL
// column (stored as the integer 0) is read back.
TEST(SessionSqliteTest, EmptyBytesStayEmptyAndNegativeZeroIsReadBack) {
  Engine engine("sqlite://:memory:");
  engine.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB NOT NULL, r REAL)");
  Session session = engine.session();
  Record& row = session.add(engine.models().at("t").make({{"id", 1}, {"b", Bytes{}}, {"r", -0.0}}));
  session.commit();
  EXPECT_TRUE(row.get("b").get<Bytes>().empty());
  EXPECT_FALSE(std::signbit(row.get("r").get<double>())) << "the record kept -0, the row has 0";
  Session check = engine.session();
  auto rows = check.query("t").where("b IS NOT NULL AND length(b) = 0").all();
  EXPECT_EQ(rows.size(), 1u);
}

// A column without a type keeps each value's own storage class, and so do its records: what
// went in as an integer, a double, text or bytes reads back as that (an integer once read back
// as its digits, and bytes that happened to be UTF-8 as text), through RETURNING, a query, and
// JSON.
TEST(SessionSqliteTest, AColumnWithoutATypeReadsBackEachValueAsItWasStored) {
  Engine engine("sqlite://:memory:");
  engine.execute("CREATE TABLE u (id INTEGER PRIMARY KEY, v, note TEXT DEFAULT 'n')");
  const Model& u = engine.models().at("u");
  const std::vector<Value> stored = {Value(std::int64_t{5}), Value(-2.5), Value("5"),
                                     Value(Bytes{std::byte{'a'}, std::byte{'b'}}),
                                     Value(std::int64_t{9007199254740993})};
  {
    Session session = engine.session();
    std::vector<Record*> added;
    for (const Value& v : stored) added.push_back(&session.add(u.make({{"v", v}})));
    session.commit();  // RETURNING brings `note` back, row by row with `v` where it must
    for (std::size_t i = 0; i < stored.size(); ++i) EXPECT_EQ(added[i]->get("v"), stored[i]) << i;
  }
  {
    Session session = engine.session();
    std::vector<Record*> rows = session.query("u").order_by("id").all();
    ASSERT_EQ(rows.size(), stored.size());
    for (std::size_t i = 0; i < stored.size(); ++i) {
      EXPECT_EQ(rows[i]->get("v"), stored[i]) << "row " << i << ": " << rows[i]->to_json();
    }
    EXPECT_EQ(rows[0]->to_json(), R"({"id":1,"v":5,"note":"n"})");
    EXPECT_EQ(rows[2]->to_json(), R"({"id":3,"v":"5","note":"n"})");
  }  // (an in-memory database has one connection)
  EXPECT_EQ(engine.insert("u", R"({"v": 7})"), R"({"id":6,"v":7,"note":"n"})");
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

// A failed flush stages its records again exactly as the user left them: the columns the
// database filled in (key, defaults) are unset again. 130 columns: wider than one word of flags.
TEST(SessionSqliteTest, AFailedFlushRestagesWideRecordsAsTheUserSetThem) {
  Engine engine("sqlite://:memory:");
  std::string ddl = "CREATE TABLE wide (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE";
  for (int i = 0; i < 130; ++i) ddl += ", c" + std::to_string(i) + " INT DEFAULT 7";
  engine.execute(ddl + ")");
  engine.insert("wide", R"({"name": "taken"})");
  const Model& wide = engine.models().at("wide");
  Session session = engine.session();
  Record& first = session.add(wide.make({{"name", "free"}, {"c3", 1}, {"c70", 2}, {"c129", 3}}));
  session.add(wide.make({{"name", "taken"}}));
  EXPECT_THROW(session.commit(), SqlError);
  EXPECT_EQ(session.pending(), 2u);
  for (const char* given : {"name", "c3", "c70", "c129"}) EXPECT_TRUE(first.is_set(given)) << given;
  for (const char* filled : {"id", "c0", "c64", "c128"})
    EXPECT_FALSE(first.is_set(filled)) << filled;
  EXPECT_EQ(first.get<std::int64_t>("c70"), 2);
}

}  // namespace
}  // namespace tabula

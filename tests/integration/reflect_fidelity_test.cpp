// Reflection fidelity (#14): what MariaDB's own DDL says, exactly. Each test creates the DDL that
// once came out wrong — escapes in defaults and ENUM members, a view's placeholder comment, a
// SPATIAL index's bogus prefix, a SEQUENCE taken for a table, ON UPDATE current_timestamp() lost —
// and the 10.11 features the model now carries: system-versioned tables and INVISIBLE columns.

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/reflect.hpp>
#include <tabula/session.hpp>
#include <tabula/snapshot.hpp>

#include "detail/catalog.hpp"
#include "dialect/sql_dialect.hpp"
#include "test_server.hpp"

#include <soci/soci.h>

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace tabula {
namespace {

const Column& column(const Table& table, std::string_view name) {
  const Column* c = table.column(name);
  if (c == nullptr) throw std::runtime_error("no column " + std::string(name));
  return *c;
}

class ReflectFidelityTest : public ::testing::Test {
 protected:
  // A database per test: ctest runs the cases in parallel.
  ReflectFidelityTest() : db_(database_name()), engine_(db_.url()) {
    // The DDL as a user writes it; the backslash escapes are MariaDB's string-literal escapes.
    for (const char* ddl : {
             R"(CREATE TABLE d (
                  id INT PRIMARY KEY,
                  a VARCHAR(20) DEFAULT 'line\nbreak',
                  b VARCHAR(20) DEFAULT 'a\rb\Zc',
                  c VARCHAR(20) DEFAULT 'it''s',
                  d2 VARCHAR(20) DEFAULT 'back\\slash',
                  e VARCHAR(10) DEFAULT '',
                  f VARCHAR(10) DEFAULT 'NULL',
                  g BIT(3) DEFAULT b'101',
                  h VARCHAR(20) DEFAULT 'pct\%_\_',
                  i ENUM('line\nbreak','x','it''s','q\"d') DEFAULT 'x',
                  j VARCHAR(20) DEFAULT 'q"d',
                  k INT DEFAULT (1 + 2),
                  l VARCHAR(5) DEFAULT 'tab\t',
                  m VARCHAR(5) DEFAULT '5',
                  n DECIMAL(5,2) DEFAULT 1.50,
                  ts TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
                     ON UPDATE CURRENT_TIMESTAMP(3),
                  note VARCHAR(20),
                  hidden INT INVISIBLE DEFAULT 7) COMMENT 'a table')",
             "CREATE VIEW v AS SELECT id, a FROM d",
             "CREATE TABLE sp (id INT PRIMARY KEY, pt POINT NOT NULL, SPATIAL INDEX sp_pt (pt))",
             "CREATE SEQUENCE seq1 START WITH 100",
             "CREATE TABLE ver (id INT PRIMARY KEY, x INT) WITH SYSTEM VERSIONING",
             R"(CREATE TABLE ver2 (id INT PRIMARY KEY, x INT,
                  rs TIMESTAMP(6) GENERATED ALWAYS AS ROW START,
                  re TIMESTAMP(6) GENERATED ALWAYS AS ROW END,
                  PERIOD FOR SYSTEM_TIME(rs, re)) WITH SYSTEM VERSIONING)",
         }) {
      engine_.execute(ddl);
    }
    schema_ = reflect(engine_);
  }

  static std::string database_name() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    return "rf_" + std::to_string(std::hash<std::string>{}(test->name()) % 100'000'000);
  }

  const Table& table(std::string_view name) {
    const Table* t = schema_.table(name);
    if (t == nullptr) throw std::runtime_error("no table " + std::string(name));
    return *t;
  }

  test::ScratchDatabase db_;
  Engine engine_;
  Schema schema_;
};

TEST_F(ReflectFidelityTest, StringDefaultsAndMembersAreDecodedAsTheServerReadsThem) {
  const Table& d = table("d");
  auto literal = [&](std::string_view name) {
    const Column& c = column(d, name);
    EXPECT_EQ(c.default_kind, DefaultKind::literal) << name;
    return c.default_value;
  };
  EXPECT_EQ(literal("a"), "line\nbreak");
  EXPECT_EQ(literal("b"),
            "a\rb\x1a"
            "c");
  EXPECT_EQ(literal("c"), "it's");
  EXPECT_EQ(literal("d2"), "back\\slash");
  EXPECT_EQ(literal("e"), "");
  EXPECT_EQ(literal("f"), "NULL") << "the string 'NULL', not a NULL default";
  EXPECT_EQ(literal("g"), "b'101'");
  EXPECT_EQ(literal("h"), "pct\\%_\\_") << R"(\% and \_ keep their backslash outside LIKE)";
  EXPECT_EQ(literal("j"), "q\"d");
  EXPECT_EQ(literal("l"), "tab\t");
  EXPECT_EQ(literal("m"), "5");
  EXPECT_EQ(column(d, "k").default_kind, DefaultKind::expression);
  EXPECT_EQ(column(d, "k").default_value, "(1 + 2)");
  EXPECT_EQ(column(d, "i").members, (std::vector<std::string>{"line\nbreak", "x", "it's", "q\"d"}));
  EXPECT_EQ(column(d, "note").default_kind, DefaultKind::null);

  // The server agrees: each decoded default is what it stores when a row leaves it out.
  Session session = engine_.session();
  session.execute("INSERT INTO d (id) VALUES (1)");
  Record* row = session.get("d", 1);
  ASSERT_NE(row, nullptr);
  for (const char* name : {"a", "b", "c", "d2", "e", "f", "h", "j", "l", "m", "i"}) {
    EXPECT_EQ(row->get<std::string>(name), column(d, name).default_value) << name;
  }
}

TEST_F(ReflectFidelityTest, DefaultsPrintAsLiteralsTheServerReadsBack) {
  // The dialect's string literal is what `tabula inspect` prints; the server must read each one
  // back as the value reflected.
  Lease lease = engine_.checkout();
  for (const char* name : {"a", "b", "c", "d2", "e", "f", "h", "j", "l", "m"}) {
    const Column& c = column(table("d"), name);
    std::string literal = detail::sql_dialect(Dialect::mysql).string_literal(c.default_value);
    std::string back;
    lease->run([&](soci::session& sql) { sql << "SELECT " + literal, soci::into(back); });
    EXPECT_EQ(back, c.default_value) << name << " printed as " << literal;
    std::size_t at = 0;
    EXPECT_EQ(detail::read_string_literal(literal, at), c.default_value) << name;
  }
}

TEST_F(ReflectFidelityTest, AViewHasNoComment) {
  EXPECT_EQ(table("v").kind, TableKind::view);
  EXPECT_EQ(table("v").comment, "") << "MariaDB's TABLE_COMMENT placeholder 'VIEW' is not one";
  EXPECT_EQ(table("d").comment, "a table");
}

TEST_F(ReflectFidelityTest, ASpatialIndexHasNoPrefixLength) {
  const Table& sp = table("sp");
  ASSERT_EQ(sp.indexes.size(), 2u);
  const Index& spatial = sp.indexes[1];
  EXPECT_EQ(spatial.kind, IndexKind::spatial);
  ASSERT_EQ(spatial.columns.size(), 1u);
  EXPECT_FALSE(spatial.columns[0].prefix_length) << "STATISTICS.SUB_PART's 32 is not DDL";
}

TEST_F(ReflectFidelityTest, ASequenceIsItsOwnKindAndReadOnly) {
  const Table& seq = table("seq1");
  EXPECT_EQ(seq.kind, TableKind::sequence);
  Models models(schema_);
  const Model& model = models.at("seq1");
  EXPECT_TRUE(model.read_only());
  Session session = engine_.session();
  EXPECT_THROW(session.add(model.make({{"next_not_cached_value", 1}})), ValidationError);
  // Reading its state works like reading a one-row table.
  std::vector<Record*> rows = session.query(model).all();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]->get<std::int64_t>("start_value"), 100);
}

TEST_F(ReflectFidelityTest, OnUpdateColumnsAreModelledAndReadBackAfterAnUpdate) {
  const Column& ts = column(table("d"), "ts");
  EXPECT_EQ(ts.on_update, "current_timestamp(3)");
  EXPECT_EQ(ts.default_kind, DefaultKind::expression);
  EXPECT_EQ(column(table("d"), "note").on_update, "");

  // The snapshot carries it, and only where it is set.
  std::string json = to_json(schema_);
  EXPECT_NE(json.find("\"on_update\": \"current_timestamp(3)\""), std::string::npos);
  Schema again = schema_from_json(json);
  EXPECT_EQ(again, schema_);

  engine_.execute("INSERT INTO d (id, ts) VALUES (2, '2020-01-01 00:00:00.000')");
  Session session = engine_.session();
  Record* row = session.get("d", 2);
  ASSERT_NE(row, nullptr);
  const Value before = row->get("ts");
  row->set("note", "changed");
  session.flush();
  EXPECT_NE(row->get("ts"), before) << "the server changed it; so must the record";
  EXPECT_FALSE(row->is_modified()) << "read back, not a change of the user's";
  session.rollback();
  EXPECT_EQ(row->get("ts"), before) << "a rollback puts the old value back";

  row->set("note", "changed again");
  session.commit();
  const Value after = row->get("ts");
  EXPECT_NE(after, before);
  Session fresh = engine_.session();
  Record* stored = fresh.get("d", 2);
  ASSERT_NE(stored, nullptr);
  EXPECT_EQ(stored->get("ts"), after)
      << after.to_string() << " vs " << stored->get("ts").to_string();
}

TEST_F(ReflectFidelityTest, SystemVersionedTablesAndTheirPeriodColumns) {
  EXPECT_TRUE(table("ver").system_versioned);
  EXPECT_EQ(table("ver").kind, TableKind::table);
  EXPECT_EQ(table("ver").columns.size(), 2u) << "implicit row start/end columns are hidden";
  const Table& ver2 = table("ver2");
  EXPECT_TRUE(ver2.system_versioned);
  EXPECT_EQ(column(ver2, "rs").generated, Generated::row_start);
  EXPECT_EQ(column(ver2, "re").generated, Generated::row_end);
  EXPECT_EQ(column(ver2, "rs").generation_expression, "");
  EXPECT_FALSE(table("d").system_versioned);

  // A session writes such tables without touching the period columns, and reads them back.
  Session session = engine_.session();
  Record& row = session.add(engine_.models().at("ver2").make({{"id", 1}, {"x", 10}}));
  session.commit();
  EXPECT_FALSE(row.get("rs").is_null());
  const Value started = row.get("rs");
  row.set("x", 11);
  session.commit();
  EXPECT_NE(row.get("rs"), started) << "an UPDATE starts a new row version: read back";
  Session fresh = engine_.session();
  Record* stored = fresh.get("ver2", Key{1, row.get("re")});
  ASSERT_NE(stored, nullptr);
  EXPECT_EQ(stored->get<int>("x"), 11);
  EXPECT_EQ(stored->get("rs"), row.get("rs"));
}

TEST_F(ReflectFidelityTest, InvisibleColumnsAreFlaggedAndReadLikeAnyOther) {
  const Column& hidden = column(table("d"), "hidden");
  EXPECT_TRUE(hidden.invisible);
  EXPECT_FALSE(column(table("d"), "a").invisible);
  engine_.execute("INSERT INTO d (id, hidden) VALUES (3, 42)");
  Session session = engine_.session();
  Record* row = session.get("d", 3);
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->get<int>("hidden"), 42) << "SELECT * would leave it out; tabula names it";
  std::vector<Record*> rows = session.query("d").filter("hidden", 42).all();
  EXPECT_EQ(rows.size(), 1u);
}

}  // namespace
}  // namespace tabula

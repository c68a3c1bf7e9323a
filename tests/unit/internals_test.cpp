// The session's and pool's pure internals, each on its own (#15): where a statement's placeholders
// are, the order tables are written in, identity keys, which columns an INSERT reads back, what
// admit() lets through, and the pool's wait histogram. The integration tests exercise them end to
// end; these pin each rule where it lives. No server needed.

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/schema.hpp>
#include <tabula/session.hpp>

#include "detail/column_rules.hpp"
#include "detail/placeholders.hpp"
#include "detail/stable_list.hpp"
#include "dialect/read_back.hpp"
#include "dialect/sqlite/sqlite_statement.hpp"
#include "pool/wait_histogram.hpp"
#include "session/flush_order.hpp"
#include "session/identity.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

namespace tabula {
namespace {

using namespace std::chrono_literals;

Column column(std::string name, std::string data_type, std::string column_type) {
  Column c;
  c.name = std::move(name);
  c.data_type = std::move(data_type);
  c.column_type = std::move(column_type);
  return c;
}

Column key(std::string name) {
  Column c = column(std::move(name), "int", "int(11)");
  c.nullable = false;
  c.auto_increment = true;
  return c;
}

Table table(std::string name, std::vector<Column> columns, std::vector<std::string> primary_key,
            std::vector<ForeignKey> foreign_keys = {}) {
  Table t;
  t.name = std::move(name);
  for (std::size_t i = 0; i < columns.size(); ++i) columns[i].ordinal = static_cast<int>(i) + 1;
  t.columns = std::move(columns);
  t.primary_key = std::move(primary_key);
  t.foreign_keys = std::move(foreign_keys);
  return t;
}

ForeignKey references(std::string column_name, std::string parent) {
  ForeignKey fk;
  fk.name = "fk_" + column_name;
  fk.columns = {column_name};
  fk.referenced_table = std::move(parent);
  fk.referenced_columns = {"id"};
  return fk;
}

Models shop() {
  Schema schema;
  schema.dialect = Dialect::mysql;
  schema.name = "shop";
  Column qty = column("qty", "tinyint", "tinyint(3) unsigned");
  qty.is_unsigned = true;
  qty.nullable = false;
  Column name = column("name", "varchar", "varchar(5)");
  name.max_length = 5;
  Column status = column("status", "enum", "enum('new','paid')");
  status.members = {"new", "paid"};
  status.default_kind = DefaultKind::literal;
  status.default_value = "new";
  Column price = column("price", "float", "float");
  Column total = column("total", "int", "int(11)");
  total.generated = Generated::virtual_column;
  total.generation_expression = "qty * 2";
  schema.tables = {
      table("customer", {key("id"), name}, {"id"}),
      table("line", {key("id"), column("order_id", "int", "int(11)"), qty, price, total}, {"id"},
            {references("order_id", "orders")}),
      table("orders", {key("id"), column("customer_id", "int", "int(11)"), status}, {"id"},
            {references("customer_id", "customer")}),
      table("pair", {column("a", "int", "int(11)"), column("b", "varchar", "varchar(10)")},
            {"a", "b"}),
  };
  return Models(std::move(schema));
}

TEST(PlaceholderPositions, SkipQuotedStringsAndIdentifiers) {
  std::string sql = R"(SELECT ?, '?', "?", `a?b`, 'it\'s ?', 'x''?', ? FROM t WHERE c = ?)";
  std::vector<std::size_t> positions = detail::placeholder_positions(sql, detail::mysql_lexicon());
  ASSERT_EQ(positions.size(), 3u) << sql;
  EXPECT_EQ(positions[0], sql.find('?'));
  EXPECT_EQ(sql.substr(positions[1] - 2, 3), ", ?");
  EXPECT_EQ(positions[2], sql.size() - 1);
  EXPECT_TRUE(detail::placeholder_positions("SELECT 1", detail::mysql_lexicon()).empty());
}

// The positions as text: each placeholder with the character before it.
std::string holes(std::string_view sql, const detail::SqlLexicon& lexicon) {
  std::string out;
  for (std::size_t i : detail::placeholder_positions(sql, lexicon)) {
    out += (out.empty() ? "" : " ") + std::string(sql.substr(i - 1, 2));
  }
  return out;
}

// A quote inside a comment opens no string: read as one, it would shift every quote after it,
// and a `?` inside a later literal would take a value whose own quotes end that literal.
TEST(PlaceholderPositions, SkipCommentsTheWayTheServerDoes) {
  const auto mysql = detail::mysql_lexicon();
  EXPECT_EQ(holes("SELECT a? /* it's? */ FROM t WHERE b = 'what?' OR c =?", mysql), "a? =?");
  EXPECT_EQ(holes("SELECT a? -- don't ?\n, b? # isn't ?\n, c?", mysql), "a? b? c?");
  EXPECT_EQ(holes("SELECT 1--1, a?", mysql), "a?") << "'--' before no space is arithmetic";
  EXPECT_EQ(holes("SELECT a? --", mysql), "a?") << "a comment at the very end";
  EXPECT_EQ(holes("SELECT /*! a? */ 1, /*M! b? */ 2", mysql), "a? b?")
      << "MariaDB runs the text of an executable comment";
  EXPECT_EQ(holes("SELECT a? /* never closed ?", mysql), "a?");

  const auto sqlite = detail::sqlite_lexicon();
  EXPECT_EQ(holes("SELECT a?, [b?], \"c?\", `d?`, 'e''?' --f?\n, g?", sqlite), "a? g?")
      << "SQLite: brackets quote, and any '--' starts a comment";
  EXPECT_EQ(holes("SELECT 'C:\\', a?", sqlite), "a?") << "SQLite has no backslash escapes";
}

// MySQL's NO_BACKSLASH_ESCAPES (the server says it is on): 'C:\' ends at its second quote.
TEST(PlaceholderPositions, FollowNoBackslashEscapes) {
  std::string sql = R"(SELECT 'C:\', a? FROM t WHERE b = 'it\'s')";
  EXPECT_EQ(holes(sql, detail::mysql_lexicon(/*no_backslash_escapes=*/true)), "a?");
  EXPECT_EQ(holes(sql, detail::mysql_lexicon()), "") << "with escapes, all of it is one string";
}

// A session's records: an element keeps its address while the list grows past many chunks,
// iteration is in insertion order, and clear() destroys every element and leaves the list usable.
TEST(StableList, KeepsAddressesAndOrderAndDestroysEveryElement) {
  static int alive = 0;
  struct Counted {
    explicit Counted(int v) : value(v) { ++alive; }
    Counted(const Counted&) = delete;
    ~Counted() { --alive; }
    int value;
  };
  {
    detail::StableList<Counted, 4> list;
    std::vector<Counted*> addresses;
    for (int round = 0; round < 2; ++round) {
      addresses.clear();
      for (int i = 0; i < 37; ++i) addresses.push_back(&list.emplace_back(i));
      EXPECT_EQ(list.size(), 37U);
      EXPECT_EQ(alive, 37);
      int expected = 0;
      for (Counted& c : list) {
        EXPECT_EQ(&c, addresses[static_cast<std::size_t>(expected)]) << "moved: " << expected;
        EXPECT_EQ(c.value, expected++);
      }
      EXPECT_EQ(expected, 37);
      list.clear();
      EXPECT_TRUE(list.empty());
      EXPECT_EQ(alive, 0);
    }
    list.emplace_back(7);
  }
  EXPECT_EQ(alive, 0) << "the destructor destroys what is left";
}

TEST(FlushOrder, ParentsComeBeforeTheirChildrenWhateverTheStagingOrder) {
  Models models = shop();
  std::vector<const Model*> staged = {&models.at("line"), &models.at("pair"), &models.at("orders"),
                                      &models.at("customer")};
  std::vector<const Model*> order = detail::parents_first(staged);
  ASSERT_EQ(order.size(), 4u);
  auto at = [&](std::string_view name) {
    return std::find(order.begin(), order.end(), &models.at(name)) - order.begin();
  };
  EXPECT_LT(at("customer"), at("orders"));
  EXPECT_LT(at("orders"), at("line"));
}

TEST(IdentityKeys, AreBuiltInKeyOrderAndRefuseWrongCountsAndNull) {
  Models models = shop();
  const Model& pair = models.at("pair");
  std::vector<Value> one = {Value(1), Value("x")};
  std::vector<Value> same = {Value(1), Value("x")};
  std::vector<Value> other = {Value(1), Value("y")};
  EXPECT_EQ(detail::identity_of(pair, one), detail::identity_of(pair, same));
  EXPECT_NE(detail::identity_of(pair, one), detail::identity_of(pair, other));
  std::vector<Value> short_key = {Value(1)};
  try {
    detail::identity_of(pair, short_key);
    FAIL() << "a key of one value for a two-column key";
  } catch (const ValidationError& e) {
    EXPECT_NE(std::string(e.what()).find("primary key is (a, b): 2 value(s) needed, 1 given"),
              std::string::npos)
        << e.what();
  }
  std::vector<Value> null_key = {Value(), Value("x")};
  EXPECT_THROW(detail::identity_of(pair, null_key), ValidationError);
}

TEST(ReadBack, OnlyWhatTheDatabaseDecidesComesBack) {
  Models models = shop();
  const Model& line = models.at("line");
  const Table& t = line.table();
  std::vector<detail::Family> families = detail::families_of(t, Dialect::mysql);
  Record given = line.make({{"order_id", 1}, {"qty", 2}, {"price", 1.5}});
  std::vector<Record*> rows = {&given};
  const detail::SqlDialect& mysql = detail::sql_dialect(Dialect::mysql);
  std::vector<std::size_t> back = detail::columns_to_read_back(mysql, t, families, rows, false);
  auto reads = [&](std::string_view name) {
    return std::find(back.begin(), back.end(), line.column_index(name)) != back.end();
  };
  EXPECT_TRUE(reads("id")) << "the key the database generated";
  EXPECT_TRUE(reads("total")) << "a generated column";
  EXPECT_TRUE(reads("price")) << "a FLOAT may be stored rounded";
  EXPECT_FALSE(reads("qty")) << "an integer is stored as sent";
  EXPECT_FALSE(reads("order_id"));
  // A BEFORE INSERT trigger may change anything: everything comes back.
  EXPECT_EQ(detail::columns_to_read_back(mysql, t, families, rows, true).size(), t.columns.size());

  // Over several rows a column comes back when any one row needs it, and the list stays in
  // table order whichever row asked first.
  Record keyed = line.make({{"id", 7}, {"order_id", 1}, {"qty", 2}, {"price", 1.5}});
  Record keyed_too = line.make({{"id", 8}, {"order_id", 1}, {"qty", 3}, {"price", 2.5}});
  std::vector<Record*> both_keyed = {&keyed, &keyed_too};
  back = detail::columns_to_read_back(mysql, t, families, both_keyed, false);
  EXPECT_FALSE(reads("id")) << "every row gave its key";
  EXPECT_TRUE(std::is_sorted(back.begin(), back.end()));
  std::vector<Record*> mixed = {&keyed, &given};
  back = detail::columns_to_read_back(mysql, t, families, mixed, false);
  EXPECT_TRUE(reads("id")) << "the second row leaves its key to the database";
  EXPECT_TRUE(std::is_sorted(back.begin(), back.end()));
}

TEST(ReadBack, ADecimalNeedsNoReadingBackOnlyWhenWrittenAsTheServerPrintsIt) {
  // (text, scale, printed the same by the server)
  const std::tuple<const char*, int, bool> cases[] = {
      {"12.50", 2, true}, {"-12.50", 2, true}, {"0.05", 2, true},    {"0", 0, true},
      {"7", 0, true},     {"1.5", 2, false},   {"12.500", 2, false}, {"012.50", 2, false},
      {"5.", 0, false},   {"5", 2, false},     {"-0.00", 2, false},  {"-0", 0, false},
      {"00", 0, false},   {"0.5", 1, true},    {".5", 1, true},  // ".5" is kept as "0.5"
  };
  for (const auto& [text, scale, as_sent] : cases) {
    EXPECT_EQ(detail::canonical_decimal(Decimal(text), scale), as_sent) << text << " " << scale;
    detail::StoreRule rule{.check = detail::StoreRule::Check::decimal, .digits = scale};
    EXPECT_EQ(detail::stores_as_sent(rule, Value(Decimal(text))), as_sent) << text;
  }
  detail::StoreRule rule{.check = detail::StoreRule::Check::decimal, .digits = 2};
  EXPECT_TRUE(detail::stores_as_sent(rule, Value())) << "NULL stays NULL";
  EXPECT_FALSE(detail::stores_as_sent(rule, Value(12.5))) << "a double the server converts";
  rule.null_as_sent = false;
  EXPECT_FALSE(detail::stores_as_sent(rule, Value()));
}

TEST(Admit, ChecksRangeLengthMembersAndGeneratedColumns) {
  Models models = shop();
  const Model& line = models.at("line");
  const Model& customer = models.at("customer");
  const Model& orders = models.at("orders");
  EXPECT_EQ(line.admit(line.column_index("qty"), Value(255)), Value(255));
  auto refused = [](const Model& m, std::string_view column, Value v) {
    try {
      m.admit(m.column_index(column), std::move(v));
      return std::string("admitted");
    } catch (const ValidationError& e) {
      return std::string(e.what());
    }
  };
  EXPECT_NE(refused(line, "qty", Value(256)).find("line.qty"), std::string::npos);
  EXPECT_NE(refused(line, "qty", Value(-1)).find("line.qty"), std::string::npos);
  EXPECT_NE(refused(customer, "name", Value("toolong")).find("longer than varchar(5)"),
            std::string::npos);
  EXPECT_EQ(customer.admit(customer.column_index("name"), Value("naïve")), Value("naïve"))
      << "five characters, six bytes: length is counted in characters";
  EXPECT_NE(refused(orders, "status", Value("shipped")).find("orders.status"), std::string::npos);
  EXPECT_NE(refused(line, "total", Value(3)).find("generated column"), std::string::npos);
  EXPECT_NE(refused(line, "qty", Value()).find("line.qty"), std::string::npos) << "NOT NULL";
}

TEST(WaitHistogram, PercentilesAreWithinTheBucketWidth) {
  detail::WaitHistogram h;
  for (int i = 1; i <= 1000; ++i) h.record(std::chrono::microseconds(i));
  h.record_zeros(1000);
  EXPECT_EQ(h.count(), 2000u);
  EXPECT_EQ(h.max(), 1000us);
  EXPECT_EQ(h.total(), std::chrono::microseconds(500500));
  EXPECT_LE(h.percentile(0.50), 1us) << "half the waits were zero";
  auto p95 = h.percentile(0.95);  // the 900th non-zero wait: 900 us, within 2^(1/8) (~9 %)
  EXPECT_GE(p95, 900us);
  EXPECT_LE(p95, 985us);
  EXPECT_GE(h.percentile(1.0), 1000us);
}

// SQLite: the session's statements are prepared once per shape and connection, not per row.
TEST(SqliteStatements, ArePreparedOncePerShapeAndKept) {
  Engine engine("sqlite://:memory:");
  engine.execute("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v INT)");
  std::uint64_t before = 0;
  {
    Lease lease = engine.checkout();
    before = dialect::sqlite::statements_prepared(*lease);
  }
  const Model& t = engine.models().at("t");
  Session s = engine.session();
  std::vector<Record*> rows;
  for (int i = 0; i < 500; ++i) rows.push_back(&s.add(t.make({{"v", i}})));
  s.commit();
  for (Record* r : rows) r->set("v", 1);
  s.commit();
  Lease lease = engine.checkout();
  // One INSERT ... RETURNING for 500 rows, one UPDATE page.
  EXPECT_EQ(dialect::sqlite::statements_prepared(*lease) - before, 2u);
  EXPECT_LE(dialect::sqlite::cached_statements(*lease), 64u);
}

}  // namespace
}  // namespace tabula

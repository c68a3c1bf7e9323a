// MariaDB's prepared insert pages (src/dialect/mysql/mysql_prepared_insert.hpp) against the real
// server: statements are kept per connection and bounded, survive a schema change, respect the
// 65,535-placeholder limit, and a row refused in the middle of a page is named while nothing of
// the page stays.

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/log.hpp>
#include <tabula/session.hpp>

#include "connection_access.hpp"
#include "dialect/mysql/mysql_prepared.hpp"
#include "server_monitor.hpp"
#include "sql_scalar.hpp"
#include "test_server.hpp"

#include <soci/soci.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tabula {
namespace {

using test::scalar;

class PreparedInsertTest : public ::testing::Test {
 protected:
  // One connection, so that its session counters are the engine's.
  Engine engine(const std::string& statement_cache) {
    return Engine(db_.url()
                      .with_option("max_connections", "1")
                      .with_option("statement_cache", statement_cache));
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

  // Stages `rows` records of table u (id, code UNIQUE), the one at `duplicate_at` repeating the
  // code of the fourth.
  static void stage_with_a_duplicate(Engine& e, Session& s, int rows, int duplicate_at) {
    const Model& u = e.models().at("u");
    for (int r = 0; r < rows; ++r) {
      s.add(u.make({{"code", r == duplicate_at ? std::string("c3") : "c" + std::to_string(r)}}));
    }
  }
  // The commit is refused as a duplicate, naming the record at fault.
  static void expect_the_duplicate_named(Session& s) {
    try {
      s.commit();
      FAIL() << "a duplicate was accepted";
    } catch (const SqlError& error) {
      EXPECT_EQ(error.code(), 1062) << error.what();
      EXPECT_NE(std::string(error.what()).find(R"(while inserting into u: {"code":"c3"})"),
                std::string::npos)
          << error.what();
    }
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
  Session s = e.session();
  stage_with_a_duplicate(e, s, 600, 417);
  expect_the_duplicate_named(s);
  EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM u"), 0);
  EXPECT_EQ(s.pending(), 600u) << "every row is staged again";
  // The same shapes work afterwards on the same connection.
  s.rollback();
  Session again = e.session();
  const Model& u = e.models().at("u");
  for (int r = 0; r < 600; ++r) again.add(u.make({{"code", "d" + std::to_string(r)}}));
  again.commit();
  EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM u"), 600);
}

// A flush of many pages binds each page while the server runs the one before, and reads each
// page's keys into that page's records while the server runs the next.
TEST_F(PreparedInsertTest, EveryRecordOfAManyPageFlushGetsTheKeyOfItsOwnRow) {
  Engine e = engine("64");
  e.execute("CREATE TABLE u (id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(10) NOT NULL)");
  const Model& u = e.models().at("u");
  Session s = e.session();
  std::vector<Record*> added;
  for (int r = 0; r < 4321; ++r)
    added.push_back(&s.add(u.make({{"code", "c" + std::to_string(r)}})));
  std::vector<std::size_t> pages;  // rows per statement, as the statement handler sees them
  set_statement_handler([&](std::string_view sql, std::size_t values) {
    if (sql.starts_with("INSERT")) pages.push_back(values);
  });
  s.commit();
  set_statement_handler(nullptr);
  EXPECT_EQ(pages, (std::vector<std::size_t>{1000, 1000, 1000, 1000, 256, 64, 1}))
      << "full pages, then the tail in powers of two";
  std::map<long long, std::string> rows;
  {
    Lease lease = e.checkout();
    lease->run([&](soci::session& sql) {
      soci::rowset<soci::row> all = (sql.prepare << "SELECT id, code FROM u");
      for (const soci::row& row : all) rows[row.get<int>(0)] = row.get<std::string>(1);
    });
  }
  ASSERT_EQ(rows.size(), added.size());
  for (std::size_t r = 0; r < added.size(); ++r) {
    long long id = added[r]->get<std::int64_t>("id");
    ASSERT_EQ(rows[id], "c" + std::to_string(r)) << "record " << r << " has key " << id;
  }
}

// What a page reads back that is all integers (the common RETURNING of keys and defaults) keeps
// each value as the server has it: the widest unsigned key, negative numbers, NULL.
TEST_F(PreparedInsertTest, IntegersReadBackKeepTheirSignWidthAndNull) {
  Engine e = engine("64");
  e.execute(
      "CREATE TABLE w (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, "
      "low BIGINT NOT NULL DEFAULT -9223372036854775808, neg INT DEFAULT -5, "
      "nothing INT DEFAULT NULL, code VARCHAR(10) NOT NULL) AUTO_INCREMENT = 18446744073709550000");
  const Model& w = e.models().at("w");
  Session s = e.session();
  std::vector<Record*> added;
  for (int r = 0; r < 1500; ++r) added.push_back(&s.add(w.make({{"code", std::to_string(r)}})));
  s.commit();
  for (std::size_t r = 0; r < added.size(); ++r) {
    const Record& record = *added[r];
    ASSERT_EQ(record.get<std::uint64_t>("id"), 18446744073709550000ULL + r) << r;
    ASSERT_EQ(record.get<std::int64_t>("low"), std::numeric_limits<std::int64_t>::min()) << r;
    ASSERT_EQ(record.get<std::int64_t>("neg"), -5) << r;
    ASSERT_TRUE(record.is_null("nothing")) << r;
  }
  EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM w WHERE id >= 18446744073709550000"), 1500);
}

// A connection's statements keep their values from flush to flush: a flush of another shape
// (fewer columns, NULLs, a DATETIME where there was none, fewer rows) after a large one sends
// its own values only, and every row lands as its record has it.
TEST_F(PreparedInsertTest, FlushesOfOtherShapesOnOneConnectionLandExactlyAsSent) {
  Engine e = engine("64");
  e.execute(
      "CREATE TABLE v (id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(20) NOT NULL, n INT, "
      "at DATETIME)");
  const Model& v = e.models().at("v");
  const DateTime noon{std::chrono::year{2026} / 11 / 30, std::chrono::hours{12}};
  std::vector<std::function<Record(int)>> shapes = {
      [&](int r) {
        return v.make({{"code", "a" + std::to_string(r)}, {"n", r}});
      },
      [&](int r) {
        return v.make({{"code", "b" + std::to_string(r)}, {"n", nullptr}});
      },
      [&](int r) {
        return v.make({{"code", "c" + std::to_string(r)}});
      },
      [&](int r) {
        return v.make({{"at", noon}, {"code", "d" + std::to_string(r)}, {"n", -r}});
      },
  };
  const int counts[] = {2500, 3, 1001, 700};
  std::vector<std::pair<Record*, std::string>> added;  // each record, with its row as expected
  Session s = e.session();
  for (std::size_t k = 0; k < shapes.size(); ++k) {
    for (int r = 0; r < counts[k]; ++r) {
      Record& record = s.add(shapes[k](r));
      added.emplace_back(&record, "");
    }
    s.commit();  // the same connection each time: the engine has one
  }
  for (auto& [record, expected] : added) {
    expected = record->get<std::string>("code") + "|" +
               (record->is_null("n") ? "NULL" : std::to_string(record->get<std::int64_t>("n"))) +
               "|" + (record->is_null("at") ? "NULL" : "2026-11-30 12:00:00");
  }
  std::map<long long, std::string> rows;
  {
    Lease lease = e.checkout();
    lease->run([&](soci::session& sql) {
      soci::rowset<soci::row> all =
          (sql.prepare << "SELECT id, CONCAT_WS('|', code, IFNULL(n, 'NULL'), "
                          "IFNULL(DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s'), 'NULL')) FROM v");
      for (const soci::row& row : all) rows[row.get<int>(0)] = row.get<std::string>(1);
    });
  }
  ASSERT_EQ(rows.size(), added.size());
  for (const auto& [record, expected] : added) {
    long long id = record->get<std::int64_t>("id");
    ASSERT_EQ(rows[id], expected) << "the record keyed " << id;
  }
}

// A cached statement keeps its values' places from one page to the next and is given them again
// only when they change: a column NULL in one row and set in the next, text that outgrows its
// place, text too long to be copied at all (over 64 bytes), a number that turns unsigned, empty
// bytes. Every row of three flushes on one connection lands as its record has it.
TEST_F(PreparedInsertTest, ValuesThatChangeKindOrLengthFromRowToRowLandExactly) {
  Engine e = engine("64");
  e.execute(
      "CREATE TABLE z (id INT AUTO_INCREMENT PRIMARY KEY, n BIGINT UNSIGNED, t TEXT, "
      "at DATETIME(6), b BLOB)");
  const Model& z = e.models().at("z");
  auto text_of = [](int r) {
    if (r % 5 == 0) return std::optional<std::string>();
    std::size_t length = r % 97 == 0 ? 3000 : static_cast<std::size_t>(r % 110);
    return std::optional<std::string>(std::string(length, static_cast<char>('a' + r % 26)));
  };
  auto make = [&](int r) {
    Value n = r % 7 == 0 ? Value() : r % 3 == 0 ? Value(std::uint64_t{1} << 63 | r) : Value(r);
    std::optional<std::string> t = text_of(r);
    Value at = r % 4 == 0 ? Value()
                          : Value(DateTime{std::chrono::year{2026} / 12 / 1,
                                           std::chrono::microseconds{r * 1001}});
    Bytes b(static_cast<std::size_t>(r % 3), std::byte{0x5A});
    return z.make({{"n", n}, {"t", t ? Value(*t) : Value()}, {"at", at}, {"b", b}});
  };
  std::vector<Record*> added;
  Session s = e.session();
  for (int flush = 0; flush < 3; ++flush) {
    for (int r = 0; r < 2300; ++r) added.push_back(&s.add(make(flush * 10000 + r)));
    s.commit();  // the same connection, so the same cached statements, each time
  }
  Session check = e.session();
  std::map<std::int64_t, const Record*> rows;
  for (Record* row : check.query("z").all()) rows[row->get<std::int64_t>("id")] = row;
  ASSERT_EQ(rows.size(), added.size());
  for (const Record* record : added) {
    const Record& row = *rows.at(record->get<std::int64_t>("id"));
    for (const char* column : {"n", "t", "at", "b"}) {
      ASSERT_EQ(row.get(column), record->get(column))
          << column << " of the record keyed " << record->get<std::int64_t>("id");
    }
  }
}

TEST_F(PreparedInsertTest, ARowRefusedInALaterPageIsNamedAndNothingOfTheFlushStays) {
  Engine e = engine("64");
  e.execute("CREATE TABLE u (id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(10) UNIQUE)");
  Session s = e.session();
  stage_with_a_duplicate(e, s, 3500, 2417);
  expect_the_duplicate_named(s);
  EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM u"), 0) << "the two pages before it are gone too";
  EXPECT_EQ(s.pending(), 3500u) << "every row is staged again";
}

// The connection dies between two pages (killed while the statement handler runs, before the
// third page is sent): the flush fails as a disconnect, nothing stays, and the session sends
// everything again on a fresh connection.
TEST_F(PreparedInsertTest, AConnectionKilledBetweenPagesFailsTheFlushAndNothingStays) {
  engine("64").execute("CREATE TABLE u (id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(10))");
  test::TestUser user("pages_killed", db_.url());
  Engine e(user.url("max_connections=2"));
  const Model& u = e.models().at("u");
  Session s = e.session();
  for (int r = 0; r < 3500; ++r) s.add(u.make({{"code", "c" + std::to_string(r)}}));
  int inserts = 0;
  set_statement_handler([&](std::string_view sql, std::size_t) {
    if (sql.starts_with("INSERT") && ++inserts == 3) user.kill_all();
  });
  try {
    s.commit();
    set_statement_handler(nullptr);
    FAIL() << "a commit on a killed connection succeeded";
  } catch (const SqlError& error) {
    set_statement_handler(nullptr);
    EXPECT_TRUE(error.is_disconnect()) << error.what();
  }
  EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM u"), 0);
  EXPECT_EQ(s.pending(), 3500u);
  s.commit();
  EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM u"), 3500);
  EXPECT_EQ(scalar(e, "SELECT COUNT(DISTINCT code) FROM u"), 3500);
}

// While a page runs, the client waits for it itself (the next page is bound meanwhile); a page the
// server takes longer on than the URL's read_timeout fails the flush with the timeout, as a
// blocking client would, instead of waiting for ever.
TEST_F(PreparedInsertTest, APageSlowerThanTheReadTimeoutFailsTheFlushInTime) {
  Engine admin = engine("64");
  admin.execute("CREATE TABLE u (id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(10))");
  admin.execute(
      "CREATE TRIGGER u_slow BEFORE INSERT ON u FOR EACH ROW "
      "IF NEW.code = 'slow' THEN SET @slept = SLEEP(3); END IF");
  Engine e(db_.url().with_option("read_timeout", "1s").with_option("max_connections", "1"));
  const Model& u = e.models().at("u");
  Session s = e.session();
  for (int r = 0; r < 2500; ++r) {
    s.add(u.make({{"code", r == 1500 ? std::string("slow") : "c" + std::to_string(r)}}));
  }
  auto start = std::chrono::steady_clock::now();
  try {
    s.commit();
    FAIL() << "a page slower than read_timeout succeeded";
  } catch (const SqlError& error) {
    EXPECT_TRUE(error.is_disconnect()) << error.what();
  }
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_LT(waited, std::chrono::milliseconds(2800)) << "the flush waited for the slow page";
  EXPECT_EQ(s.pending(), 2500u);
  // DROP TRIGGER waits for the slow page's transaction to end (it holds the table's metadata
  // lock); its client gone, that transaction rolls back.
  admin.execute("DROP TRIGGER u_slow");
  EXPECT_EQ(scalar(admin, "SELECT COUNT(*) FROM u"), 0);
}

// A table whose every column the rows give (keys included): nothing to read back, so pages go as
// one row's statement with arrays of values (MariaDB's array binding).
const char* const kEveryKind =
    "CREATE TABLE k (id INT PRIMARY KEY, i BIGINT, u BIGINT UNSIGNED, d DOUBLE, m DECIMAL(12,2), "
    "s VARCHAR(20), b VARBINARY(8), dt DATE, ts DATETIME(6), tm TIME(6))";

Record every_kind_row(const Model& k, int r) {
  auto null_every = [&](int n) { return r % n == 0; };
  return k.make({
      {"id", r},
      {"i", null_every(7) ? Value() : Value(std::int64_t{-5'000'000'000} + r)},
      {"u", null_every(11) ? Value() : Value(std::uint64_t{18'000'000'000'000'000'000u} + r)},
      {"d", null_every(13) ? Value() : Value(r / 8.0)},
      {"m", null_every(3) ? Value() : Value(Decimal(std::to_string(r) + ".25"))},
      {"s", null_every(5) ? Value() : Value("row " + std::to_string(r))},
      {"b", null_every(17) ? Value() : Value(Bytes{std::byte{0}, std::byte(r % 256)})},
      {"dt", null_every(19) ? Value()
                            : Value(Date(std::chrono::year{2020},
                                         std::chrono::month{static_cast<unsigned>(1 + r % 12)},
                                         std::chrono::day{static_cast<unsigned>(1 + r % 28)}))},
      {"ts", null_every(23) ? Value()
                            : Value(DateTime{Date(std::chrono::year{2021}, std::chrono::month{3},
                                                  std::chrono::day{4}),
                                             std::chrono::microseconds{r * 1'000'001LL}})},
      {"tm", null_every(29) ? Value()
                            : Value(Time{std::chrono::microseconds{-(r % 800) * 3'600'000'123LL}})},
  });
}

TEST_F(PreparedInsertTest, PagesThatReadNothingBackGoAsArraysAndKeepEveryValue) {
  Engine e = engine("64");
  e.execute(kEveryKind);
  const Model& k = e.models().at("k");
  std::vector<std::pair<std::string, std::size_t>> sent;
  set_statement_handler([&](std::string_view sql, std::size_t values) {
    if (sql.starts_with("INSERT")) sent.emplace_back(std::string(sql), values);
  });
  struct Unset {
    ~Unset() { set_statement_handler(nullptr); }
  } unset;
  constexpr int kRows = 2500;
  {
    Session s = e.session();
    for (int r = 0; r < kRows; ++r) s.add(every_kind_row(k, r));
    s.commit();
  }
  // Pages of 1000, 1000, 256, 128... rows, each one row's statement with its rows' values.
  ASSERT_FALSE(sent.empty());
  std::size_t values = 0;
  for (const auto& [sql, n] : sent) {
    EXPECT_EQ(sql.find("), ("), std::string::npos)
        << "a multi-row statement: " << sql.substr(0, 80) << "..." << sql.substr(sql.size() - 60);
    values += n;
  }
  EXPECT_EQ(values, std::size_t{kRows} * 10);
  EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM k"), kRows);
  // Every value as a one-row page of the text protocol would have stored it: the same rows
  // inserted again one by one (no array: a page of one row) into a twin table match exactly.
  e.execute("CREATE TABLE k1 LIKE k");
  {
    Engine other = engine("64");
    const Model& k1 = other.models().at("k1");
    for (int r = 0; r < kRows; r += 97) {
      Session s = other.session();
      Record row = every_kind_row(k1, r);
      s.add(std::move(row));
      s.commit();
    }
  }
  EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM k1"), (kRows + 96) / 97);
  EXPECT_EQ(scalar(e,
                   "SELECT COUNT(*) FROM k1 JOIN k USING (id) WHERE NOT (k1.i <=> k.i AND "
                   "k1.u <=> k.u AND k1.d <=> k.d AND k1.m <=> k.m AND k1.s <=> k.s AND k1.b <=> "
                   "k.b AND k1.dt <=> k.dt AND k1.ts <=> k.ts AND k1.tm <=> k.tm)"),
            0);
  EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM k1 JOIN k USING (id)"), (kRows + 96) / 97);
  // Nulls where they were given, values everywhere else.
  EXPECT_EQ(scalar(e, "SELECT COUNT(i) FROM k"), kRows - (kRows + 6) / 7);
  EXPECT_EQ(scalar(e, "SELECT COUNT(tm) FROM k"), kRows - (kRows + 28) / 29);
  EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM k WHERE u = 18000000000000000000 + id"),
            kRows - (kRows + 10) / 11);
  EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM k WHERE s = CONCAT('row ', id)"), kRows - kRows / 5);
}

TEST_F(PreparedInsertTest, ARowRefusedInAnArrayPageIsNamedAndNothingStays) {
  Engine e = engine("64");
  e.execute(kEveryKind);
  const Model& k = e.models().at("k");
  // 600 rows: one page, sent alone (autocommit); 1500: several pages in a transaction.
  for (int rows : {600, 1500}) {
    Session s = e.session();
    for (int r = 0; r < rows; ++r) {
      Record row = every_kind_row(k, r);
      if (r == rows - 83) row.set("id", 3);  // in the last page
      s.add(std::move(row));
    }
    try {
      s.commit();
      ADD_FAILURE() << "a duplicate key was accepted";
    } catch (const SqlError& error) {
      EXPECT_EQ(error.code(), 1062) << error.what();
      EXPECT_NE(std::string(error.what()).find(R"(while inserting into k: {"id":3,)"),
                std::string::npos)
          << rows << " rows: " << error.what();
    }
    s.rollback();
    EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM k"), 0) << rows << " rows";
  }
}

// Empty bytes are an empty value on every path (Connector/C sends a null buffer as NULL).
TEST_F(PreparedInsertTest, EmptyBytesAreEmptyNotNullOnEveryPath) {
  Engine e = engine("64");
  e.execute("CREATE TABLE eb (id INT PRIMARY KEY, b VARBINARY(8) NOT NULL)");
  const Model& eb = e.models().at("eb");
  {
    Session s = e.session();  // three rows, keys given: an array page
    for (int r = 1; r <= 3; ++r) s.add(eb.make({{"id", r}, {"b", Bytes{}}}));
    s.commit();
  }
  {
    Session s = e.session();  // one row: a one-row statement
    s.add(eb.make({{"id", 4}, {"b", Bytes{}}}));
    s.commit();
  }
  EXPECT_EQ(scalar(e, "SELECT COUNT(*) FROM eb WHERE b = ''"), 4);
}

TEST_F(PreparedInsertTest, AnArrayRunRefusesAColumnOfMixedKindsAndSendsNothing) {
  Engine e = engine("64");
  e.execute("CREATE TABLE x (a VARCHAR(20), b INT)");
  Lease lease = e.checkout();
  void* native = detail::ConnectionAccess::native_handle(*lease);
  ASSERT_TRUE(dialect::mysql::PreparedStatement::server_takes_arrays(native));
  dialect::mysql::PreparedStatement insert(native, "INSERT INTO x (a, b) VALUES (?, ?)");
  Value a1("one"), b1(std::int64_t{1}), a2(std::int64_t{2}), b2(std::int64_t{2});
  std::vector<const Value*> mixed{&a1, &b1, &a2, &b2};
  EXPECT_FALSE(insert.execute_array(mixed, 2).has_value());
  Value a3("three"), b3;
  std::vector<const Value*> fine{&a1, &b1, &a3, &b3};
  auto result = insert.execute_array(fine, 2);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->affected_rows, 2U);
  // The same statement runs one row again afterwards, with none of the arrays' lengths.
  Value a4("a longer one");
  std::vector<const Value*> one{&a4, &b1};
  EXPECT_EQ(insert.execute(one).affected_rows, 1U);
  std::string rows;
  lease->run([&](soci::session& sql) {
    sql << "SELECT GROUP_CONCAT(CONCAT(a, '/', IFNULL(b, 'null')) ORDER BY a SEPARATOR ', ') FROM "
           "x",
        soci::into(rows);
  });
  EXPECT_EQ(rows, "a longer one/1, one/1, three/null");
}

}  // namespace
}  // namespace tabula

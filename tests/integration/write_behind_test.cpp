// SessionOptions::write_behind against the real server: add() sends a page once the staged
// inserts fill one and returns while the server runs it; everything a session promises still
// holds: every record gets the key of its own row, a change or removal of a record whose page is
// running is not lost, a refused row is named and nothing of the transaction stays, rollbacks
// and savepoints undo pages sent ahead, and the connection goes back.

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/log.hpp>
#include <tabula/session.hpp>
#include <tabula/typed_session.hpp>

#include "server_monitor.hpp"
#include "sql_scalar.hpp"
#include "test_server.hpp"

#include <soci/soci.h>

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tabula {

namespace test_models {
// Table u as tabula-gen would write it (docs/codegen.md).
struct U {
  std::int32_t id{};
  std::string code{};
  std::int32_t qty{};
};
}  // namespace test_models

template <>
struct table_traits<test_models::U> {
  static constexpr std::string_view name = "u";
  static constexpr std::array<std::string_view, 3> columns{"id", "code", "qty"};
  static constexpr std::array<std::size_t, 1> primary_key{0};
  static constexpr std::optional<std::size_t> auto_increment = 0;
  static constexpr bool is_view = false;
  static constexpr bool read_only = false;
};

namespace {

using test_models::U;

class WriteBehindTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_.execute(
        "CREATE TABLE u (id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(10) NOT NULL UNIQUE, "
        "qty INT NOT NULL DEFAULT 0)");
  }
  void TearDown() override { set_statement_handler(nullptr); }

  long long scalar(const std::string& sql) { return test::scalar(engine_, sql); }
  // The rows of u by id: code and qty.
  std::map<long long, std::pair<std::string, int>> rows() {
    std::map<long long, std::pair<std::string, int>> all;
    Lease lease = engine_.checkout();
    lease->run([&](soci::session& sql) {
      soci::rowset<soci::row> result = (sql.prepare << "SELECT id, code, qty FROM u");
      for (const soci::row& row : result) {
        all[row.get<int>(0)] = {row.get<std::string>(1), row.get<int>(2)};
      }
    });
    return all;
  }
  Record make(int n) { return engine_.models().at("u").make({{"code", "c" + std::to_string(n)}}); }
  // The same giving qty too (another column set).
  Record make(int n, int qty) {
    return engine_.models().at("u").make({{"code", "c" + std::to_string(n)}, {"qty", qty}});
  }
  // Every record of `added` (record n made with code "c<n>") holds the key of its own row.
  void expect_each_key_names_its_row(const std::vector<Record*>& added) {
    auto landed = rows();
    ASSERT_EQ(landed.size(), added.size());
    for (std::size_t n = 0; n < added.size(); ++n) {
      long long id = added[n]->get<std::int64_t>("id");
      ASSERT_EQ(landed[id].first, "c" + std::to_string(n)) << "record " << n << " has key " << id;
    }
  }
  // Counts the INSERT statements sent from now on.
  void count_inserts() {
    set_statement_handler([this](std::string_view sql, std::size_t values) {
      if (sql.starts_with("INSERT")) insert_values_.push_back(values);
    });
  }

  test::ScratchDatabase db_{std::string("write_behind_") +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name()};
  // One connection: the session's, and nobody else's while it holds it.
  Engine engine_{db_.url().with_option("max_connections", "2")};
  std::vector<std::size_t> insert_values_;  // values per INSERT the handler saw
};

TEST_F(WriteBehindTest, AddSendsEachFullPageAndEveryRecordGetsTheKeyOfItsOwnRow) {
  Session s = engine_.session({.write_behind = true});
  count_inserts();
  std::vector<Record*> added;
  for (int n = 0; n < 2500; ++n) {
    added.push_back(&s.add(make(n)));
    if (n == 999) {
      EXPECT_TRUE(insert_values_.empty()) << "a page's worth waits for one more (or the commit)";
      EXPECT_FALSE(s.has_connection());
    }
    if (n == 1000) {
      EXPECT_EQ(insert_values_, std::vector<std::size_t>{1000}) << "the full page went at add()";
      EXPECT_TRUE(s.in_transaction());
      EXPECT_EQ(s.pending(), 1001u) << "sent ahead, not landed: still pending";
    }
  }
  EXPECT_EQ(insert_values_.size(), 2u);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM u"), 0) << "nothing is visible before the commit";
  s.commit();
  EXPECT_EQ(s.pending(), 0u);
  expect_each_key_names_its_row(added);
  EXPECT_FALSE(s.has_connection()) << "the connection went back at commit";
}

// Records giving different columns (qty given or left to its default) go in pages of their own
// shape, full ones only while adding (the rest waits for more of its shape, or the commit);
// every row still lands as its record has it.
TEST_F(WriteBehindTest, RecordsOfMixedShapesSentAheadLandAsTheirRecordsHaveThem) {
  Session s = engine_.session({.write_behind = true});
  count_inserts();
  std::vector<Record*> added;
  for (int n = 0; n < 3500; ++n) added.push_back(&s.add(n % 3 == 0 ? make(n, n) : make(n)));
  ASSERT_FALSE(insert_values_.empty()) << "pages went while adding";
  for (std::size_t values : insert_values_) {
    EXPECT_TRUE(values == 1000 || values == 2000) << "a page of " << values << " values";
  }
  s.commit();
  auto landed = rows();
  ASSERT_EQ(landed.size(), added.size());
  for (std::size_t n = 0; n < added.size(); ++n) {
    auto row = landed[added[n]->get<std::int64_t>("id")];
    ASSERT_EQ(row.first, "c" + std::to_string(n));
    ASSERT_EQ(row.second, n % 3 == 0 ? static_cast<int>(n) : 0) << "record " << n;
    ASSERT_EQ(added[n]->get<std::int64_t>("qty"), row.second) << "the default read back";
  }
}

// A look at the staged rows that finds no full page of any column set sends nothing, and the
// page sent before it stays running with its rows (they land at the commit, keyed right).
TEST_F(WriteBehindTest, ALookThatSendsNothingKeepsThePageRunningBeforeIt) {
  Session s = engine_.session({.write_behind = true});
  count_inserts();
  std::vector<Record*> added;
  // 1001 giving the code only (a page of 1000 goes), then 1000 giving qty too: at the next look
  // one row of the first kind and 999 of the second are staged, no full page of either.
  for (int n = 0; n < 2001; ++n) added.push_back(&s.add(n < 1001 ? make(n) : make(n, n)));
  EXPECT_EQ(insert_values_, std::vector<std::size_t>{1000});
  EXPECT_TRUE(added[0]->is_null("id")) << "the first page is still running";
  s.commit();
  expect_each_key_names_its_row(added);
}

// set() on a record whose page is running waits for the page, then is an UPDATE like any change
// to a record in the database; remove() waits too, then is a DELETE.
TEST_F(WriteBehindTest, AChangeOrRemovalOfARecordWhosePageIsRunningIsKept) {
  Session s = engine_.session({.write_behind = true});
  std::vector<Record*> added;
  for (int n = 0; n < 1001; ++n) added.push_back(&s.add(make(n)));
  EXPECT_TRUE(added[5]->is_null("id")) << "its page has not landed yet";
  added[5]->set("qty", 77);
  EXPECT_FALSE(added[5]->is_null("id")) << "set() waited for the page";
  EXPECT_EQ(added[5]->modified_columns(), std::vector<std::string>{"qty"});
  for (int n = 1001; n < 2001; ++n) added.push_back(&s.add(make(n)));
  EXPECT_TRUE(added[1500]->is_null("id")) << "its page has not landed yet";
  s.remove(*added[1500]);
  s.commit();
  auto landed = rows();
  EXPECT_EQ(landed.size(), 2000u);
  EXPECT_EQ(landed[added[5]->get<std::int64_t>("id")], std::make_pair(std::string("c5"), 77));
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM u WHERE code = 'c1500'"), 0);
}

// A page the server refuses is reported by the call that waits for it (here the add() that sends
// the next page), naming the record; the transaction is rolled back and every record is staged
// again, so that a corrected commit lands them all, the record of the add() that threw included
// (it was staged before the page went).
TEST_F(WriteBehindTest, ARefusedPageIsReportedNamingTheRecordAndEverythingIsStagedAgain) {
  Session s = engine_.session({.write_behind = true});
  std::vector<Record*> added;
  for (int n = 0; n < 1001; ++n) added.push_back(&s.add(make(n == 700 ? 3 : n)));
  try {
    for (int n = 1001; n < 2001; ++n) added.push_back(&s.add(make(n)));
    FAIL() << "the duplicate was accepted";
  } catch (const SqlError& e) {
    EXPECT_EQ(e.code(), 1062) << e.what();
    EXPECT_NE(std::string(e.what()).find(R"(while inserting into u: {"code":"c3"})"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM u"), 0);
  EXPECT_FALSE(s.in_transaction()) << "the transaction was rolled back";
  EXPECT_EQ(s.pending(), added.size() + 1) << "every record is staged again";
  EXPECT_TRUE(added[0]->is_null("id"));
  added[700]->set("code", "c700");
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM u"), static_cast<long long>(added.size() + 1));
  EXPECT_EQ(rows()[added[700]->get<std::int64_t>("id")].first, "c700");
}

TEST_F(WriteBehindTest, ARefusedLastPageIsReportedByTheCommitAndNothingStays) {
  Session s = engine_.session({.write_behind = true});
  for (int n = 0; n < 2001; ++n) s.add(make(n == 1999 ? 17 : n));
  EXPECT_THROW(s.commit(), SqlError);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM u"), 0);
  EXPECT_EQ(s.pending(), 2001u);
}

// Typed objects go ahead too. Each takes the key of its own row when its page lands; a field
// changed after add(), whether its page had landed, was running or had not gone yet, lands as the
// object has it (an UPDATE of the row the page wrote, for the first two).
TEST_F(WriteBehindTest, TypedObjectsGoAheadAndKeepChangesMadeAfterAdd) {
  Session s = engine_.session({.write_behind = true});
  count_inserts();
  std::vector<U*> added;
  for (int n = 0; n < 2500; ++n) {
    added.push_back(&s.add(U{.code = "c" + std::to_string(n)}));
    if (n == 1000) {
      EXPECT_EQ(insert_values_, std::vector<std::size_t>{1000}) << "the full page went at add()";
    }
  }
  ASSERT_EQ(insert_values_, (std::vector<std::size_t>{1000, 1000}));
  EXPECT_GT(added[0]->id, 0) << "the first page landed when the second went";
  EXPECT_EQ(added[1500]->id, 0) << "its page is running";
  added[0]->qty = 5;
  added[1500]->qty = 6;
  added[2400]->qty = 7;
  added[1]->code = "renamed";
  s.commit();
  auto landed = rows();
  ASSERT_EQ(landed.size(), added.size());
  std::set<std::int32_t> keys;
  for (std::size_t n = 0; n < added.size(); ++n) {
    const U& o = *added[n];
    keys.insert(o.id);
    ASSERT_EQ(landed[o.id].first, o.code) << "object " << n << " has key " << o.id;
    ASSERT_EQ(landed[o.id].second, o.qty) << "object " << n;
  }
  EXPECT_EQ(keys.size(), added.size()) << "a key of its own for every object";
  EXPECT_EQ(landed[added[0]->id].second, 5);
  EXPECT_EQ(landed[added[1500]->id].second, 6);
  EXPECT_EQ(landed[added[2400]->id].second, 7);
  EXPECT_EQ(landed[added[1]->id].first, "renamed");
}

// A refused page stages typed objects again as a failed flush does: the keys they took from a
// page that landed go, a change made after add() stays, and a corrected commit lands them all.
TEST_F(WriteBehindTest, ARefusedPageStagesTypedObjectsAgainKeepingTheirChanges) {
  Session s = engine_.session({.write_behind = true});
  std::vector<U*> added;
  for (int n = 0; n < 2001; ++n) {
    added.push_back(&s.add(U{.code = "c" + std::to_string(n == 1500 ? 3 : n)}));
    if (n == 1001) added[5]->qty = 9;  // after its page landed
  }
  ASSERT_GT(added[5]->id, 0);
  EXPECT_THROW(s.commit(), SqlError);  // the second page holds c3 twice
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM u"), 0);
  EXPECT_EQ(added[5]->id, 0) << "the key of a row rolled back is gone";
  EXPECT_EQ(added[5]->qty, 9) << "the change made after add() stays";
  added[1500]->code = "c1500";
  s.commit();
  auto landed = rows();
  ASSERT_EQ(landed.size(), added.size());
  EXPECT_EQ(landed[added[5]->id], (std::pair<std::string, int>("c5", 9)));
  EXPECT_EQ(landed[added[1500]->id].first, "c1500");
}

TEST_F(WriteBehindTest, RollbackUndoesPagesSentAheadAndGivesTheConnectionBack) {
  Session s = engine_.session({.write_behind = true});
  std::vector<Record*> added;
  for (int n = 0; n < 1500; ++n) added.push_back(&s.add(make(n)));
  s.rollback();
  EXPECT_FALSE(s.has_connection());
  EXPECT_EQ(s.pending(), 0u);
  EXPECT_THROW(s.remove(*added[10]), Error) << "rolled back: no longer the session's concern";
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM u"), 0);
  // The session goes on as a fresh one.
  for (int n = 0; n < 1000; ++n) s.add(make(n));
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM u"), 1000);
}

TEST_F(WriteBehindTest, ASessionDestroyedWithAPageRunningCommitsNothing) {
  {
    Session s = engine_.session({.write_behind = true});
    for (int n = 0; n < 1001; ++n) s.add(make(n));
    EXPECT_TRUE(s.in_transaction());
  }
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM u"), 0);
  EXPECT_EQ(engine_.pool().stats().in_use, 0u);
}

TEST_F(WriteBehindTest, RollingBackToASavepointUndoesThePagesSentSinceAndKeepsTheRest) {
  Session s = engine_.session({.write_behind = true});
  for (int n = 0; n < 1000; ++n) s.add(make(n));
  {
    Savepoint sp = s.savepoint();
    for (int n = 1000; n < 2001; ++n) s.add(make(n));
    EXPECT_EQ(s.pending(), 1001u);
    sp.rollback();
  }
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM u"), 1000);
  EXPECT_EQ(scalar("SELECT MAX(CAST(SUBSTRING(code, 2) AS INT)) FROM u"), 999);
}

TEST_F(WriteBehindTest, QueriesAndClearWaitForThePagesSentAhead) {
  Session s = engine_.session({.write_behind = true});
  std::vector<Record*> added;
  for (int n = 0; n < 1001; ++n) added.push_back(&s.add(make(n)));
  std::vector<Record*> found = s.query("u").where("code = ?", "c42").all();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], added[42]) << "one row, one record";
  std::vector<Record*> more;
  for (int n = 1001; n < 2002; ++n) more.push_back(&s.add(make(n)));
  EXPECT_TRUE(more[0]->is_null("id")) << "its page has not landed yet";
  EXPECT_THROW(s.clear(), Error) << "one record is still staged";
  EXPECT_FALSE(more[0]->is_null("id")) << "clear() waited for the page running";
  s.flush();
  s.clear();
  EXPECT_EQ(s.size(), 0u);
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM u"), 2002);
}

// The connection dies while pages sent ahead are running (killed from outside after the first
// one went): a later call reports a disconnect, nothing stays, every record is staged again, and
// the next commit sends them all on a fresh connection, never above the engine's cap.
TEST_F(WriteBehindTest, AConnectionKilledUnderPagesSentAheadLosesNothing) {
  test::TestUser user("write_behind_killed", db_.url());
  Engine e(user.url("max_connections=2"));
  const Model& u = e.models().at("u");
  Session s = e.session({.write_behind = true});
  bool refused = false;
  try {
    for (int n = 0; n < 3001; ++n) {
      s.add(u.make({{"code", "c" + std::to_string(n)}}));
      if (n == 1000) user.kill_all();  // the first page was sent at this add()
    }
    s.commit();
  } catch (const SqlError& error) {
    refused = true;
    EXPECT_TRUE(error.is_disconnect()) << error.what();
  }
  ASSERT_TRUE(refused) << "work on a killed connection succeeded";
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM u"), 0);
  std::size_t staged = s.pending();
  EXPECT_GT(staged, 1000u) << "every record added so far is staged again";
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM u"), static_cast<long long>(staged));
  EXPECT_EQ(scalar("SELECT COUNT(DISTINCT code) FROM u"), static_cast<long long>(staged));
  EXPECT_LE(user.connections(), 2u);
}

// What a flush would refuse before any SQL is not sent ahead: the flush refuses it as always.
TEST_F(WriteBehindTest, ARecordMissingARequiredColumnStopsNothingButTheFlush) {
  Session s = engine_.session({.write_behind = true});
  count_inserts();
  const Model& u = engine_.models().at("u");
  for (int n = 0; n < 1200; ++n) s.add(n == 3 ? u.make({{"qty", 1}}) : make(n));
  EXPECT_TRUE(insert_values_.empty());
  EXPECT_THROW(s.commit(), ValidationError);
  EXPECT_TRUE(insert_values_.empty()) << "refused before any SQL";
}

}  // namespace
}  // namespace tabula

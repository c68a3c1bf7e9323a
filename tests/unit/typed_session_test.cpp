// Typed sessions on SQLite with a header generated at build time: add<T> fills keys and
// defaults, get<T> is the identity map, a changed field is an UPDATE of that column, queries
// return typed rows, remove<T> deletes; engine.verify<T> checks the struct against the table.

#include "shop_models.hpp"

#include <tabula/error.hpp>
#include <tabula/log.hpp>
#include <tabula/typed_session.hpp>

#include <gtest/gtest.h>

#include <filesystem>

namespace {

class TypedSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::remove(path_);
    engine_.execute(
        "CREATE TABLE customer (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, "
        "credit NUMERIC(8,2) NOT NULL DEFAULT 10, joined DATE)");
    engine_.execute(
        "CREATE TABLE invoice (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES "
        "customer (id), total NUMERIC(8,2) NOT NULL, paid INTEGER NOT NULL DEFAULT 0)");
  }
  void TearDown() override { std::filesystem::remove(path_); }

  // A file per test case: ctest runs them in parallel.
  std::filesystem::path path_ =
      std::filesystem::temp_directory_path() /
      ("tabula_typed_test_" +
       std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db");
  tabula::Engine engine_{"sqlite://" + path_.string(), {.max_connections = 2}};
};

TEST_F(TypedSessionTest, AnObjectsLifeAddedFetchedChangedQueriedAndRemovedReachesTheTable) {
  tabula::Session s = engine_.session();
  shop::Customer& ada = s.add(shop::Customer{.name = "Ada"});
  s.commit();
  EXPECT_EQ(ada.id, 1) << "generated key copied back";
  EXPECT_EQ(ada.credit.str(), "10") << "server default copied back";

  shop::Invoice& bill =
      s.add(shop::Invoice{.customer_id = ada.id, .total = tabula::Decimal("9.50")});
  s.commit();
  EXPECT_EQ(bill.id, 1);
  EXPECT_EQ(bill.paid, 0);

  tabula::Session t = engine_.session();
  shop::Customer* again = t.get<shop::Customer>(ada.id);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again, t.get<shop::Customer>(ada.id)) << "one object per row";
  EXPECT_EQ(again->name, "Ada");
  std::vector<std::string> sent;
  tabula::set_statement_handler([&](std::string_view sql, std::size_t) { sent.emplace_back(sql); });
  t.flush();
  EXPECT_TRUE(sent.empty()) << "nothing changed, nothing sent";
  again->name = "Ada Lovelace";
  t.commit();
  tabula::set_statement_handler(nullptr);
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.front(), "UPDATE \"customer\" SET \"name\" = ? WHERE \"id\" = ?");

  std::vector<shop::Invoice> unpaid = t.query<shop::Invoice>().where("paid = ?", 0).all();
  ASSERT_EQ(unpaid.size(), 1u);
  EXPECT_EQ(unpaid[0].total.str(), "9.5");
  EXPECT_EQ(t.query<shop::Customer>().filter("name", "Ada Lovelace").count(), 1u);
  EXPECT_EQ(t.query<shop::Customer>().filter("name", "nobody").first(), std::nullopt);

  shop::Invoice* to_delete = t.get<shop::Invoice>(bill.id);
  t.remove(*to_delete);
  t.commit();
  EXPECT_EQ(t.query<shop::Invoice>().count(), 0u);
  shop::Invoice stranger{};
  EXPECT_THROW(t.remove(stranger), tabula::Error);
}

// An object whose field the column cannot take is refused by add<T>, and nothing of it stays
// staged: the session commits the other objects only.
TEST_F(TypedSessionTest, AnObjectRefusedByAddLeavesNothingStaged) {
  tabula::Session s = engine_.session();
  s.add(shop::Customer{.name = "Ada"});
  EXPECT_THROW(s.add(shop::Customer{.name = std::string(41, 'x')}), tabula::ValidationError)
      << "VARCHAR(40)";
  EXPECT_EQ(s.pending(), 1u);
  s.commit();
  tabula::Session check = engine_.session();
  auto rows = check.query<shop::Customer>().all();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.front().name, "Ada");
}

TEST_F(TypedSessionTest, RollbackPutsTheObjectBack) {
  tabula::Session s = engine_.session();
  s.add(shop::Customer{.name = "Ada"});
  s.commit();
  shop::Customer* c = s.get<shop::Customer>(1);
  c->name = "changed";
  s.flush();
  s.rollback();
  EXPECT_EQ(c->name, "Ada") << "the object follows its row back";
}

TEST_F(TypedSessionTest, VerifyExplainsHowAStructNoLongerMatchesItsTable) {
  EXPECT_NO_THROW(engine_.verify<shop::Customer>());
  EXPECT_NO_THROW(engine_.verify<shop::Invoice>());
  engine_.execute("ALTER TABLE customer ADD COLUMN vip INTEGER");
  engine_.execute("DROP TABLE invoice");
  engine_.execute(
      "CREATE TABLE invoice (id INTEGER PRIMARY KEY, customer_id INTEGER, total TEXT "
      "NOT NULL, paid INTEGER NOT NULL DEFAULT 0)");
  tabula::Engine fresh("sqlite://" + path_.string());  // reflects the altered tables
  try {
    fresh.verify<shop::Customer>();
    FAIL() << "an added column went unnoticed";
  } catch (const tabula::Error& e) {
    EXPECT_NE(std::string(e.what()).find("column customer.vip (INTEGER) has no field"),
              std::string::npos)
        << e.what();
  }
  try {
    fresh.verify<shop::Invoice>();
    FAIL() << "changed types went unnoticed";
  } catch (const tabula::Error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("invoice.total (TEXT NOT NULL) wants std::string, the struct has "
                        "tabula::Decimal"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("invoice.customer_id (INTEGER) wants std::optional<std::int64_t>, the "
                        "struct has std::int64_t"),
              std::string::npos)
        << what;
  }
}

}  // namespace

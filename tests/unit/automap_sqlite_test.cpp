// Automap on SQLite, and a randomized test throwing arbitrary JSON at Model::from_json.

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>

#include <gtest/gtest.h>

#include <random>

namespace tabula {
namespace {

Models sample_models(Engine& engine) {
  engine.execute(
      "CREATE TABLE item (id INTEGER PRIMARY KEY, name VARCHAR(10) NOT NULL, qty INTEGER "
      "DEFAULT 1, price NUMERIC(6,2), ratio REAL, data BLOB, made DATE, note TEXT)");
  return automap(engine);
}

TEST(AutomapSqliteTest, RecordsAreCheckedAgainstTheSchema) {
  Engine engine("sqlite://:memory:");
  Models models = sample_models(engine);
  const Model& item = models.at("item");
  EXPECT_TRUE(item.has_primary_key());
  Record r = item.make({{"name", "bolt"}, {"qty", 3}, {"price", "2.50"}, {"made", "2026-11-25"}});
  EXPECT_EQ(r.get<std::int64_t>("qty"), 3);
  EXPECT_EQ(r.get<Decimal>("price").str(), "2.50");
  EXPECT_TRUE(r.is_null("note"));
  EXPECT_FALSE(r.is_set("note"));
  EXPECT_NO_THROW(r.check_insertable());
  EXPECT_THROW(item.make({{"name", "far too long a name"}}), ValidationError);
  EXPECT_THROW(item.make({{"qty", "three"}}), ValidationError);
  EXPECT_THROW(item.make({{"made", "2026-02-30"}}), ValidationError) << "not a real day";
  EXPECT_THROW(item.make({{"name", nullptr}}), ValidationError);
  EXPECT_THROW((void)r.get<std::string>("qty"), ValueError);
  try {
    (void)r.get<std::string>("qty");
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("item.qty: cannot read int64 value 3 as std::string"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(item.make().check_insertable(), ValidationError) << "name is required";

  // By position (the table's column order), checked the same way.
  EXPECT_EQ(r.value_at(2), r.get("qty"));
  EXPECT_TRUE(r.is_set_at(1));
  EXPECT_FALSE(r.is_set_at(7));
  r.set_at(7, "a note");
  EXPECT_EQ(r.get<std::string>("note"), "a note");
  EXPECT_THROW(r.set_at(2, "three"), ValidationError);
  EXPECT_EQ(r.get<std::int64_t>("qty"), 3) << "a refused value leaves the record unchanged";
  try {
    (void)r.value_at(8);
    ADD_FAILURE() << "index 8 of 8 columns was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("column index 8 is out of range: item has 8 columns"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(r.set_at(8, 1), Error);
}

// Values given in any order land in their columns (make() guesses the next column first), and
// a key's columns are known by index in key order.
TEST(AutomapSqliteTest, ValuesInAnyOrderLandInTheirColumnsAndKeysAreIndexed) {
  Engine engine("sqlite://:memory:");
  engine.execute("CREATE TABLE pair (x TEXT, b INTEGER, a INTEGER, y TEXT, PRIMARY KEY (a, b))");
  engine.execute("CREATE TABLE loose (v TEXT)");
  Models models = automap(engine);
  const Model& pair = models.at("pair");
  EXPECT_EQ(pair.primary_key_columns(), (std::vector<std::size_t>{2, 1}));
  EXPECT_TRUE(models.at("loose").primary_key_columns().empty());
  for (const auto& r : {pair.make({{"x", "1"}, {"b", 2}, {"a", 3}, {"y", "4"}}),
                        pair.make({{"b", 2}, {"y", "4"}, {"x", "1"}, {"a", 3}}),
                        pair.make({{"y", "4"}, {"a", 3}, {"b", 2}, {"x", "1"}})}) {
    EXPECT_EQ(r.get<std::string>("x"), "1");
    EXPECT_EQ(r.get<std::int64_t>("b"), 2);
    EXPECT_EQ(r.get<std::int64_t>("a"), 3);
    EXPECT_EQ(r.get<std::string>("y"), "4");
  }
  EXPECT_THROW(pair.make({{"x", "1"}, {"z", 1}}), ValidationError) << "not a column";
}

TEST(AutomapSqliteTest, ArbitraryJsonOnlyThrowsDocumentedErrors) {
  Engine engine("sqlite://:memory:");
  Models models = sample_models(engine);
  const Model& item = models.at("item");
  const std::vector<std::string> keys = {"id",   "name", "qty",  "price", "ratio", "data",
                                         "made", "note", "nope", "",      "NAME"};
  const std::vector<std::string> values = {"null",
                                           "true",
                                           "false",
                                           "0",
                                           "-1",
                                           "18446744073709551615",
                                           "1e308",
                                           "-0.0",
                                           "1.5",
                                           "\"\"",
                                           "\"x\"",
                                           "\"2026-11-25\"",
                                           "\"AP8Q\"",
                                           "\"9.99\"",
                                           "[]",
                                           "{}",
                                           "\"\\u00ff\"",
                                           "123456789012345678901234567890",
                                           "\"0000-00-00\"",
                                           "\"a very very long string\""};
  std::mt19937_64 rng(2026);
  int accepted = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string json = "{";
    int n = static_cast<int>(rng() % 5);
    for (int k = 0; k < n; ++k) {
      json += (k ? "," : "") + std::string("\"") + keys[rng() % keys.size()] +
              "\":" + values[rng() % values.size()];
    }
    json += "}";
    if (rng() % 10 == 0) json.erase(rng() % json.size(), 1);  // sometimes broken JSON
    try {
      Record r = item.from_json(json);
      ++accepted;
      EXPECT_NO_THROW(item.from_json(r.to_json())) << json;
    } catch (const Error&) {
      // ValidationError, ValueError or Error: all documented.
    }
  }
  EXPECT_GT(accepted, 100);
}

}  // namespace
}  // namespace tabula

// Automap against the real MariaDB: every table of the samples maps, and every validation rule
// refuses bad values with a message naming table, column and value, before any SQL is sent.

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>

#include "test_server.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>

namespace tabula {
namespace {

using namespace std::chrono;

void expect_refused(const std::function<void()>& action, const std::string& fragment,
                    const std::string& column = "") {
  try {
    action();
    ADD_FAILURE() << "accepted; expected: " << fragment;
  } catch (const ValidationError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    if (!column.empty()) {
      EXPECT_EQ(e.column(), column) << e.what();
    }
  }
}

TEST(AutomapMysqlTest, EveryTableOfEverySampleMaps) {
  for (const char* database : {"sakila", "employees", "Chinook", "wordpress", "wide_200"}) {
    Engine engine(test::server_url().with_database(database));
    Models models = automap(engine);
    EXPECT_EQ(models.size(), models.schema().tables.size()) << database;
    for (const Model& model : models) {
      Record empty = model.make();
      EXPECT_EQ(&empty.model(), &model);
      EXPECT_EQ(model.read_only(), model.table().kind == TableKind::view) << model.name();
    }
  }
}

TEST(AutomapMysqlTest, UnknownTableSuggestsTheClosest) {
  Engine engine(test::server_url().with_database("sakila"));
  Models models = automap(engine);
  try {
    (void)models.at("flim");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown table 'flim' in sakila (closest: 'film'"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(models.find("nope"), nullptr);
}

TEST(AutomapMysqlTest, ValidationRulesNameTableColumnAndValue) {
  Engine engine(test::server_url().with_database("sakila"));
  Models models = automap(engine);
  const Model& film = models.at("film");
  expect_refused(
      [&] {
        film.make({{"titel", "X"}});
      },
      "unknown column 'titel' in table film (closest: 'title'", "titel");
  expect_refused([&] { film.make({{"title", 42}}); }, "film.title: expected text, got int64 42");
  expect_refused(
      [&] {
        film.make({{"title", std::string(129, 'x')}});
      },
      "text of 129 characters is longer than varchar(128) allows (128)");
  EXPECT_NO_THROW(film.make({{"title", std::string(128, 'x')}}));
  expect_refused(
      [&] {
        film.make({{"rental_duration", 256}});
      },
      "film.rental_duration: value 256 is out of range for tinyint(3) unsigned (0..255)");
  expect_refused([&] { film.make({{"rental_duration", -1}}); }, "out of range");
  expect_refused(
      [&] {
        film.make({{"rating", "XXX"}});
      },
      "'XXX' is not a member of enum('G','PG','PG-13','R','NC-17')");
  expect_refused(
      [&] {
        film.make({{"special_features", "Trailers,Bloopers"}});
      },
      "'Bloopers' is not a member of set(");
  EXPECT_NO_THROW(film.make({{"special_features", "Trailers,Commentaries"}}));
  expect_refused(
      [&] {
        film.make({{"rental_rate", 19.99}});
      },
      "the double 19.989999999999998 would not be exact in decimal(4,2)");
  expect_refused(
      [&] {
        film.make({{"rental_rate", Decimal("123.45")}});
      },
      "too many digits for decimal(4,2)");
  expect_refused(
      [&] {
        film.make({{"rental_rate", Decimal("1.999")}});
      },
      "more than 2 decimal places");
  EXPECT_EQ(film.make({{"rental_rate", "4.99"}}).get<Decimal>("rental_rate").str(), "4.99");
  expect_refused(
      [&] {
        film.make({{"title", nullptr}});
      },
      "film.title: NULL into a NOT NULL column");
  EXPECT_NO_THROW(film.make({{"film_id", nullptr}})) << "auto-increment: NULL means 'assign one'";
  expect_refused([&] { film.make({{"release_year", 1800}}); }, "year 1800 is out of range");
  expect_refused(
      [&] {
        film.make({{"last_update", "yesterday"}});
      },
      "'yesterday' is not YYYY-MM-DD hh:mm:ss[.ffffff]");
  Record ok = film.make({{"last_update", "2026-11-25 12:30:00.25"}});
  EXPECT_EQ(ok.get<DateTime>("last_update").time_of_day,
            hours{12} + minutes{30} + milliseconds{250});
  expect_refused([&] { film.make({{"title", std::string("\xff\xfe")}}); }, "not valid UTF-8");

  Record partial = film.make({{"title", "ALIEN CENTER"}});
  expect_refused([&] { partial.check_insertable(); },
                 "film.language_id: NOT NULL without a default, and no value was given",
                 "language_id");
  partial.set("language_id", 1);
  EXPECT_NO_THROW(partial.check_insertable());
  expect_refused([&] { models.at("film_list").make().check_insertable(); }, "is a view");

  Record before = film.make({{"title", "KEEP"}});
  EXPECT_THROW(before.set("title", 7), ValidationError);
  EXPECT_EQ(before.get<std::string>("title"), "KEEP")
      << "a refused set leaves the record unchanged";
}

TEST(AutomapMysqlTest, GeneratedColumnsCannotBeWritten) {
  test::ScratchDatabase db("automap_generated");
  Engine engine(db.url());
  engine.execute(
      "CREATE TABLE g (a INT, b INT AS (a * 2) VIRTUAL, c BIT(3), d BIGINT UNSIGNED, "
      "e BINARY(2), f TIME, j JSON)");
  Models models = automap(engine);
  const Model& g = models.at("g");
  expect_refused([&] { g.make({{"b", 4}}); }, "g.b: is a generated column (virtual)");
  expect_refused([&] { g.make({{"c", 8}}); }, "value 8 does not fit bit(3) (0..7)");
  EXPECT_NO_THROW(g.make({{"c", 7}}));
  EXPECT_EQ(g.make({{"d", std::numeric_limits<std::uint64_t>::max()}}).get<std::uint64_t>("d"),
            std::numeric_limits<std::uint64_t>::max());
  expect_refused([&] { g.make({{"e", Bytes(3)}}); }, "3 bytes are more than binary(2) holds");
  EXPECT_EQ(g.make({{"f", "-838:59:59"}}).get<Time>("f").value,
            -(hours{838} + minutes{59} + seconds{59}));
  EXPECT_NO_THROW(g.make({{"j", R"({"a": 1})"}}));
}

TEST(AutomapMysqlTest, JsonRoundTripsEveryKindOfValue) {
  test::ScratchDatabase db("automap_json");
  Engine engine(db.url());
  engine.execute(
      "CREATE TABLE k (id BIGINT UNSIGNED PRIMARY KEY, big BIGINT, price DECIMAL(65,30), "
      "ratio DOUBLE, name VARCHAR(20), raw VARBINARY(8), day DATE, at DATETIME(6), span TIME, "
      "flag TINYINT(1), note TEXT NULL)");
  Models models = automap(engine);
  const Model& model = models.at("k");
  Record r = model.make(
      {{"id", std::numeric_limits<std::uint64_t>::max()},
       {"big", std::numeric_limits<std::int64_t>::min()},
       {"price", Decimal("12345678901234567890123456789012345.123456789012345678901234567890")},
       {"ratio", 0.1},
       {"name", "naïve \"q\""},
       {"raw", Bytes{std::byte{0}, std::byte{0xff}, std::byte{0x10}}},
       {"day", "0000-00-00"},
       {"at", "2026-11-25 23:59:59.999999"},
       {"span", "-12:00:01.5"},
       {"flag", true},
       {"note", nullptr}});
  std::string json = r.to_json();
  EXPECT_NE(json.find("\"id\":\"18446744073709551615\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"big\":\"-9223372036854775808\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"price\":\"12345678901234567890123456789012345.1234567890"),
            std::string::npos);
  EXPECT_NE(json.find("\"raw\":\"AP8Q\""), std::string::npos) << json;
  Record back = model.from_json(json);
  for (const Column& c : model.table().columns) {
    EXPECT_EQ(back.get(c.name), r.get(c.name)) << c.name << ": " << r.get(c.name).to_string()
                                               << " came back as " << back.get(c.name).to_string();
  }
  EXPECT_EQ(back.to_json(), json);
  EXPECT_EQ(model.from_json(R"({"price": 1.5, "ratio": 2})").get<Decimal>("price").str(), "1.5");
  expect_refused([&] { model.from_json(R"({"nmae": "x"})"); }, "unknown column 'nmae'");
  EXPECT_THROW(model.from_json("[1, 2]"), Error);
  EXPECT_THROW(model.from_json(R"({"name": {"nested": 1}})"), Error);
  expect_refused([&] { model.from_json(R"({"raw": "not base64!"})"); }, "base64");
}

// A value every column of this type accepts, chosen to exercise exactness (the widest decimal,
// the extremes of 64-bit integers, a non-ASCII character, fractional seconds).
std::optional<Value> sample_value(const Column& c) {
  const std::string& t = c.data_type;
  if (c.generated != Generated::none) return std::nullopt;
  if (t == "bigint") {
    return c.is_unsigned ? Value(std::numeric_limits<std::uint64_t>::max())
                         : Value(std::numeric_limits<std::int64_t>::min());
  }
  if (t == "tinyint" || t == "smallint" || t == "mediumint" || t == "int" || t == "bit") return 1;
  if (t == "year") return 2026;
  if (t == "decimal") {
    int p = c.precision.value_or(10), sc = c.scale.value_or(0);
    std::string digits(static_cast<std::size_t>(p - sc), '9');
    if (digits.empty()) digits = "0";
    if (sc > 0) digits += "." + std::string(static_cast<std::size_t>(sc), '1');
    return Decimal("-" + digits);
  }
  if (t == "float" || t == "double") return 0.5;
  if (t == "char" || t == "varchar" || t.find("text") != std::string::npos) return "é";
  if (t == "binary" || t == "varbinary" || t.find("blob") != std::string::npos) {
    return Bytes{std::byte{0xff}};
  }
  if (t == "enum" || t == "set") return c.members.front();
  if (t == "date") return "2026-11-25";
  if (t == "datetime" || t == "timestamp") {
    return c.datetime_precision.value_or(0) > 0 ? "2026-11-25 12:34:56.5" : "2026-11-25 12:34:56";
  }
  if (t == "time") return "-01:02:03";
  return std::nullopt;  // geometry and other types not mapped yet
}

TEST(AutomapMysqlTest, EveryColumnTypeOfTheSamplesRoundTripsThroughJson) {
  std::set<std::string> types;
  for (const char* database : {"sakila", "employees", "Chinook", "wordpress", "wide_200"}) {
    Engine engine(test::server_url().with_database(database));
    Models models = automap(engine);
    for (const Model& model : models) {
      if (model.read_only()) continue;
      std::vector<std::pair<std::string, Value>> values;
      for (const Column& c : model.table().columns) {
        if (auto v = sample_value(c)) {
          values.emplace_back(c.name, *v);
          types.insert(c.column_type);
        }
      }
      SCOPED_TRACE(std::string(database) + "." + model.name());
      Record r = model.make(values);
      Record back = model.from_json(r.to_json());
      for (const auto& [column, value] : values) {
        EXPECT_EQ(back.get(column), r.get(column)) << column;
      }
    }
  }
  EXPECT_GT(types.size(), 40u) << "many distinct column types were exercised";
}

std::vector<std::string> relationship_names(const Model& model) {
  std::vector<std::string> names;
  for (const Relationship& r : model.relationships()) names.push_back(r.name);
  std::sort(names.begin(), names.end());
  return names;
}

TEST(AutomapMysqlTest, RelationshipsFollowAutomapNaming) {
  Engine engine(test::server_url().with_database("sakila"));
  Models models = automap(engine);
  const Model& address = models.at("address");
  const Relationship& city = address.relationship("city");
  EXPECT_EQ(city.kind, Relationship::Kind::many_to_one);
  EXPECT_EQ(city.target, "city");
  EXPECT_EQ(city.columns, std::vector<std::string>{"city_id"});
  EXPECT_EQ(city.target_columns, std::vector<std::string>{"city_id"});
  const Relationship& addresses = models.at("city").relationship("address_collection");
  EXPECT_EQ(addresses.kind, Relationship::Kind::one_to_many);
  EXPECT_EQ(addresses.target, "address");
  // film refers to language twice: both names carry their column.
  EXPECT_EQ(relationship_names(models.at("film")),
            (std::vector<std::string>{"film_actor_collection", "film_category_collection",
                                      "inventory_collection", "language_by_language_id",
                                      "language_by_original_language_id"}));
  EXPECT_EQ(relationship_names(models.at("language")),
            (std::vector<std::string>{"film_collection_by_language_id",
                                      "film_collection_by_original_language_id"}));
  try {
    (void)address.relationship("cty");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("closest: 'city'"), std::string::npos) << e.what();
  }
}

TEST(AutomapMysqlTest, SelfReferencingAndCompositeRelationships) {
  Engine engine(test::server_url().with_database("Chinook"));
  Models models = automap(engine);
  const Model& employee = models.at("Employee");
  const Relationship& boss = employee.relationship("Employee");
  EXPECT_EQ(boss.kind, Relationship::Kind::many_to_one);
  EXPECT_EQ(boss.columns, std::vector<std::string>{"ReportsTo"});
  EXPECT_EQ(employee.relationship("Employee_collection").kind, Relationship::Kind::one_to_many);
  test::ScratchDatabase db("automap_composite");
  Engine scratch(db.url());
  scratch.execute("CREATE TABLE parent (a INT, b INT, parent INT, PRIMARY KEY (a, b))");
  scratch.execute(
      "CREATE TABLE child (id INT PRIMARY KEY, pa INT, pb INT, "
      "FOREIGN KEY (pa, pb) REFERENCES parent (a, b))");
  Models composite = automap(scratch);
  const Relationship& up = composite.at("child").relationship("parent");
  EXPECT_EQ(up.columns, (std::vector<std::string>{"pa", "pb"}));
  EXPECT_EQ(up.target_columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(composite.at("parent").relationship("child_collection").target_columns,
            (std::vector<std::string>{"pa", "pb"}));
}

TEST(AutomapMysqlTest, NameClashWithAColumnIsResolvedPredictably) {
  test::ScratchDatabase db("automap_clash");
  Engine engine(db.url());
  engine.execute("CREATE TABLE owner (id INT PRIMARY KEY)");
  engine.execute(
      "CREATE TABLE pet (id INT PRIMARY KEY, owner INT, "
      "FOREIGN KEY (owner) REFERENCES owner (id))");
  Models models = automap(engine);
  EXPECT_EQ(relationship_names(models.at("pet")), std::vector<std::string>{"owner_by_owner"})
      << "the column 'owner' keeps its name";
}

}  // namespace
}  // namespace tabula

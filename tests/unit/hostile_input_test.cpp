// Hostile input (#18): the nine findings of the first fuzzing run, each pinned through the public
// API. tests/fuzz/ holds the fuzz targets that found them and one regression input per finding.
// No server needed: MySQL columns come from the committed Sakila snapshot or a schema built here.

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/session.hpp>
#include <tabula/snapshot.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace tabula {
namespace {

using namespace std::chrono_literals;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Models sakila() {
  return Models(schema_from_json(read_file(TABULA_TEST_DATA "/snapshots/sakila.json")));
}

Column column(std::string name, std::string data_type, std::string column_type, int ordinal) {
  Column c;
  c.name = std::move(name);
  c.ordinal = ordinal;
  c.data_type = std::move(data_type);
  c.column_type = std::move(column_type);
  return c;
}

// A MySQL table `t` with a column of each kind the findings touch.
Schema mysql_schema() {
  Table t;
  t.name = "t";
  t.columns.push_back(column("id", "int", "int(11)", 1));
  t.columns.back().nullable = false;
  t.columns.push_back(column("at", "datetime", "datetime", 2));
  t.columns.push_back(column("span", "time", "time", 3));
  t.columns.push_back(column("flags", "bit", "bit(3)", 4));
  t.columns.back().precision = 3;
  t.columns.push_back(column("ratio", "double", "double", 5));
  t.columns.push_back(column("name", "varchar", "varchar(20)", 6));
  t.columns.back().max_length = 20;
  t.primary_key = {"id"};
  Schema schema;
  schema.name = "db";
  schema.tables.push_back(std::move(t));
  return schema;
}

// A snapshot with two tables, `child` referring to `parent`, for the snapshot findings.
Schema two_tables() {
  Schema schema = mysql_schema();
  Table child;
  child.name = "u";
  child.columns.push_back(column("id", "int", "int(11)", 1));
  child.columns.push_back(column("t_id", "int", "int(11)", 2));
  child.primary_key = {"id"};
  ForeignKey fk;
  fk.name = "u_t";
  fk.columns = {"t_id"};
  fk.referenced_table = "t";
  fk.referenced_columns = {"id"};
  child.foreign_keys.push_back(fk);
  schema.tables.push_back(std::move(child));
  return schema;
}

// The message of the tabula::Error `f` throws; fails the test when it throws anything else or
// nothing.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "a foreign exception: " << e.what();
    return {};
  }
  ADD_FAILURE() << "no error";
  return {};
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// 1. A subnormal JSON number made std::stod throw std::out_of_range.
TEST(HostileInputTest, SubnormalJsonNumberIsADoubleOrAValidationError) {
  Models models = sakila();
  std::string message = error_of([&] { models.at("actor").from_json(R"({"actor_id":1e-320})"); });
  EXPECT_NE(message.find("actor.actor_id: expected an integer"), std::string::npos) << message;

  Models mysql(mysql_schema());
  Record r = mysql.at("t").from_json(R"({"ratio":1e-320})");
  EXPECT_GT(r.get<double>("ratio"), 0.0);
  EXPECT_EQ(mysql.at("t").from_json(r.to_json()).get<double>("ratio"), r.get<double>("ratio"));
}

// 2. "0:-1:00" was read as minus one minute: the number parser took a sign.
TEST(HostileInputTest, DateAndTimePartsRefuseASign) {
  Models models = sakila();
  const Model& rental = models.at("rental");
  for (const char* text : {"2005-05-24 0:-1:00", "2024-02-29 -3:59:59", "2005-05-24 00:00:-1",
                           "-005-05-24 00:00:00", "2005--5-24", "2005-05-+4"}) {
    std::string json = std::string(R"({"rental_date":")") + text + "\"}";
    std::string message = error_of([&] { rental.from_json(json); });
    EXPECT_NE(message.find("rental.rental_date: '"), std::string::npos) << message;
  }
  Models mysql(mysql_schema());
  EXPECT_THROW(mysql.at("t").make({{"span", "1:-1:00"}}), ValidationError);
  EXPECT_EQ(mysql.at("t").make({{"span", "-1:01:00"}}).get<Time>("span").value, -61min);
  // A DateTime given as a value must be a time of day too.
  EXPECT_THROW(mysql.at("t").make({{"at", DateTime{{}, -1min}}}), ValidationError);
  EXPECT_THROW(mysql.at("t").make({{"at", DateTime{{}, 24h}}}), ValidationError);
}

// 3. A SQLite column without a declared type took text as bytes and base64 grew it each trip.
TEST(HostileInputTest, UntypedSqliteColumnKeepsTextAsText) {
  Engine engine("sqlite://:memory:");
  engine.execute("CREATE TABLE u (id INTEGER PRIMARY KEY, untyped)");
  const Model& u = engine.models().at("u");
  Record r = u.from_json(R"({"untyped":"2"})");
  EXPECT_EQ(r.to_json(), R"({"untyped":"2"})");
  EXPECT_EQ(u.from_json(r.to_json()).to_json(), R"({"untyped":"2"})");
  // Numbers stay numbers, and so do integers beyond 2^53 (JSON carries those as text).
  EXPECT_EQ(u.from_json(R"({"untyped":1.5})").to_json(), R"({"untyped":1.5})");
  Record big = u.from_json(R"({"untyped":9007199254740993})");
  EXPECT_EQ(u.from_json(big.to_json()).get("untyped"), big.get("untyped"));

  // Through the database: read back as text, and bytes that are not UTF-8 as bytes.
  EXPECT_EQ(engine.insert("u", R"({"untyped":"2"})"), R"({"id":1,"untyped":"2"})");
  Session session = engine.session();
  Record* row = session.query("u").first();
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->to_json(), R"({"id":1,"untyped":"2"})");
  session.execute("INSERT INTO u (id, untyped) VALUES (2, x'ff00')");
  Record* blob = session.get("u", 2);
  ASSERT_NE(blob, nullptr);
  EXPECT_EQ(blob->get("untyped"), Value(Bytes{std::byte{0xff}, std::byte{0}}));
}

// 4. MySQL's TIME spans -838:59:59 .. 838:59:59.
TEST(HostileInputTest, TimeBeyond838HoursIsRefused) {
  Models models(mysql_schema());
  const Model& t = models.at("t");
  EXPECT_EQ(t.make({{"span", "838:59:59"}}).get<Time>("span").value, 838h + 59min + 59s);
  EXPECT_EQ(t.make({{"span", "-838:59:59"}}).get<Time>("span").value, -(838h + 59min + 59s));
  for (const char* text : {"883:59:59", "839:00:00", "-839:00:00", "838:59:59.000001"}) {
    std::string message = error_of([&] { t.make({{"span", text}}); });
    EXPECT_NE(message.find("t.span:"), std::string::npos) << message;
    EXPECT_NE(message.find("838:59:59"), std::string::npos) << message;
  }
  EXPECT_THROW(t.make({{"span", Time{839h}}}), ValidationError);
}

// 5. A double converted to int overflowed (undefined behaviour) for "version": 1e10 and the like.
TEST(HostileInputTest, SnapshotNumbersOutOfRangeAreRefusedWithTheirPath) {
  Schema schema = two_tables();
  schema.tables[0].columns[1].ordinal = 777;
  schema.tables[0].columns[2].datetime_precision = 5;
  schema.tables[0].indexes.push_back(Index{"i", IndexKind::plain, {IndexColumn{"name", 9, false}}});
  std::string json = to_json(schema);
  ASSERT_EQ(schema_from_json(json), schema);
  struct Case {
    std::string from, to, message;
  };
  for (const Case& c : std::vector<Case>{
           {R"("version": 1,)", R"("version": 1e10,)", "version: expected an integer"},
           {R"("version": 1,)", R"("version": 1.0,)", "version: expected an integer"},
           {R"("version": 1,)", R"("version": 2,)", "version 2 is not supported"},
           {R"("ordinal": 777)", R"("ordinal": 1e10)", "tables[0].columns[1].ordinal: expected"},
           {R"("ordinal": 777)", R"("ordinal": 2147483648)", "tables[0].columns[1].ordinal"},
           {R"("ordinal": 777)", R"("ordinal": -1)", "tables[0].columns[1].ordinal"},
           {R"("datetime_precision": 5)", R"("datetime_precision": 7)",
            "tables[0].columns[2].datetime_precision"},
           {R"("prefix_length": 9)", R"("prefix_length": 1e300)",
            "tables[0].indexes[0].columns[0].prefix_length"},
           {R"("precision": 3)", R"("precision": 2147483648)", "tables[0].columns[3].precision"},
           {R"("unsigned": false)", R"("unsigned": 0)", "tables[0].columns[0].unsigned: expected"},
           {R"("tables": [)", R"("tables": 7, "x": [)", "tables: expected an array"},
       }) {
    std::string message = error_of([&] { schema_from_json(replace(json, c.from, c.to)); });
    EXPECT_EQ(message.rfind("invalid schema snapshot: ", 0), 0u) << message;
    EXPECT_NE(message.find(c.message), std::string::npos) << c.to << " gave: " << message;
  }
}

// 6. A foreign key without columns: front() of an empty list in Models(schema).
TEST(HostileInputTest, ForeignKeyWithoutColumnsIsRefused) {
  Schema schema = two_tables();
  schema.tables[1].foreign_keys[0].columns.clear();
  std::string message = error_of([&] { schema_from_json(to_json(schema)); });
  EXPECT_NE(message.find("tables[1].foreign_keys[0].columns"), std::string::npos) << message;
  // A Schema made in code reaches Models without the snapshot reader.
  message = error_of([&] { Models{schema}; });
  EXPECT_NE(message.find("foreign key u_t of u"), std::string::npos) << message;

  schema.tables[1].foreign_keys[0].columns = {"t_id", "id"};  // two columns, one referenced
  message = error_of([&] { schema_from_json(to_json(schema)); });
  EXPECT_NE(message.find("tables[1].foreign_keys[0].referenced_columns"), std::string::npos)
      << message;
  message = error_of([&] { Models{schema}; });
  EXPECT_NE(message.find("foreign key u_t of u"), std::string::npos) << message;

  schema.tables[1].foreign_keys[0].columns = {"nope"};
  message = error_of([&] { schema_from_json(to_json(schema)); });
  EXPECT_NE(message.find("tables[1].foreign_keys[0].columns[0]: no column 'nope' in u"),
            std::string::npos)
      << message;
}

// 7. A bit column of precision -1 shifted by a negative amount.
TEST(HostileInputTest, BitWidthOutOfRangeIsRefused) {
  Schema schema = mysql_schema();
  schema.tables[0].columns[3].precision = -1;
  std::string message = error_of([&] { schema_from_json(to_json(schema)); });
  EXPECT_NE(message.find("tables[0].columns[3].precision"), std::string::npos) << message;
  schema.tables[0].columns[3].precision = 65;
  message = error_of([&] { schema_from_json(to_json(schema)); });
  EXPECT_NE(message.find("tables[0].columns[3].precision: a bit width is 1..64"), std::string::npos)
      << message;
  // A Schema made in code: admit refuses rather than shift.
  for (int width : {-1, 0, 65, 1000}) {
    schema.tables[0].columns[3].precision = width;
    Models models(schema);
    message = error_of([&] { models.at("t").make({{"flags", 1}}); });
    EXPECT_NE(message.find("t.flags: "), std::string::npos) << message;
  }
}

// 8. Duplicate table names sorted unstably, so the snapshot did not round-trip.
TEST(HostileInputTest, DuplicateNamesInASnapshotAreRefused) {
  Schema schema = two_tables();
  schema.tables[1].name = "t";
  std::string message = error_of([&] { schema_from_json(to_json(schema)); });
  EXPECT_NE(message.find("tables[1].name: table 't' appears twice"), std::string::npos) << message;
  schema = two_tables();
  schema.tables[0].columns[2].name = "id";
  message = error_of([&] { schema_from_json(to_json(schema)); });
  EXPECT_NE(message.find("tables[0].columns[2].name: column 'id' appears twice"), std::string::npos)
      << message;
}

// 9. Overlong UTF-8 was admitted, then to_json threw nlohmann's type_error 316.
TEST(HostileInputTest, TextMustBeStrictUtf8AndToJsonThrowsOnlyTabulaErrors) {
  Models models(mysql_schema());
  const Model& t = models.at("t");
  for (const char* bad :
       {"\xC0\x80x", "\xC1\xBF", "\xE0\x80\x80", "\xED\xA0\x80", "\xF0\x80\x80\x80",
        "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\xE2\x82", "\x80"}) {
    std::string message = error_of([&] { t.make({{"name", bad}}); });
    EXPECT_NE(message.find("t.name: the text is not valid UTF-8"), std::string::npos) << message;
    Record r = t.make();
    EXPECT_THROW(r.set("name", bad), ValidationError);
  }
  for (const char* good :
       {"x", "\xC2\x80", "\xE2\x82\xAC", "\xED\x9F\xBF", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF"}) {
    EXPECT_NO_THROW(t.make({{"name", good}})) << good;
  }

  // Text the database holds is what it is; to_json names the column instead of failing inside
  // the JSON library.
  Engine engine("sqlite://:memory:");
  engine.execute("CREATE TABLE n (id INTEGER PRIMARY KEY, note TEXT)");
  engine.execute("INSERT INTO n VALUES (1, CAST(x'c08078' AS TEXT))");
  Session session = engine.session();
  Record* row = session.get("n", 1);
  ASSERT_NE(row, nullptr);
  std::string message = error_of([&] { (void)row->to_json(); });
  EXPECT_NE(message.find("n.note: the text is not valid UTF-8"), std::string::npos) << message;
}

}  // namespace
}  // namespace tabula

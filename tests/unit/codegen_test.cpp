// tabula-gen's core on SQLite schemas made for the purpose: names that are not C++ names, type
// mapping, byte-identical output, and the drift check catching each kind of change.

#include "generate.hpp"
#include "naming.hpp"

#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/reflect.hpp>
#include <tabula/snapshot.hpp>

#include <gtest/gtest.h>

namespace tabula::codegen {
namespace {

Schema reflect_sqlite(const std::vector<std::string>& ddl) {
  Engine engine("sqlite://:memory:", {.max_connections = 1});
  for (const std::string& statement : ddl) engine.execute(statement);
  return reflect(engine);
}

GenerateOptions in(std::string name_space, std::vector<std::string> tables = {}) {
  GenerateOptions options;
  options.name_space = std::move(name_space);
  options.tables = std::move(tables);
  return options;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(CodegenNaming, EverySqlNameBecomesAValidStableCppName) {
  EXPECT_EQ(identifier("title", "c"), "title");
  EXPECT_EQ(identifier("class", "c"), "class_");
  EXPECT_EQ(identifier("2nd line", "c"), "c2nd_line");
  EXPECT_EQ(identifier("order-items", "c"), "order_items");
  EXPECT_EQ(identifier("na\xc3\xafve", "c"), "na_xve");  // two bytes, then "__" is reserved
  EXPECT_EQ(identifier("_Upper", "c"), "x_Upper");
  EXPECT_EQ(identifier("", "c"), "c");
  EXPECT_EQ(type_name("film_actor"), "FilmActor");
  EXPECT_EQ(type_name("2024 sales"), "T2024Sales");
  EXPECT_EQ(type_name("caf\xc3\xa9"), "CafXX");
  NameSet names;
  EXPECT_EQ(names.take("a_b"), "a_b");
  EXPECT_EQ(names.take("a_b"), "a_b_2");
  EXPECT_EQ(names.take("a_b"), "a_b_3");
}

TEST(CodegenHeader, HostileNamesTypesAndKeysAreMappedAndTheOutputIsStable) {
  Schema schema = reflect_sqlite({
      "CREATE TABLE \"order\" (id INTEGER PRIMARY KEY AUTOINCREMENT, \"class\" TEXT NOT NULL, "
      "\"2nd\" REAL, \"a-b\" INT, \"a_b\" INT, price NUMERIC(8,2), made DATETIME, data BLOB, "
      "\"Order\" TEXT)",
      "CREATE TABLE pair (a INT NOT NULL, b INT NOT NULL, PRIMARY KEY (b, a))",
  });
  std::string header = generate_header(schema, in("shop::db"));
  EXPECT_EQ(header, generate_header(schema, in("shop::db"))) << "byte-identical";
  EXPECT_FALSE(contains(header, "20")) << "no timestamp or year anywhere... except types";
  EXPECT_TRUE(contains(header, "struct Order {"));
  EXPECT_TRUE(contains(header, "std::int64_t id{};"));
  EXPECT_TRUE(contains(header, "std::string class_{};"));
  EXPECT_TRUE(contains(header, "std::optional<double> c2nd{};"));
  EXPECT_TRUE(contains(header, "std::optional<std::int64_t> a_b{};"));
  EXPECT_TRUE(contains(header, "std::optional<std::int64_t> a_b_2{};")) << "two SQL names, one C++";
  EXPECT_TRUE(contains(header, "std::optional<tabula::Decimal> price{};"));
  EXPECT_TRUE(contains(header, "std::optional<tabula::DateTime> made{};"));
  EXPECT_TRUE(contains(header, "std::optional<tabula::Bytes> data{};"));
  EXPECT_TRUE(contains(header, "std::optional<std::string> Order_2{};"))
      << "a member cannot be named like its struct";
  EXPECT_TRUE(contains(header, "static constexpr std::string_view name = \"order\";"));
  EXPECT_TRUE(contains(header, "columns{\"id\", \"class\", \"2nd\", \"a-b\", \"a_b\""))
      << "the traits keep the exact SQL names";
  EXPECT_TRUE(contains(header, "primary_key{1, 0};")) << "key order, as field indexes";
  EXPECT_TRUE(contains(header, "auto_increment = 0;"));
  EXPECT_TRUE(contains(header, "namespace shop::db {"));
  EXPECT_TRUE(contains(header, "// Schema fingerprint: " + fingerprint(schema)));
  EXPECT_THROW(generate_header(schema, in("bad name")), Error);
  try {
    generate_header(schema, in("m", {"ordr"}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "unknown table 'ordr'")) << e.what();
  }
  std::string one = generate_header(schema, in("m", {"pair"}));
  EXPECT_FALSE(contains(one, "struct Order"));
  EXPECT_EQ(options_of_header(one).tables, std::vector<std::string>{"pair"});
  EXPECT_EQ(options_of_header(one).name_space, "m");
  EXPECT_THROW(options_of_header("#pragma once\n"), Error);
}

TEST(CodegenCheck, TheDriftCheckNamesWhatChanged) {
  std::vector<std::string> base = {
      "CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL, born DATE)",
      "CREATE TABLE invoice (id INTEGER PRIMARY KEY, customer_id INT, total NUMERIC(8,2))",
  };
  std::string header = generate_header(reflect_sqlite(base), in("m"));
  EXPECT_EQ(describe_difference(header, generate_header(reflect_sqlite(base), in("m"))), "");

  auto drift = [&](std::vector<std::string> ddl) {
    return describe_difference(header, generate_header(reflect_sqlite(ddl), in("m")));
  };
  std::string added = drift({base[0],
                             "CREATE TABLE invoice (id INTEGER PRIMARY KEY, customer_id "
                             "INT, total NUMERIC(8,2), paid INT)"});
  EXPECT_TRUE(contains(added, "table invoice:")) << added;
  EXPECT_TRUE(contains(added, "+ std::optional<std::int64_t> paid{};")) << added;

  std::string dropped =
      drift({"CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL)", base[1]});
  EXPECT_TRUE(contains(dropped, "table customer:")) << dropped;
  EXPECT_TRUE(contains(dropped, "- std::optional<tabula::Date> born{};")) << dropped;

  std::string retyped = drift(
      {"CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL, born TEXT)", base[1]});
  EXPECT_TRUE(contains(retyped, "- std::optional<tabula::Date> born{};  // born DATE")) << retyped;
  EXPECT_TRUE(contains(retyped, "+ std::optional<std::string> born{};  // born TEXT")) << retyped;

  std::string renamed = drift({base[0],
                               "CREATE TABLE bill (id INTEGER PRIMARY KEY, customer_id "
                               "INT, total NUMERIC(8,2))"});
  EXPECT_TRUE(contains(renamed, "table invoice: in the header, no longer in the database"))
      << renamed;
  EXPECT_TRUE(contains(renamed, "table bill: in the database, not in the header")) << renamed;
}

// ON UPDATE is part of the schema the header was made from (#14): adding it to a column is drift,
// and a snapshot keeps it.
TEST(CodegenCheck, AnOnUpdateClauseIsDriftAndSurvivesASnapshot) {
  Schema schema = reflect_sqlite(
      {"CREATE TABLE item (id INTEGER PRIMARY KEY, changed TEXT NOT NULL DEFAULT '')"});
  std::string header = generate_header(schema, in("m"));
  Schema changed = schema;
  changed.tables[0].columns[1].on_update = "current_timestamp()";
  std::string difference = describe_difference(header, generate_header(changed, in("m")));
  EXPECT_TRUE(contains(difference, "table item:")) << difference;
  EXPECT_TRUE(contains(difference, "ON UPDATE current_timestamp()")) << difference;
  EXPECT_NE(fingerprint(changed), fingerprint(schema));
  EXPECT_EQ(schema_from_json(to_json(changed)), changed);
  // Schemas without such clauses keep the fingerprint they had: the field is written only when
  // set.
  EXPECT_EQ(to_json(schema).find("on_update"), std::string::npos);
}

TEST(CodegenSnapshot, ABadSnapshotIsAClearError) {
  try {
    schema_from_json(R"({"format": "tabula-schema", "version": 1, "dialect": "mysql"})");
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "invalid schema snapshot")) << e.what();
  }
}

}  // namespace
}  // namespace tabula::codegen

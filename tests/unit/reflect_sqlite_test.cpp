// Reflection on SQLite, the embedded default: the Chinook sample built from its SQLite script.

#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/reflect.hpp>
#include <tabula/snapshot.hpp>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace tabula {
namespace {

// Builds the Chinook database once per test binary run.
std::string chinook_url() {
  static const std::string url = [] {
    auto path = std::filesystem::temp_directory_path() /
                ("tabula-reflect-chinook-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path);
    std::ifstream in(TABULA_CHINOOK_SQLITE);
    std::stringstream script;
    script << "BEGIN;\n" << in.rdbuf() << "\nCOMMIT;\n";
    Engine engine("sqlite://" + path.string());
    Lease lease = engine.checkout();
    auto* backend = static_cast<soci::sqlite3_session_backend*>(lease->sql().get_backend());
    if (sqlite_api::sqlite3_exec(backend->conn_, script.str().c_str(), nullptr, nullptr, nullptr) !=
        0) {
      throw std::runtime_error("could not build the Chinook SQLite database");
    }
    return "sqlite://" + path.string();
  }();
  return url;
}

TEST(ReflectSqliteTest, ChinookTablesKeysAndForeignKeys) {
  Engine engine(chinook_url());
  ReflectStats stats;
  Schema schema = reflect(engine, {}, &stats);
  EXPECT_EQ(schema.dialect, Dialect::sqlite);
  EXPECT_EQ(schema.tables.size(), 11u);
  EXPECT_EQ(stats.queries, 4);
  const Table* track = schema.table("Track");
  ASSERT_NE(track, nullptr);
  EXPECT_EQ(track->primary_key, std::vector<std::string>{"TrackId"});
  EXPECT_TRUE(track->column("TrackId")->auto_increment) << "INTEGER PRIMARY KEY is the rowid";
  EXPECT_FALSE(track->column("TrackId")->nullable || track->column("Name")->nullable);
  EXPECT_EQ(track->column("Name")->data_type, "nvarchar");
  EXPECT_EQ(track->column("Name")->max_length, 200);
  EXPECT_EQ(track->column("UnitPrice")->precision, 10);
  EXPECT_EQ(track->column("UnitPrice")->scale, 2);
  EXPECT_EQ(track->column("Composer")->default_kind, DefaultKind::null);
  EXPECT_EQ(track->foreign_keys.size(), 3u);
  ASSERT_FALSE(track->indexes.empty());
  EXPECT_EQ(track->indexes.front().kind, IndexKind::primary);
  const Table* employee = schema.table("Employee");
  bool self = false;
  for (const ForeignKey& fk : employee->foreign_keys) {
    if (fk.referenced_table == "Employee") {
      self = true;
      EXPECT_EQ(fk.columns, std::vector<std::string>{"ReportsTo"});
      EXPECT_EQ(fk.referenced_columns, std::vector<std::string>{"EmployeeId"});
    }
  }
  EXPECT_TRUE(self);
  const Table* playlist_track = schema.table("PlaylistTrack");
  EXPECT_EQ(playlist_track->primary_key, (std::vector<std::string>{"PlaylistId", "TrackId"}));
}

TEST(ReflectSqliteTest, DefaultsGeneratedColumnsViewsAndIndexes) {
  Engine engine("sqlite://:memory:");
  engine.execute(
      "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'it''s', "
      "qty INT DEFAULT 3, made TEXT DEFAULT CURRENT_TIMESTAMP, "
      "twice INT GENERATED ALWAYS AS (qty * 2) VIRTUAL, "
      "parent INTEGER REFERENCES item ON DELETE CASCADE)");
  engine.execute("CREATE UNIQUE INDEX item_name ON item (name DESC)");
  engine.execute("CREATE VIEW heavy AS SELECT id, qty FROM item WHERE qty > 10");
  Schema schema = reflect(engine);
  const Table* item = schema.table("item");
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->column("name")->default_kind, DefaultKind::literal);
  EXPECT_EQ(item->column("name")->default_value, "it's");
  EXPECT_EQ(item->column("qty")->default_value, "3");
  EXPECT_EQ(item->column("made")->default_kind, DefaultKind::expression);
  EXPECT_EQ(item->column("twice")->generated, Generated::virtual_column);
  ASSERT_EQ(item->foreign_keys.size(), 1u);
  EXPECT_EQ(item->foreign_keys[0].referenced_columns, std::vector<std::string>{"id"})
      << "a foreign key naming no column refers to the parent's primary key";
  EXPECT_EQ(item->foreign_keys[0].on_delete, ReferentialAction::cascade);
  bool unique = false;
  for (const Index& index : item->indexes) {
    if (index.name == "item_name") {
      unique = index.kind == IndexKind::unique && index.columns.size() == 1 &&
               index.columns[0].descending;
    }
  }
  EXPECT_TRUE(unique);
  ASSERT_NE(schema.table("heavy"), nullptr);
  EXPECT_EQ(schema.table("heavy")->kind, TableKind::view);
  ReflectOptions no_views;
  no_views.include_views = false;
  EXPECT_EQ(reflect(engine, no_views).tables.size(), 1u);
}

TEST(ReflectSqliteTest, SnapshotRoundTrips) {
  Engine engine(chinook_url());
  Schema schema = reflect(engine);
  std::string json = to_json(schema);
  EXPECT_EQ(schema_from_json(json), schema);
  EXPECT_EQ(to_json(schema_from_json(json)), json);
}

TEST(SnapshotTest, BadSnapshotsAreClearErrors) {
  auto expect_error = [](const std::string& json, const std::string& fragment) {
    try {
      schema_from_json(json);
      ADD_FAILURE() << "accepted " << json;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).rfind("invalid schema snapshot: ", 0), 0u) << e.what();
    }
  };
  expect_error("not json at all", "parse error");
  expect_error("[]", "not a tabula schema snapshot");
  expect_error(R"({"format": "something-else"})", "not a tabula schema snapshot");
  expect_error(R"({"format": "tabula-schema", "version": 99})", "version 99 is not supported");
  expect_error(R"({"format": "tabula-schema", "version": 1, "dialect": "oracle", "name": "x",
                   "server_version": "", "tables": []})",
               "unknown dialect 'oracle'");
  expect_error(R"({"format": "tabula-schema", "version": 1, "dialect": "mysql", "name": "x",
                   "server_version": ""})",
               "tables: missing");
  expect_error(R"({"format": "tabula-schema", "version": 1, "dialect": "mysql", "name": "x",
                   "server_version": "", "tables": [{"name": 42}]})",
               "tables[0].name: expected a string, got 42");
}

}  // namespace
}  // namespace tabula

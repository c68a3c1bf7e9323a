// Reflection against the real MariaDB, with the real-world sample schemas loaded by the `samples`
// fixture (scripts/load-samples.sh). Every table of every sample is checked generically against
// what the server itself says in SHOW FULL TABLES, SHOW FULL COLUMNS, SHOW INDEX and SHOW CREATE
// TABLE; the quirks get targeted tests of their own.

#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/reflect.hpp>
#include <tabula/snapshot.hpp>

#include "detail/catalog.hpp"
#include "test_server.hpp"

#include <soci/soci.h>

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

namespace tabula {
namespace {

const std::vector<std::string> kSamples = {"wide_200",  "sakila",
                                           "employees", "employees_partitioned",
                                           "Chinook",   "Chinook_AutoIncrement",
                                           "wordpress", "wordpress_ms"};

// The result of a SHOW statement as text, row by row.
std::vector<std::vector<std::string>> show(Lease& lease, const std::string& query) {
  std::vector<std::vector<std::string>> out;
  lease->run([&](soci::session& sql) {
    soci::rowset<soci::row> rs = (sql.prepare << query);
    for (const soci::row& r : rs) {
      std::vector<std::string> fields;
      for (std::size_t i = 0; i < r.size(); ++i) {
        fields.push_back(detail::text(r, i).value_or("<NULL>"));
      }
      out.push_back(std::move(fields));
    }
  });
  return out;
}

std::string quoted(const std::string& name) {
  return "`" + name + "`";
}

void check_against_server(const std::string& database) {
  SCOPED_TRACE("database " + database);
  Engine engine(test::server_url().with_database(database));
  ReflectStats stats;
  Schema schema = reflect(engine, {}, &stats);
  Lease lease = engine.checkout();

  auto tables = show(lease, "SHOW FULL TABLES");
  ASSERT_EQ(schema.tables.size(), tables.size());
  for (const auto& t : tables) {
    const Table* table = schema.table(t[0]);
    ASSERT_NE(table, nullptr) << t[0];
    EXPECT_EQ(table->kind == TableKind::view, t[1] == "VIEW") << t[0];
  }

  for (const Table& table : schema.tables) {
    SCOPED_TRACE("table " + table.name);
    // Columns: Field, Type, Collation, Null, Key, Default, Extra, Privileges, Comment.
    auto columns = show(lease, "SHOW FULL COLUMNS FROM " + quoted(table.name));
    ASSERT_EQ(table.columns.size(), columns.size());
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const Column& c = table.columns[i];
      EXPECT_EQ(c.name, columns[i][0]);
      EXPECT_EQ(c.ordinal, static_cast<int>(i) + 1);
      EXPECT_EQ(c.column_type, columns[i][1]) << c.name;
      EXPECT_EQ(c.collation, columns[i][2] == "<NULL>" ? "" : columns[i][2]) << c.name;
      EXPECT_EQ(c.nullable, columns[i][3] == "YES") << c.name;
      EXPECT_EQ(c.auto_increment, columns[i][6].find("auto_increment") != std::string::npos)
          << c.name;
      EXPECT_EQ(c.comment, columns[i][8]) << c.name;
    }
    if (table.kind == TableKind::view) continue;

    // Indexes: Table, Non_unique, Key_name, Seq_in_index, Column_name, Collation, Cardinality,
    // Sub_part, Packed, Null, Index_type, ...
    std::map<std::string, Index> expected;
    for (const auto& r : show(lease, "SHOW INDEX FROM " + quoted(table.name))) {
      Index& index = expected[r[2]];
      index.name = r[2];
      index.kind = r[2] == "PRIMARY"     ? IndexKind::primary
                   : r[10] == "FULLTEXT" ? IndexKind::fulltext
                   : r[10] == "SPATIAL"  ? IndexKind::spatial
                   : r[1] == "0"         ? IndexKind::unique
                                         : IndexKind::plain;
      IndexColumn column;
      column.column = r[4];
      // A SPATIAL index's Sub_part (32) is an internal key length, not a prefix its DDL has:
      // SHOW CREATE TABLE writes SPATIAL KEY (`location`), and (`location`(32)) is refused.
      if (r[7] != "<NULL>" && r[10] != "SPATIAL") column.prefix_length = std::stoi(r[7]);
      column.descending = r[5] == "D";
      index.columns.push_back(column);
    }
    ASSERT_EQ(table.indexes.size(), expected.size());
    for (const Index& index : table.indexes) {
      ASSERT_TRUE(expected.count(index.name)) << index.name;
      EXPECT_EQ(index, expected[index.name]) << index.name;
    }
    std::vector<std::string> primary;
    if (expected.count("PRIMARY")) {
      for (const auto& c : expected["PRIMARY"].columns) primary.push_back(c.column);
    }
    EXPECT_EQ(table.primary_key, primary);

    // Foreign keys, from SHOW CREATE TABLE.
    auto create = show(lease, "SHOW CREATE TABLE " + quoted(table.name))[0][1];
    static const std::regex fk_pattern(
        "CONSTRAINT `([^`]+)` FOREIGN KEY \\(([^)]*)\\) REFERENCES (?:`([^`]+)`\\.)?`([^`]+)` "
        "\\(([^)]*)\\)( ON DELETE (RESTRICT|CASCADE|SET NULL|NO ACTION|SET DEFAULT))?"
        "( ON UPDATE (RESTRICT|CASCADE|SET NULL|NO ACTION|SET DEFAULT))?");
    auto split = [](std::string list) {
      std::vector<std::string> names;
      static const std::regex name("`([^`]+)`");
      for (std::sregex_iterator it(list.begin(), list.end(), name), end; it != end; ++it) {
        names.push_back((*it)[1]);
      }
      return names;
    };
    std::map<std::string, ForeignKey> fks;
    for (std::sregex_iterator it(create.begin(), create.end(), fk_pattern), end; it != end; ++it) {
      const std::smatch& m = *it;
      ForeignKey fk;
      fk.name = m[1];
      fk.columns = split(m[2]);
      fk.referenced_schema = m[3].matched ? std::string(m[3]) : database;
      fk.referenced_table = m[4];
      fk.referenced_columns = split(m[5]);
      // MariaDB leaves out the default rule (RESTRICT) in SHOW CREATE TABLE.
      fk.on_delete =
          m[7].matched ? detail::parse_action(std::string(m[7])) : ReferentialAction::restrict;
      fk.on_update =
          m[9].matched ? detail::parse_action(std::string(m[9])) : ReferentialAction::restrict;
      fks[fk.name] = fk;
    }
    ASSERT_EQ(table.foreign_keys.size(), fks.size());
    for (const ForeignKey& fk : table.foreign_keys) {
      ASSERT_TRUE(fks.count(fk.name)) << fk.name;
      EXPECT_EQ(fk, fks[fk.name]) << fk.name;
    }
  }
}

TEST(ReflectMysqlTest, EverySampleMatchesWhatTheServerSays) {
  for (const std::string& database : kSamples) check_against_server(database);
}

TEST(ReflectMysqlTest, QueryCountDoesNotGrowWithTables) {
  std::set<int> counts;
  for (const std::string& database : kSamples) {
    Engine engine(test::server_url().with_database(database));
    ReflectStats stats;
    Schema schema = reflect(engine, {}, &stats);
    EXPECT_FALSE(schema.tables.empty()) << database;
    counts.insert(stats.queries);
  }
  test::ScratchDatabase empty("reflect_empty");
  Engine engine(empty.url());
  ReflectStats stats;
  EXPECT_TRUE(reflect(engine, {}, &stats).tables.empty());
  counts.insert(stats.queries);
  EXPECT_EQ(counts.size(), 1u) << "a fixed number of catalog queries whatever the table count";
  EXPECT_LE(*counts.begin(), 8);
}

TEST(ReflectMysqlTest, WideGeneratedSchemaIsComplete) {
  Engine engine(test::server_url().with_database("wide_200"));
  Schema schema = reflect(engine);
  std::size_t tables = 0;
  for (const Table& t : schema.tables) {
    if (t.kind == TableKind::view) continue;
    ++tables;
    EXPECT_EQ(t.columns.size(), 20u) << t.name;
  }
  EXPECT_EQ(tables, 200u);
  EXPECT_EQ(schema.tables.size(), 205u) << "and 5 views";
}

TEST(ReflectMysqlTest, SakilaHasItsKnownShape) {
  Engine engine(test::server_url().with_database("sakila"));
  Schema schema = reflect(engine);
  EXPECT_EQ(schema.tables.size(), 23u) << "16 tables, 7 views";
  const Table* film = schema.table("film");
  ASSERT_NE(film, nullptr);
  EXPECT_EQ(film->primary_key, std::vector<std::string>{"film_id"});
  const Column* rating = film->column("rating");
  ASSERT_NE(rating, nullptr);
  EXPECT_EQ(rating->data_type, "enum");
  EXPECT_EQ(rating->members, (std::vector<std::string>{"G", "PG", "PG-13", "R", "NC-17"}));
  EXPECT_EQ(rating->default_kind, DefaultKind::literal);
  EXPECT_EQ(rating->default_value, "G");
  const Column* rate = film->column("rental_rate");
  EXPECT_EQ(rate->precision, 4);
  EXPECT_EQ(rate->scale, 2);
  EXPECT_EQ(rate->default_value, "4.99");
  const Column* id = film->column("film_id");
  EXPECT_TRUE(id->auto_increment);
  EXPECT_TRUE(id->is_unsigned);
  const Column* updated = film->column("last_update");
  EXPECT_EQ(updated->default_kind, DefaultKind::expression);
  EXPECT_EQ(detail::ascii_lower(updated->default_value), "current_timestamp()");
  EXPECT_EQ(film->column("original_language_id")->default_kind, DefaultKind::null);
  EXPECT_EQ(film->column("original_language_id")->default_value, "");
  EXPECT_EQ(film->column("title")->default_kind, DefaultKind::none);
  const Table* view = schema.table("film_list");
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->kind, TableKind::view);
}

TEST(ReflectMysqlTest, OptionsSelectTablesAndSkipViews) {
  Engine engine(test::server_url().with_database("wordpress"));
  ReflectOptions only;
  only.tables = {"wp_posts", "wp_users"};
  EXPECT_EQ(reflect(engine, only).tables.size(), 2u);
  ReflectOptions like;
  like.pattern = "wp\\_post%";
  EXPECT_EQ(reflect(engine, like).tables.size(), 2u) << "wp_posts, wp_postmeta";
  Engine sakila(test::server_url().with_database("sakila"));
  ReflectOptions no_views;
  no_views.include_views = false;
  EXPECT_EQ(reflect(sakila, no_views).tables.size(), 16u);
}

TEST(ReflectMysqlTest, PartitionedTablesAreMarked) {
  Engine engine(test::server_url().with_database("employees_partitioned"));
  Schema schema = reflect(engine);
  ASSERT_NE(schema.table("salaries"), nullptr);
  EXPECT_TRUE(schema.table("salaries")->partitioned);
  EXPECT_FALSE(schema.table("employees")->partitioned);
}

TEST(ReflectMysqlTest, SelfReferencingAndCompositeKeys) {
  Engine engine(test::server_url().with_database("Chinook"));
  Schema schema = reflect(engine);
  const Table* employee = schema.table("Employee");
  ASSERT_NE(employee, nullptr) << "identifiers keep their case";
  bool self = false;
  for (const ForeignKey& fk : employee->foreign_keys) {
    if (fk.referenced_table == "Employee" && fk.columns == std::vector<std::string>{"ReportsTo"}) {
      self = true;
    }
  }
  EXPECT_TRUE(self);
  const Table* playlist_track = schema.table("PlaylistTrack");
  EXPECT_EQ(playlist_track->primary_key, (std::vector<std::string>{"PlaylistId", "TrackId"}));
  Engine employees(test::server_url().with_database("employees"));
  Schema employees_schema = reflect(employees);
  const Table* dept_emp = employees_schema.table("dept_emp");
  ASSERT_NE(dept_emp, nullptr);
  EXPECT_EQ(dept_emp->primary_key, (std::vector<std::string>{"emp_no", "dept_no"}));
  for (const ForeignKey& fk : dept_emp->foreign_keys) {
    EXPECT_EQ(fk.on_delete, ReferentialAction::cascade) << fk.name;
  }
}

TEST(ReflectMysqlTest, QuirksAreReadFaithfully) {
  test::ScratchDatabase db("reflect_quirks");
  Engine engine(db.url(), {.max_connections = 1});
  {
    Lease lease = engine.checkout();
    lease->execute("SET SESSION sql_mode = ''");  // allows zero dates
    lease->execute(R"sql(
      CREATE TABLE `select` (
        `Mixed Case` INT,
        `naïve col` VARCHAR(40) DEFAULT 'it''s, "quoted"',
        flag TINYINT(1) NOT NULL DEFAULT 1,
        bits BIT(3) DEFAULT b'101',
        yr YEAR,
        doc JSON,
        big BIGINT UNSIGNED NOT NULL,
        money DECIMAL(65,30),
        zero_day DATE NOT NULL DEFAULT '0000-00-00',
        stamp DATETIME(3) DEFAULT '0000-00-00 00:00:00.000',
        mood ENUM('a''b', 'c,d', 'e\\f'),
        tags SET('x', 'y'),
        plus_one BIGINT AS (big + 1) VIRTUAL,
        doubled INT AS (`Mixed Case` * 2) STORED,
        note TEXT COMMENT 'a comment',
        CONSTRAINT positive CHECK (`Mixed Case` > 0)
      ) COMMENT 'quirky')sql");
    lease->execute("CREATE VIEW `v w` AS SELECT `Mixed Case`, big FROM `select`");
  }
  Schema schema = reflect(engine);
  const Table* t = schema.table("select");
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->primary_key.empty()) << "a table without a primary key is reflected too";
  EXPECT_EQ(t->comment, "quirky");
  ASSERT_NE(t->column("Mixed Case"), nullptr);
  const Column* naive = t->column("naïve col");
  ASSERT_NE(naive, nullptr);
  EXPECT_EQ(naive->default_kind, DefaultKind::literal);
  EXPECT_EQ(naive->default_value, "it's, \"quoted\"");
  EXPECT_EQ(naive->max_length, 40);
  EXPECT_EQ(t->column("flag")->column_type, "tinyint(1)");
  EXPECT_EQ(t->column("flag")->default_value, "1");
  EXPECT_EQ(t->column("bits")->data_type, "bit");
  EXPECT_EQ(t->column("bits")->precision, 3);
  EXPECT_EQ(t->column("bits")->default_kind, DefaultKind::literal);
  EXPECT_EQ(t->column("yr")->data_type, "year");
  // MariaDB keeps JSON as LONGTEXT guarded by a json_valid() check named after the column.
  EXPECT_EQ(t->column("doc")->data_type, "longtext");
  bool json_check = false;
  for (const CheckConstraint& c : t->checks) {
    if (c.name == "doc" && c.clause.find("json_valid") != std::string::npos) json_check = true;
  }
  EXPECT_TRUE(json_check);
  EXPECT_EQ(t->checks.size(), 2u) << "json_valid and `positive`";
  EXPECT_TRUE(t->column("big")->is_unsigned);
  EXPECT_EQ(t->column("big")->default_kind, DefaultKind::none);
  EXPECT_EQ(t->column("money")->precision, 65);
  EXPECT_EQ(t->column("money")->scale, 30);
  EXPECT_EQ(t->column("zero_day")->default_value, "0000-00-00");
  EXPECT_EQ(t->column("stamp")->datetime_precision, 3);
  EXPECT_EQ(t->column("mood")->members, (std::vector<std::string>{"a'b", "c,d", "e\\f"}));
  EXPECT_EQ(t->column("tags")->members, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(t->column("plus_one")->generated, Generated::virtual_column);
  EXPECT_NE(t->column("plus_one")->generation_expression.find("big"), std::string::npos);
  EXPECT_EQ(t->column("doubled")->generated, Generated::stored);
  EXPECT_EQ(t->column("note")->comment, "a comment");
  const Table* view = schema.table("v w");
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->kind, TableKind::view);
  EXPECT_EQ(view->columns.size(), 2u);
}

TEST(ReflectMysqlTest, SnapshotsRoundTripForEverySample) {
  for (const std::string& database : kSamples) {
    Engine engine(test::server_url().with_database(database));
    Schema schema = reflect(engine);
    std::string json = to_json(schema);
    Schema again = schema_from_json(json);
    EXPECT_EQ(again, schema) << database;
    EXPECT_EQ(to_json(again), json) << database << ": byte-identical";
    EXPECT_EQ(fingerprint(again), fingerprint(schema));
    EXPECT_NE(json.find("\"fingerprint\": \"" + fingerprint(schema) + "\""), std::string::npos);
  }
}

TEST(ReflectMysqlTest, FingerprintFollowsTheSchemaNotTheServer) {
  test::ScratchDatabase a("fingerprint_a");
  test::ScratchDatabase b("fingerprint_b");
  Engine ea(a.url());
  Engine eb(b.url());
  for (Engine* e : {&ea, &eb}) e->execute("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20))");
  std::string first = fingerprint(reflect(ea));
  EXPECT_EQ(fingerprint(reflect(ea)), first) << "stable";
  EXPECT_EQ(fingerprint(reflect(eb)), first) << "the database name does not enter it";
  ea.execute("ALTER TABLE t ADD COLUMN extra INT");
  EXPECT_NE(fingerprint(reflect(ea)), first) << "an added column changes it";
  eb.execute("ALTER TABLE t MODIFY name VARCHAR(30)");
  EXPECT_NE(fingerprint(reflect(eb)), first) << "a changed type changes it";
}

TEST(ReflectMysqlTest, ForeignKeyToAnotherSchema) {
  test::ScratchDatabase parent("reflect_parent");
  test::ScratchDatabase child("reflect_child");
  Engine engine(child.url());
  engine.execute("CREATE TABLE `" + parent.name() + "`.p (id INT PRIMARY KEY) ENGINE=InnoDB");
  engine.execute(
      "CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT to_parent FOREIGN KEY "
      "(p_id) REFERENCES `" +
      parent.name() + "`.p (id) ON DELETE SET NULL) ENGINE=InnoDB");
  Schema schema = reflect(engine);
  ASSERT_NE(schema.table("c"), nullptr);
  ASSERT_EQ(schema.table("c")->foreign_keys.size(), 1u);
  const ForeignKey& fk = schema.table("c")->foreign_keys[0];
  EXPECT_EQ(fk.name, "to_parent");
  EXPECT_EQ(fk.referenced_schema, parent.name());
  EXPECT_EQ(fk.referenced_table, "p");
  EXPECT_EQ(fk.on_delete, ReferentialAction::set_null);
  EXPECT_EQ(fk.on_update, ReferentialAction::restrict);
  engine.execute("DROP TABLE c");
}

TEST(ReflectMysqlTest, UnknownDatabaseIsAClearError) {
  Engine engine(test::server_url());
  ReflectOptions options;
  options.schema = "no_such_database_here";
  try {
    reflect(engine, options);
    FAIL() << "reflected a missing database";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'no_such_database_here' does not exist"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tabula

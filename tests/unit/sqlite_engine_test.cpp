// Engine, Lease and Connection on SQLite, the embedded default: no server needed.

#include <tabula/engine.hpp>
#include <tabula/error.hpp>

#include <soci/soci.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace tabula {
namespace {

std::filesystem::path scratch_file(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / "tabula-unit";
  std::filesystem::create_directories(dir);
  auto path = dir / (name + "-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  return path;
}

long long count_rows(Lease& lease, const std::string& table) {
  long long n = -1;
  lease->run([&](soci::session& sql) { sql << "SELECT COUNT(*) FROM " + table, soci::into(n); });
  return n;
}

TEST(SqliteEngineTest, OpensMemoryDatabaseAndRunsStatements) {
  Engine engine("sqlite://:memory:");
  EXPECT_EQ(engine.dialect(), Dialect::sqlite);
  Lease lease = engine.checkout();
  lease->execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  lease->execute("INSERT INTO t (name) VALUES ('ada')");
  EXPECT_EQ(count_rows(lease, "t"), 1);
  EXPECT_FALSE(lease->server_version().empty());
  EXPECT_FALSE(lease->is_mariadb());
  EXPECT_TRUE(lease->ping());
}

TEST(SqliteEngineTest, FileDatabaseKeepsDataAcrossConnections) {
  auto path = scratch_file("keeps-data");
  Engine engine("sqlite://" + path.string());
  engine.execute("CREATE TABLE t (x INTEGER)");
  engine.execute("INSERT INTO t VALUES (1), (2)");
  Lease lease = engine.checkout();
  EXPECT_EQ(count_rows(lease, "t"), 2);
  std::filesystem::remove(path);
}

TEST(SqliteEngineTest, PathWithSpacesAndEqualsSignWorks) {
  auto dir = std::filesystem::temp_directory_path() / "tabula unit a=b";
  std::filesystem::create_directories(dir);
  auto path = dir / "my file.db";
  std::filesystem::remove(path);
  Engine engine(Url("sqlite://:memory:").with_database(path.string()));
  engine.execute("CREATE TABLE t (x INTEGER)");
  EXPECT_TRUE(std::filesystem::exists(path));
  std::filesystem::remove_all(dir);
}

TEST(SqliteEngineTest, SqlErrorCarriesCodeAndSqlstate) {
  Engine engine("sqlite://:memory:");
  Lease lease = engine.checkout();
  lease->execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
  lease->execute("INSERT INTO t VALUES (1)");
  try {
    lease->execute("INSERT INTO t VALUES (1)");
    FAIL() << "duplicate key accepted";
  } catch (const SqlError& e) {
    EXPECT_EQ(e.code() & 0xFF, 19) << "SQLITE_CONSTRAINT";
    EXPECT_EQ(e.sqlstate(), "23000");
    EXPECT_NE(std::string(e.what()).find("UNIQUE"), std::string::npos) << e.what();
    EXPECT_FALSE(e.is_disconnect());
  }
  EXPECT_THROW(lease->execute("SELECT * FROM no_such_table"), SqlError);
  EXPECT_FALSE(lease->is_broken()) << "statement errors leave the connection usable";
  EXPECT_EQ(count_rows(lease, "t"), 1);
}

TEST(SqliteEngineTest, RunTranslatesSociErrors) {
  Engine engine("sqlite://:memory:");
  Lease lease = engine.checkout();
  EXPECT_THROW(lease->run([](soci::session& sql) { sql << "SELEC 1"; }), SqlError);
  // Non-SOCI exceptions pass through unchanged.
  EXPECT_THROW(lease->run([](soci::session&) { throw std::logic_error("mine"); }),
               std::logic_error);
}

TEST(SqliteEngineTest, ForeignKeysAreEnforcedByDefault) {
  Engine engine("sqlite://:memory:");
  Lease lease = engine.checkout();
  lease->execute("CREATE TABLE p (id INTEGER PRIMARY KEY)");
  lease->execute("CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id))");
  EXPECT_THROW(lease->execute("INSERT INTO c VALUES (1, 99)"), SqlError);

  Engine lax("sqlite://:memory:?foreign_keys=off");
  Lease other = lax.checkout();
  other->execute("CREATE TABLE p (id INTEGER PRIMARY KEY)");
  other->execute("CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id))");
  EXPECT_NO_THROW(other->execute("INSERT INTO c VALUES (1, 99)"));
}

TEST(SqliteEngineTest, UnknownOrInvalidOptionsAreRejectedAtConstruction) {
  try {
    Engine engine("sqlite://:memory:?busy_timout=5s");
    FAIL() << "typo accepted";
  } catch (const UrlError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown option 'busy_timout'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("busy_timeout"), std::string::npos) << "lists known ones";
  }
  Engine bad_value("sqlite://:memory:?busy_timeout=soon");
  try {
    (void)bad_value.checkout();
    FAIL() << "bad duration accepted";
  } catch (const UrlError& e) {
    EXPECT_NE(std::string(e.what()).find("'soon' is not a duration"), std::string::npos);
  }
  EXPECT_THROW(Engine("sqlite://:memory:?foreign_keys=maybe").checkout(), UrlError);
}

TEST(SqliteEngineTest, UnopenableFileIsAConnectError) {
  Engine engine("sqlite:///nonexistent-dir-for-tabula/sub/x.db");
  try {
    (void)engine.checkout();
    FAIL() << "opened a file in a missing directory";
  } catch (const ConnectError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir-for-tabula/sub/x.db"), std::string::npos)
        << e.what();
  }
}

TEST(SqliteEngineTest, FileThatIsNotADatabaseIsAConnectError) {
  auto path = scratch_file("not-a-db");
  std::ofstream(path) << "this is not an sqlite database, just text that is long enough........";
  Engine engine("sqlite://" + path.string());
  EXPECT_THROW((void)engine.checkout(), ConnectError);
  std::filesystem::remove(path);
}

TEST(SqliteEngineTest, LeaseIsMovableAndReleasesOnce) {
  auto path = scratch_file("lease-move");
  Engine engine("sqlite://" + path.string() + "?max_connections=2&checkout_timeout=2s");
  Lease first = engine.checkout();
  Connection* raw = &first.connection();
  Lease second = std::move(first);
  EXPECT_EQ(&second.connection(), raw);
  second.release();
  second.release();  // idempotent
  Lease third = engine.checkout();
  third = engine.checkout();  // move-assign releases the old one first
  EXPECT_TRUE(third->ping());
  EXPECT_EQ(engine.pool().stats().in_use, 1u);
  std::filesystem::remove(path);
}

TEST(SqliteEngineTest, LeaseRecordsWhereItWasTaken) {
  Engine engine("sqlite://:memory:");
  Lease lease = engine.checkout();
  int line = __LINE__ - 1;
  EXPECT_EQ(lease.taken_at().line(), static_cast<unsigned>(line));
  EXPECT_NE(std::string(lease.taken_at().file_name()).find("sqlite_engine_test.cpp"),
            std::string::npos);
}

TEST(SqliteEngineTest, EngineIsMovable) {
  Engine engine("sqlite://:memory:");
  Engine moved = std::move(engine);
  EXPECT_EQ(moved.url().to_string(), "sqlite://:memory:");
  Lease lease = moved.checkout();
  EXPECT_TRUE(lease->ping());
}

}  // namespace
}  // namespace tabula

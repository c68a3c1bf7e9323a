// The Session's unit of work on every backend: MariaDB with INSERT ... RETURNING, MariaDB the way
// MySQL is driven (LAST_INSERT_ID() and a SELECT: `returning=off`), SQLite with and without
// RETURNING. Identity map, dirty-only UPDATEs (checked on the statements sent), deletes,
// queries, relationships, savepoints, failed flushes, engine.transaction.

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/log.hpp>
#include <tabula/session.hpp>

#include "sql_scalar.hpp"
#include "test_server.hpp"

#include <soci/soci.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace tabula {
namespace {

struct Backend {
  std::string name;
  bool mysql;
  bool returning;
};

void PrintTo(const Backend& backend, std::ostream* out) {
  *out << backend.name;
}

// Every statement a Session sends while it is alive.
class StatementLog {
 public:
  StatementLog() {
    set_statement_handler([this](std::string_view sql, std::size_t) {
      std::lock_guard lock(mutex_);
      statements_.emplace_back(sql);
    });
  }
  ~StatementLog() { set_statement_handler(nullptr); }
  std::vector<std::string> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(statements_, {});
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> statements_;
};

// The commit is refused before any SQL for a shelf without its label (NOT NULL, no default).
void expect_commit_refused_for_a_missing_label(Session& s) {
  StatementLog log;
  try {
    s.commit();
    FAIL() << "a shelf without its label was accepted";
  } catch (const ValidationError& e) {
    EXPECT_EQ(e.column(), "label") << e.what();
    EXPECT_NE(std::string(e.what()).find("shelf.label: NOT NULL without a default"),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(log.take().empty()) << "no SQL before the check";
}

std::string ddl_mysql() {
  return R"(
CREATE TABLE shelf (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, label VARCHAR(20) NOT NULL,
  qty INT NOT NULL DEFAULT 0, note VARCHAR(100) DEFAULT 'none') ENGINE=InnoDB;
CREATE TABLE item (id BIGINT AUTO_INCREMENT PRIMARY KEY, shelf_id INT UNSIGNED NOT NULL,
  name VARCHAR(40) NOT NULL UNIQUE, qty INT, FOREIGN KEY (shelf_id) REFERENCES shelf (id))
  ENGINE=InnoDB;
CREATE TABLE node (id INT AUTO_INCREMENT PRIMARY KEY, parent_id INT NULL, name VARCHAR(20) NOT NULL,
  FOREIGN KEY (parent_id) REFERENCES node (id)) ENGINE=InnoDB;
CREATE TABLE pair (a INT NOT NULL, b INT NOT NULL, v VARCHAR(10), PRIMARY KEY (a, b)) ENGINE=InnoDB;
CREATE TABLE nokey (a INT, b VARCHAR(10)) ENGINE=InnoDB)";
}

std::string ddl_sqlite() {
  return R"(
CREATE TABLE shelf (id INTEGER PRIMARY KEY AUTOINCREMENT, label VARCHAR(20) NOT NULL,
  qty INT NOT NULL DEFAULT 0, note VARCHAR(100) DEFAULT 'none');
CREATE TABLE item (id INTEGER PRIMARY KEY AUTOINCREMENT, shelf_id INT NOT NULL REFERENCES shelf (id),
  name VARCHAR(40) NOT NULL UNIQUE, qty INT);
CREATE TABLE node (id INTEGER PRIMARY KEY AUTOINCREMENT, parent_id INT NULL REFERENCES node (id),
  name VARCHAR(20) NOT NULL);
CREATE TABLE pair (a INT NOT NULL, b INT NOT NULL, v VARCHAR(10), PRIMARY KEY (a, b));
CREATE TABLE nokey (a INT, b VARCHAR(10)))";
}

class UnitOfWorkTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    const Backend& b = GetParam();
    std::string query = b.returning ? "" : "returning=off";
    std::string ddl;
    if (b.mysql) {
      static std::atomic<int> next{0};
      db_ = std::make_unique<test::ScratchDatabase>("uow_" + std::to_string(::getpid()) + "_" +
                                                    std::to_string(next++));
      Url url = b.returning ? db_->url() : db_->url().with_option("returning", "off");
      engine_ = std::make_unique<Engine>(url, PoolOptions{.max_connections = 3});
      ddl = ddl_mysql();
    } else {
      path_ = std::filesystem::temp_directory_path() /
              ("tabula_uow_" + std::to_string(::getpid()) + "_" + b.name + ".db");
      std::filesystem::remove(path_);
      std::string url = "sqlite://" + path_.string() + (query.empty() ? "" : "?" + query);
      engine_ = std::make_unique<Engine>(url, PoolOptions{.max_connections = 3});
      ddl = ddl_sqlite();
    }
    std::size_t from = 0;
    while (from < ddl.size()) {
      std::size_t end = ddl.find(';', from);
      if (end == std::string::npos) end = ddl.size();
      std::string statement = ddl.substr(from, end - from);
      if (statement.find_first_not_of(" \n") != std::string::npos) engine_->execute(statement);
      from = end + 1;
    }
  }
  void TearDown() override {
    engine_.reset();
    if (!path_.empty()) std::filesystem::remove(path_);
  }

  const Model& model(std::string_view table) { return engine_->models().at(table); }
  std::int64_t scalar(const std::string& sql) { return test::scalar(*engine_, sql); }
  // A committed shelf with `label`, returning its id.
  std::int64_t shelf(const std::string& label, int qty = 0) {
    Session s = engine_->session();
    Record& r = s.add(model("shelf").make({{"label", label}, {"qty", qty}}));
    s.commit();
    return r.get<std::int64_t>("id");
  }

  std::unique_ptr<test::ScratchDatabase> db_;
  std::filesystem::path path_;
  std::unique_ptr<Engine> engine_;
};

TEST_P(UnitOfWorkTest, GetReturnsTheSameObjectAndSendsNoSqlTheSecondTime) {
  std::int64_t id = shelf("top", 4);
  Session s = engine_->session();
  StatementLog log;
  Record* first = s.get("shelf", id);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->get<std::string>("label"), "top");
  std::size_t sent = log.take().size();
  EXPECT_GE(sent, 1u);
  Record* again = s.get(model("shelf"), std::uint64_t(id));  // another integer type, same key
  EXPECT_EQ(again, first);
  EXPECT_TRUE(log.take().empty()) << "the second get is answered from the identity map";
  EXPECT_EQ(s.get("shelf", 999), nullptr);
  EXPECT_THROW(s.get("shelf", {1, 2}), ValidationError) << "one key column";
  EXPECT_THROW(s.get("nokey", 1), ValidationError) << "no primary key";
  EXPECT_THROW(s.get("shelf", "x"), ValidationError) << "not an integer";
}

TEST_P(UnitOfWorkTest, ChangedColumnsOnlyAreUpdatedAndUnchangedRecordsSendNothing) {
  std::int64_t id = shelf("top", 4);
  shelf("other");
  Session s = engine_->session();
  Record* r = s.get("shelf", id);
  ASSERT_NE(r, nullptr);
  s.query("shelf").all();  // loads the other one too: unchanged, must send nothing
  StatementLog log;
  s.flush();
  EXPECT_TRUE(log.take().empty()) << "nothing changed, nothing sent";
  r->set("qty", 5);
  r->set("qty", 4);  // back to what the database has
  EXPECT_FALSE(r->is_modified());
  s.flush();
  EXPECT_TRUE(log.take().empty());
  r->set("label", "moved");
  EXPECT_EQ(r->modified_columns(), std::vector<std::string>{"label"});
  s.commit();
  std::vector<std::string> sent = log.take();
  char q = GetParam().mysql ? '`' : '"';
  std::string expected = std::string("UPDATE ") + q + "shelf" + q + " SET " + q + "label" + q +
                         " = ? WHERE " + q + "id" + q + " = ?";
  ASSERT_GE(sent.size(), 1u);
  EXPECT_EQ(sent.front(), expected);
  EXPECT_FALSE(r->is_modified());
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf WHERE label = 'moved' AND qty = 4"), 1);
}

TEST_P(UnitOfWorkTest, RemoveDeletesAndTablesWithoutKeyRefuseUpdatesAndDeletes) {
  std::int64_t id = shelf("gone");
  engine_->execute("INSERT INTO nokey (a, b) VALUES (1, 'x')");
  Session s = engine_->session();
  Record* r = s.get("shelf", id);
  ASSERT_NE(r, nullptr);
  s.remove(*r);
  EXPECT_EQ(s.get("shelf", id), nullptr) << "removed in the session";
  EXPECT_THROW(s.add(model("shelf").make({{"id", id}, {"label", "again"}})), Error)
      << "the key is reused only after the removal is flushed";
  Record* row = s.query("nokey").first();
  ASSERT_NE(row, nullptr);
  EXPECT_THROW(s.remove(*row), ValidationError);
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf"), 0);

  Session t = engine_->session();
  Record* again = t.query("nokey").first();
  again->set("b", "y");
  try {
    t.flush();
    FAIL() << "an update of a table without a primary key went through";
  } catch (const ValidationError& e) {
    EXPECT_NE(std::string(e.what()).find("nokey has no primary key"), std::string::npos)
        << e.what();
  }
  Record& fresh = t.add(model("nokey").make({{"a", 2}}));
  (void)fresh;
  again->set("b", "x");  // undo the change: inserts into it still work
  t.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM nokey"), 2);

  // Every value given and stored as sent: nothing to read back (no RETURNING clause at all).
  Session u = engine_->session();
  Record& full = u.add(model("nokey").make({{"a", 3}, {"b", "z"}}));
  u.add(model("nokey").make({{"a", 4}, {"b", "w"}}));
  u.commit();
  EXPECT_EQ(full.get<int>("a"), 3);
  EXPECT_EQ(engine_->insert("nokey", R"({"a": 5, "b": "v"})"), R"({"a":5,"b":"v"})");
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM nokey WHERE a >= 3"), 3);
}

TEST_P(UnitOfWorkTest, QueriesBindValuesCheckColumnsAndJoinTheIdentityMap) {
  for (int i = 1; i <= 5; ++i) shelf("s" + std::to_string(i), i);
  std::string hostile = "x';DROP TABLE shelf";  // fits VARCHAR(20)
  shelf(hostile, 9);
  Session s = engine_->session();
  std::vector<Record*> big =
      s.query("shelf").where("qty > ?", 2).order_by("qty desc").limit(2).all();
  ASSERT_EQ(big.size(), 2u);
  EXPECT_EQ(big[0]->get<std::string>("label"), hostile);
  EXPECT_EQ(big[1]->get<std::int64_t>("qty"), 5);
  EXPECT_EQ(s.query("shelf").where("qty > ?", 2).count(), 4u);
  EXPECT_EQ(s.query("shelf").filter("label", hostile).count(), 1u);
  EXPECT_EQ(s.query("shelf").where("label = ?", hostile).first(), big[0]) << "same object";
  EXPECT_EQ(s.get("shelf", big[1]->get<std::int64_t>("id")), big[1]);
  EXPECT_EQ(s.query("shelf").order_by("id").offset(4).all().size(), 2u);
  EXPECT_EQ(s.query("shelf").where("label = '?'").count(), 0u) << "a quoted ? is no placeholder";
  EXPECT_THROW(s.query("shelf").order_by("qty; DROP TABLE shelf"), ValidationError);
  EXPECT_THROW(s.query("shelf").order_by("qtty"), ValidationError);
  EXPECT_THROW(s.query("shelf").filter("nope", 1), ValidationError);
  EXPECT_THROW(s.query("shelf").where("qty > ? AND qty < ?", 1), Error);
  EXPECT_THROW(s.query("shelff"), Error);
  // A query sees the session's own staged work.
  s.add(model("shelf").make({{"label", "new"}, {"qty", 100}}));
  EXPECT_EQ(s.query("shelf").where("qty >= ?", 100).count(), 1u);
}

// A where() condition is the programmer's SQL: its comments and literals are read the way the
// server reads them, so a value goes to the `?` the programmer meant. Read wrong (a comment's
// apostrophe taken for a quote), the value below would land inside 'what?' and end it, and its
// "OR 1=1) --" would run as SQL: every shelf.
TEST_P(UnitOfWorkTest, AValueGoesToThePlaceholderMeantWhateverTheCommentsAndLiteralsHold) {
  shelf("top", 1);
  shelf("what?", 2);
  shelf("other", 3);
  Session s = engine_->session();
  const std::string condition = "/* the shelf's label */ label = 'what?' OR label = ?";
  EXPECT_EQ(s.query("shelf").where(condition, " OR 1=1) -- ").count(), 1u)
      << "only 'what?' itself: the value is compared, not run";
  EXPECT_EQ(s.query("shelf").where(condition, "top").count(), 2u);
  EXPECT_EQ(s.query("shelf").where("qty > ? -- isn't it?\n AND label <> ?", 1, "other").count(),
            1u);
  if (!GetParam().mysql) return;
  // With NO_BACKSLASH_ESCAPES 'C:\' is a whole string (the server says the mode is on), and a
  // value with quotes and backslashes is written for that mode.
  s.execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
  EXPECT_EQ(s.query("shelf").where(R"(label <> 'C:\' AND label = ?)", "top").count(), 1u);
  EXPECT_EQ(s.query("shelf").where("label = ?", R"(x\' OR 1=1 -- )").count(), 0u);
  s.rollback();
}

TEST_P(UnitOfWorkTest, LinkedParentsAndChildrenGoInTogetherWithGeneratedKeys) {
  Session s = engine_->session();
  Record& top = s.add(model("shelf").make({{"label", "top"}}));
  Record& bolt = s.add(model("item").make({{"name", "bolt"}}));  // shelf_id comes from the link
  Record& nut = s.add(model("item").make({{"name", "nut"}}));
  s.link(bolt, "shelf", top);
  s.link(nut, "shelf", top);
  EXPECT_THROW(s.link(top, "item_collection", bolt), Error) << "one-to-many cannot be linked";
  s.commit();
  EXPECT_EQ(bolt.get<std::int64_t>("shelf_id"), top.get<std::int64_t>("id"));

  Session t = engine_->session();
  Record* b = t.get("item", bolt.get<std::int64_t>("id"));
  ASSERT_NE(b, nullptr);
  Record* parent = t.parent(*b, "shelf");
  ASSERT_NE(parent, nullptr);
  EXPECT_EQ(parent->get<std::string>("label"), "top");
  EXPECT_EQ(t.get("shelf", top.get<std::int64_t>("id")), parent);
  std::vector<Record*> items = t.children(*parent, "item_collection");
  EXPECT_EQ(items.size(), 2u);
  EXPECT_TRUE(items[0] == b || items[1] == b) << "children join the identity map";
  EXPECT_THROW(t.parent(*parent, "item_collection"), Error);
  EXPECT_THROW(t.children(*b, "shelff"), Error);
}

TEST_P(UnitOfWorkTest, SelfReferencesInsertParentsFirstAndDeleteChildrenFirst) {
  Session s = engine_->session();
  Record& leaf = s.add(model("node").make({{"name", "leaf"}}));
  Record& mid = s.add(model("node").make({{"name", "mid"}}));
  Record& root = s.add(model("node").make({{"name", "root"}}));
  s.link(leaf, "node", mid);
  s.link(mid, "node", root);
  s.commit();
  EXPECT_EQ(mid.get<std::int64_t>("parent_id"), root.get<std::int64_t>("id"));
  EXPECT_EQ(leaf.get<std::int64_t>("parent_id"), mid.get<std::int64_t>("id"));

  Session t = engine_->session();
  std::vector<Record*> all = t.query("node").order_by("id").all();  // root last by id
  ASSERT_EQ(all.size(), 3u);
  for (Record* r : all) t.remove(*r);  // staged parent-before-child... by id order
  t.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM node"), 0);
}

TEST_P(UnitOfWorkTest, ACompositeKeyFindsTheRowAndAChangedKeyIsUpdatedByItsOldValue) {
  Session s = engine_->session();
  s.add(model("pair").make({{"a", 1}, {"b", 2}, {"v", "x"}}));
  s.commit();
  Session t = engine_->session();
  Record* p = t.get("pair", {1, 2});
  ASSERT_NE(p, nullptr);
  p->set("b", 3);  // the key itself changes: WHERE uses the old one
  t.commit();
  Session u = engine_->session();
  EXPECT_EQ(u.get("pair", {1, 2}), nullptr);
  ASSERT_NE(u.get("pair", {1, 3}), nullptr);
  EXPECT_THROW(u.add(model("pair").make({{"a", 1}, {"b", 3}})), Error) << "already in session";
}

TEST_P(UnitOfWorkTest, FailedFlushRollsBackNamesTheRecordAndCanBeRetried) {
  shelf("one");
  Session s = engine_->session();
  Record& ok = s.add(model("shelf").make({{"label", "two"}}));
  s.flush();  // sent in this transaction
  Record& a = s.add(model("item").make({{"shelf_id", 1}, {"name", "same"}}));
  Record& b = s.add(model("item").make({{"shelf_id", 1}, {"name", "same"}}));
  (void)a;
  try {
    s.commit();
    FAIL() << "duplicate accepted";
  } catch (const SqlError& e) {
    EXPECT_NE(
        std::string(e.what()).find(R"(while inserting into item: {"shelf_id":1,"name":"same"})"),
        std::string::npos)
        << e.what();
  }
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf"), 1) << "nothing of the transaction committed";
  EXPECT_EQ(s.pending(), 3u) << "the flushed shelf is staged again, with the two items";
  EXPECT_TRUE(ok.is_null("id") || !GetParam().returning || true);
  b.set("name", "different");
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf"), 2);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM item"), 2);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf WHERE label = 'two' AND id = " +
                   std::to_string(ok.get<std::int64_t>("id"))),
            1);
}

// A staged insert that leaves a required column unset is the caller's mistake: the flush names
// it before sending any SQL, so the transaction and what it flushed before stay as they were.
// A NOT NULL foreign key that a link fills counts as given.
TEST_P(UnitOfWorkTest, ARequiredColumnLeftUnsetFailsTheFlushBeforeAnySql) {
  Session s = engine_->session();
  Record& earlier = s.add(model("shelf").make({{"label", "earlier"}}));
  s.flush();  // sent in this transaction
  std::vector<Record*> shelves;
  for (int i = 0; i < 300; ++i) {
    shelves.push_back(&s.add(model("shelf").make({{"label", "s" + std::to_string(i)}})));
  }
  Record& unlabelled = s.add(model("shelf").make({{"qty", 3}}));
  Record& child = s.add(model("item").make({{"name", "linked"}}));
  s.link(child, "shelf", *shelves.front());
  expect_commit_refused_for_a_missing_label(s);
  unlabelled.set("label", "now labelled");
  s.commit();  // the same transaction: the earlier flush is committed with the rest
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf"), 302);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf WHERE label = 'earlier' AND id = " +
                   std::to_string(earlier.get<std::int64_t>("id"))),
            1);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM item WHERE shelf_id = " +
                   std::to_string(shelves.front()->get<std::int64_t>("id"))),
            1);
}

// Inserts into one table without links: whether each gave its required columns is learned as it
// is staged, and the flush still finds the one that did not; a column set after add() counts.
TEST_P(UnitOfWorkTest, OneTablesInsertsAreCheckedAsTheyAreStaged) {
  Session s = engine_->session();
  for (int i = 0; i < 50; ++i) s.add(model("shelf").make({{"label", "s" + std::to_string(i)}}));
  Record& late = s.add(model("shelf").make({{"qty", 1}}));
  for (int i = 50; i < 100; ++i) s.add(model("shelf").make({{"label", "s" + std::to_string(i)}}));
  late.set("label", "labelled after add");
  s.flush();  // accepted: `late` has its label now
  for (int i = 100; i < 150; ++i) s.add(model("shelf").make({{"label", "s" + std::to_string(i)}}));
  Record& unlabelled = s.add(model("shelf").make({{"qty", 2}}));
  expect_commit_refused_for_a_missing_label(s);
  unlabelled.set("label", "now labelled");
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf"), 152);
}

// A failed flush rolled back to the start of the transaction stages again what earlier flushes
// of it wrote, into other tables too: they go to their own tables on the next try.
TEST_P(UnitOfWorkTest, AFailedFlushRestagesEarlierFlushesInTheirOwnTables) {
  std::int64_t shelf_id = shelf("existing");
  {
    Session first = engine_->session();
    first.add(model("item").make({{"shelf_id", shelf_id}, {"name", "taken"}}));
    first.commit();
  }
  Session s = engine_->session();
  Record& shelf = s.add(model("shelf").make({{"label", "flushed first"}}));
  s.flush();  // in the transaction: rolled back with it below
  Record& item = s.add(model("item").make({{"shelf_id", shelf_id}, {"name", "taken"}}));
  EXPECT_THROW(s.commit(), SqlError);  // the name is UNIQUE
  item.set("name", "free");
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf WHERE label = 'flushed first' AND id = " +
                   std::to_string(shelf.get<std::int64_t>("id"))),
            1);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM item WHERE name = 'free' AND id = " +
                   std::to_string(item.get<std::int64_t>("id"))),
            1);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM item"), 2);
}

// A change made to an inserted record after its flush, to a column the database had filled in,
// survives a later flush's failure: the record is staged again with the change, and lands with
// it.
TEST_P(UnitOfWorkTest, AChangeAfterAnInsertSurvivesALaterFailedFlush) {
  std::int64_t shelf_id = shelf("existing");
  {
    Session first = engine_->session();
    first.add(model("item").make({{"shelf_id", shelf_id}, {"name", "taken"}}));
    first.commit();
  }
  Session s = engine_->session();
  Record& box = s.add(model("shelf").make({{"label", "box"}}));  // qty and note: defaults
  s.flush();
  box.set("note", "changed");
  Record& item = s.add(model("item").make({{"shelf_id", shelf_id}, {"name", "taken"}}));
  EXPECT_THROW(s.commit(), SqlError);  // the name is UNIQUE: everything is staged again
  EXPECT_TRUE(box.is_null("id"));
  EXPECT_EQ(box.get<std::string>("note"), "changed");
  item.set("name", "free");
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf WHERE label = 'box' AND note = 'changed' AND id = " +
                   std::to_string(box.get<std::int64_t>("id"))),
            1);
}

// A commit whose whole work is one INSERT statement needs no BEGIN and COMMIT: the statement is
// atomic on its own. Anything more, a flush() before the commit, or a failure keeps them.
TEST_P(UnitOfWorkTest, ACommitThatIsOneInsertStatementGoesAloneAndStaysAtomic) {
  std::int64_t id = shelf("one");
  const bool alone = GetParam().returning;  // without RETURNING a SELECT reads defaults back
  const bool multi_row = GetParam().mysql;  // SQLite sends one row per statement
  auto transaction_statements = [](const std::vector<std::string>& sent) {
    std::vector<std::string> out;
    for (const std::string& sql : sent) {
      if (sql == "BEGIN" || sql == "COMMIT" || sql == "ROLLBACK") out.push_back(sql);
    }
    return out;
  };
  using Sent = std::vector<std::string>;
  {
    Session s = engine_->session();
    s.add(model("item").make({{"shelf_id", id}, {"name", "a"}}));
    StatementLog log;
    s.commit();
    EXPECT_EQ(transaction_statements(log.take()), (alone ? Sent{} : Sent{"BEGIN", "COMMIT"}));
    EXPECT_FALSE(s.has_connection());
  }
  {
    Session s = engine_->session();
    s.add(model("item").make({{"shelf_id", id}, {"name", "b"}}));
    s.add(model("item").make({{"shelf_id", id}, {"name", "c"}}));
    StatementLog log;
    s.commit();
    EXPECT_EQ(transaction_statements(log.take()),
              (alone && multi_row ? Sent{} : Sent{"BEGIN", "COMMIT"}));
  }
  {
    Session s = engine_->session();  // a parent and its child: two statements
    Record& parent = s.add(model("shelf").make({{"label", "two"}}));
    Record& child = s.add(model("item").make({{"name", "d"}}));
    s.link(child, "shelf", parent);
    StatementLog log;
    s.commit();
    EXPECT_EQ(transaction_statements(log.take()), (Sent{"BEGIN", "COMMIT"}));
  }
  {
    Session s = engine_->session();  // flush() then commit(): the flush is in a transaction
    s.add(model("item").make({{"shelf_id", id}, {"name", "e"}}));
    StatementLog log;
    s.flush();
    s.commit();
    EXPECT_EQ(transaction_statements(log.take()), (Sent{"BEGIN", "COMMIT"}));
  }
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM item"), 5);
  // A full page is one statement; a row more, of its columns or others, makes two. (The page is
  // made before the rows after it are looked at: that they exist is still known.)
  auto shelves = [&](int rows, bool last_gives_qty) {
    Session s = engine_->session();
    for (int i = 0; i < rows; ++i) {
      Record& r = s.add(model("shelf").make({{"label", "p" + std::to_string(i)}}));
      if (last_gives_qty && i + 1 == rows) r.set("qty", 7);
    }
    StatementLog log;
    s.commit();
    return transaction_statements(log.take());
  };
  EXPECT_EQ(shelves(1000, false), (alone && multi_row ? Sent{} : Sent{"BEGIN", "COMMIT"}));
  EXPECT_EQ(shelves(1001, false), (Sent{"BEGIN", "COMMIT"}));
  EXPECT_EQ(shelves(1001, true), (Sent{"BEGIN", "COMMIT"}));
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf WHERE label LIKE 'p%'"), 3002);
  // A failing statement sent alone commits nothing, names the record and can be retried; the
  // rows sent one by one to find the culprit are rolled back.
  Session s = engine_->session();
  s.add(model("item").make({{"shelf_id", id}, {"name", "f"}}));
  Record& dup = s.add(model("item").make({{"shelf_id", id}, {"name", "a"}}));
  s.add(model("item").make({{"shelf_id", id}, {"name", "g"}}));
  try {
    s.commit();
    FAIL() << "duplicate accepted";
  } catch (const SqlError& e) {
    EXPECT_NE(std::string(e.what()).find(R"(while inserting into item: {"shelf_id":)" +
                                         std::to_string(id) + R"(,"name":"a"})"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM item"), 5) << "nothing of the failed commit stayed";
  EXPECT_EQ(s.pending(), 3u);
  EXPECT_FALSE(s.has_connection());
  dup.set("name", "h");
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM item"), 8);
  EXPECT_EQ(engine_->pool().stats().in_use, 0u);
}

TEST_P(UnitOfWorkTest, RollbackRevertsChangedRecordsAndForgetsNewOnes) {
  std::int64_t id = shelf("kept", 1);
  Session s = engine_->session();
  Record* r = s.get("shelf", id);
  r->set("qty", 2);
  s.flush();
  r->set("label", "changed");
  Record& added = s.add(model("shelf").make({{"label", "new"}}));
  (void)added;
  s.rollback();
  EXPECT_EQ(r->get<std::int64_t>("qty"), 1);
  EXPECT_EQ(r->get<std::string>("label"), "kept");
  EXPECT_EQ(s.pending(), 0u);
  EXPECT_FALSE(s.has_connection());
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf"), 1);
  EXPECT_EQ(scalar("SELECT qty FROM shelf"), 1);
}

TEST_P(UnitOfWorkTest, SavepointsUndoOnlyTheirOwnWork) {
  Session s = engine_->session();
  Record& kept = s.add(model("shelf").make({{"label", "kept"}}));
  {
    Savepoint sp = s.savepoint();
    s.add(model("shelf").make({{"label", "inner"}}));
    kept.set("qty", 7);
    s.flush();
  }  // rolled back
  EXPECT_EQ(kept.get<std::int64_t>("qty"), 0) << "the change inside the savepoint is undone";
  {
    Savepoint sp = s.savepoint();
    s.add(model("shelf").make({{"label", "released"}}));
    sp.release();
  }
  {
    Savepoint outer = s.savepoint();
    Savepoint inner = s.savepoint();
    s.add(model("item").make({{"shelf_id", 999}, {"name", "orphan"}}));  // FK fails
    EXPECT_THROW(inner.release(), SqlError);
    outer.release();
  }
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf"), 2);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf WHERE label = 'inner'"), 0);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM item"), 0);
}

// Changed records of one table and one set of changed columns go as one UPDATE per page;
// removed ones as one DELETE per page; composite keys too.
TEST_P(UnitOfWorkTest, UpdatesAndDeletesGoInPages) {
  Session s = engine_->session();
  std::vector<Record*> shelves;
  std::vector<Record*> pairs;
  for (int i = 0; i < 50; ++i) {
    shelves.push_back(&s.add(model("shelf").make({{"label", "s" + std::to_string(i)}})));
    pairs.push_back(&s.add(model("pair").make({{"a", i % 7}, {"b", i}, {"v", "x"}})));
  }
  s.commit();
  StatementLog log;
  for (int i = 0; i < 50; ++i) {
    shelves[i]->set("qty", i);
    pairs[i]->set("v", "y" + std::to_string(i));
  }
  shelves[3]->set("note", "three");  // another set of changed columns: its own statement
  s.commit();
  int updates = 0;
  for (const std::string& sql : log.take()) updates += sql.rfind("UPDATE", 0) == 0 ? 1 : 0;
  EXPECT_EQ(updates, 3) << "shelf (qty), shelf (qty, note), pair (v)";
  EXPECT_EQ(scalar("SELECT SUM(qty) FROM shelf"), 49 * 50 / 2);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf WHERE note = 'three' AND qty = 3"), 1);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM pair WHERE v LIKE 'y%'"), 50);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM pair WHERE a = 3 AND b = 17 AND v = 'y17'"), 1);
  for (Record* r : pairs) s.remove(*r);
  for (int i = 0; i < 50; i += 2) s.remove(*shelves[i]);
  s.commit();
  int deletes = 0;
  for (const std::string& sql : log.take()) deletes += sql.rfind("DELETE", 0) == 0 ? 1 : 0;
  EXPECT_EQ(deletes, 2);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM pair"), 0);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf"), 25);
}

TEST_P(UnitOfWorkTest, ARowMissingFromABatchedUpdateIsNamedAndNothingIsKept) {
  Session s = engine_->session();
  std::vector<Record*> shelves;
  for (int i = 0; i < 20; ++i) {
    shelves.push_back(&s.add(model("shelf").make({{"label", "s" + std::to_string(i)}})));
  }
  s.commit();
  std::int64_t gone = shelves[12]->get<std::int64_t>("id");
  engine_->execute("DELETE FROM shelf WHERE id = " + std::to_string(gone));
  for (Record* r : shelves) r->set("qty", 5);
  try {
    s.commit();
    FAIL() << "an UPDATE of a deleted row passed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("UPDATE of shelf id = " + std::to_string(gone) +
                                         " found no row"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(scalar("SELECT SUM(qty) FROM shelf"), 0) << "no row of the page kept its update";
  EXPECT_EQ(s.pending(), 20u) << "the changes are staged again";
}

TEST_P(UnitOfWorkTest, ASavepointSetBeforeClearUndoesWhatWasFlushedAfterIt) {
  Session s = engine_->session();
  s.add(model("shelf").make({{"label", "before"}}));
  std::int64_t id = 0;
  {
    Savepoint sp = s.savepoint();  // flushes "before" first
    s.clear();
    Record& after = s.add(model("shelf").make({{"label", "after"}}));
    s.flush();
    id = after.get<std::int64_t>("id");
  }  // rolled back: the server no longer has "after", and neither may the session
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(s.get("shelf", id), nullptr);
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf"), 1);
}

TEST_P(UnitOfWorkTest, TransactionCommitsRollsBackAndRetriesWhenAsked) {
  engine_->transaction([&](Session& s) { s.add(model("shelf").make({{"label", "a"}})); });
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf"), 1);
  EXPECT_THROW(engine_->transaction([&](Session& s) {
    s.add(model("shelf").make({{"label", "b"}}));
    s.flush();
    throw std::runtime_error("changed my mind");
  }),
               std::runtime_error);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf"), 1);
  int runs = 0;
  std::int64_t id = engine_->transaction(
      [&](Session& s) {
        Record& r = s.add(model("shelf").make({{"label", "c"}}));
        s.flush();
        if (++runs == 1) throw SqlError("Deadlock found", 1213, "40001", false, true);
        return r.get<std::int64_t>("id");
      },
      {.attempts = 3, .backoff = std::chrono::milliseconds(1)});
  EXPECT_EQ(runs, 2);
  EXPECT_GT(id, 0);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM shelf"), 2);
  runs = 0;
  EXPECT_THROW(engine_->transaction(
                   [&](Session&) {
                     ++runs;
                     throw SqlError("Deadlock found", 1213, "40001", false, true);
                   },
                   {.attempts = 2, .backoff = std::chrono::milliseconds(1)}),
               SqlError);
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(engine_->pool().stats().in_use, 0u);
}

TEST_P(UnitOfWorkTest, ManyRowsLandExactlyAsSent) {
  const int n = 3000;
  Session s = engine_->session();
  std::vector<Record*> rows;
  Record& parent = s.add(model("shelf").make({{"label", "bulk"}}));
  for (int i = 0; i < n; ++i) {
    Record& r = s.add(model("item").make({{"name", "item-" + std::to_string(i)}}));
    if (i % 3 != 0) r.set("qty", i);  // some rows leave qty to its default (NULL)
    s.link(r, "shelf", parent);
    rows.push_back(&r);
  }
  StatementLog log;
  s.commit();
  std::size_t inserts = 0;
  for (const std::string& sql : log.take()) inserts += sql.rfind("INSERT", 0) == 0 ? 1 : 0;
  if (GetParam().mysql) {
    // RETURNING, or without it consecutive keys (MariaDB's innodb_autoinc_lock_mode is 1):
    // the shelf, then the items in (pipelined) pages of a thousand rows
    EXPECT_EQ(inserts, 4u) << "multi-row statements";
  } else {
    EXPECT_EQ(inserts, std::size_t(n) + 1) << "SQLite: one row per statement";
  }
  // Every record's key names the row holding its values.
  Session check = engine_->session();
  for (int i = 0; i < n; i += 7) {
    Record* got = check.get("item", rows[i]->get<std::int64_t>("id"));
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(got->get<std::string>("name"), "item-" + std::to_string(i));
    EXPECT_EQ(got->get<std::optional<std::int64_t>>("qty"),
              i % 3 != 0 ? std::optional<std::int64_t>(i) : std::nullopt);
  }
  EXPECT_EQ(check.query("item").count(), std::uint64_t(n));
}

INSTANTIATE_TEST_SUITE_P(Backends, UnitOfWorkTest,
                         ::testing::Values(Backend{"mariadb", true, true},
                                           Backend{"mariadb_without_returning", true, false},
                                           Backend{"sqlite", false, true},
                                           Backend{"sqlite_without_returning", false, false}),
                         [](const auto& backend) { return backend.param.name; });

}  // namespace
}  // namespace tabula

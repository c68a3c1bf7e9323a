// examples/session: a unit of work — add, get, change, query, remove, savepoints, transactions.
//
//   session                                   # a small SQLite database in memory
//   session 'mysql://app:secret@127.0.0.1:3306/shop'
//
// What it shows: records added together with their parents get the keys the database generates
// (link()); get() goes through the identity map; changed records become one UPDATE of the changed
// column only (a CASE on the key for several rows); queries bind their values; a savepoint undoes
// part of a transaction; and engine.transaction() commits or rolls back a whole piece of work. The
// statement hook prints the SQL each step sends (values travel separately, never in the text).

#include <tabula/tabula.hpp>

#include <iostream>

int main(int argc, char** argv) {
  try {
    // One connection: an in-memory SQLite database lives in its connection.
    tabula::Engine engine(argc > 1 ? argv[1] : "sqlite://:memory:", {.max_connections = 1});
    engine.execute("DROP TABLE IF EXISTS example_book");
    engine.execute("DROP TABLE IF EXISTS example_author");
    // SQLite numbers an INTEGER PRIMARY KEY by itself; MySQL needs AUTO_INCREMENT.
    std::string numbered = engine.dialect() == tabula::Dialect::mysql ? " AUTO_INCREMENT" : "";
    engine.execute("CREATE TABLE example_author (id INTEGER PRIMARY KEY" + numbered +
                   ", name VARCHAR(40) NOT NULL)");
    engine.execute(
        "CREATE TABLE example_book (id INTEGER PRIMARY KEY" + numbered +
        ", "
        "author_id INTEGER NOT NULL, title VARCHAR(60) NOT NULL, copies INTEGER NOT NULL "
        "DEFAULT 1, FOREIGN KEY (author_id) REFERENCES example_author (id))");

    tabula::ReflectOptions only_ours;
    only_ours.tables = {"example_author", "example_book"};  // by name: others share the database
    tabula::Models models = tabula::automap(engine, only_ours);
    const tabula::Model& author = models.at("example_author");
    const tabula::Model& book = models.at("example_book");
    tabula::set_statement_handler(
        [](std::string_view sql, std::size_t) { std::cout << "  sql: " << sql << "\n"; });

    // 1. A parent and its children in one commit; the keys come from the database.
    std::int64_t ada_id = 0;
    {
      tabula::Session session = engine.session();
      tabula::Record& ada = session.add(author.make({{"name", "Ada Lovelace"}}));
      for (const char* title : {"Notes on the Analytical Engine", "Sketch of the Engine"}) {
        tabula::Record& b = session.add(book.make({{"title", title}}));
        session.link(b, "example_author", ada);  // author_id = ada's id, once it has one
      }
      std::cout << "commit 1\n";
      session.commit();
      ada_id = ada.get<std::int64_t>("id");
      std::int64_t copies = session.query(book).first()->get<std::int64_t>("copies");
      std::cout << "author id " << ada_id << ", books default to " << copies << " copy\n";
    }

    // 2. The identity map, a change, a query.
    {
      tabula::Session session = engine.session();
      tabula::Record* ada = session.get(author, ada_id);
      bool same = session.get(author, ada_id) == ada;  // no SQL: the identity map answers
      std::cout << "same object from a second get: " << (same ? "yes" : "no") << "\n";
      for (tabula::Record* b : session.children(*ada, "example_book_collection")) {
        b->set("copies", 3);
      }
      std::cout << "commit 2\n";
      session.commit();
      std::uint64_t several = session.query(book).where("copies > ?", 1).count();
      std::cout << "books with more than one copy: " << several << "\n";
    }

    // 3. A savepoint undoes only its own part.
    {
      tabula::Session session = engine.session();
      session.add(author.make({{"name", "Charles Babbage"}}));
      {
        tabula::Savepoint draft = session.savepoint();
        session.add(author.make({{"name", "Nobody"}}));
        session.flush();
      }  // not released: rolled back
      session.commit();
      std::uint64_t authors = session.query(author).count();
      std::cout << "authors now: " << authors << "\n";
    }

    // 4. engine.transaction: committed if the work returns, rolled back if it throws.
    try {
      engine.transaction([&](tabula::Session& s) {
        s.remove(*s.query(book).order_by("id").first());
        throw std::runtime_error("changed my mind");
      });
    } catch (const std::runtime_error& e) {
      std::cout << "transaction rolled back: " << e.what() << "\n";
    }
    tabula::set_statement_handler(nullptr);
    tabula::Session check = engine.session();
    std::uint64_t books = check.query(book).count();
    std::cout << "books still there: " << books << "\n";
    check.rollback();

    engine.execute("DROP TABLE example_book");
    engine.execute("DROP TABLE example_author");
  } catch (const tabula::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

// examples/connect: open a database, run statements, handle errors.
//
//   connect                                   # SQLite in memory, no server needed
//   connect 'mysql://app:secret@127.0.0.1:3306/shop'
//
// What it shows: an Engine made from a URL, a Lease that gives its connection back at scope exit,
// statements through the leased connection, and tabula's errors with the server's code and
// SQLSTATE. The URL is printed with its password hidden.

#include <tabula/tabula.hpp>

#include <soci/soci.h>

#include <iostream>

int main(int argc, char** argv) {
  try {
    tabula::Engine engine(argc > 1 ? argv[1] : "sqlite://:memory:");
    std::cout << "engine:  " << engine.url() << "\n";

    tabula::Lease lease = engine.checkout();  // the first connection opens here
    std::cout << "server:  " << tabula::to_string(engine.dialect()) << " "
              << lease->server_version() << "\n";

    lease->execute("DROP TABLE IF EXISTS example_greeting");
    lease->execute("CREATE TABLE example_greeting (id INTEGER PRIMARY KEY, text VARCHAR(40))");
    lease->execute("INSERT INTO example_greeting VALUES (1, 'hello from tabula')");

    // SOCI statements go through run(), which turns SOCI's exceptions into tabula's.
    std::string text;
    lease->run([&](soci::session& sql) {
      sql << "SELECT text FROM example_greeting WHERE id = :id", soci::use(1), soci::into(text);
    });
    std::cout << "read:    " << text << "\n";

    try {
      lease->execute("INSERT INTO example_greeting VALUES (1, 'again')");
    } catch (const tabula::SqlError& e) {
      std::cout << "refused: duplicate key (code " << e.code() << ", SQLSTATE " << e.sqlstate()
                << ")\n";
    }
    lease->execute("DROP TABLE example_greeting");
  } catch (const tabula::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

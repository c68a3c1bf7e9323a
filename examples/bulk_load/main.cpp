// examples/bulk_load: loading many rows through a session with write-behind.
//
//   bulk_load                                   # a small SQLite database in memory
//   bulk_load 'mysql://app:secret@127.0.0.1:3306/shop'
//
// What it shows: with SessionOptions::write_behind, add() sends each full page of inserts (1000
// rows on MariaDB) and returns while the server runs it, so making the next records overlaps the
// server's work; every record still gets the key of its own row. A row the server refuses is
// reported by the call that waits for its page (an add() or the commit), naming the record;
// nothing is committed, everything is staged again, and a commit after the fix lands it all.
// (On SQLite, where rows go one per statement, add() only stages: the same code works.)

#include <tabula/tabula.hpp>

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  try {
    tabula::Engine engine(argc > 1 ? argv[1] : "sqlite://:memory:", {.max_connections = 1});
    engine.execute("DROP TABLE IF EXISTS example_reading");
    std::string numbered = engine.dialect() == tabula::Dialect::mysql ? " AUTO_INCREMENT" : "";
    engine.execute("CREATE TABLE example_reading (id INTEGER PRIMARY KEY" + numbered +
                   ", sensor VARCHAR(20) NOT NULL UNIQUE, celsius DECIMAL(5,2) NOT NULL)");
    tabula::ReflectOptions only_ours;
    only_ours.tables = {"example_reading"};
    tabula::Models models = tabula::automap(engine, only_ours);
    const tabula::Model& reading = models.at("example_reading");

    auto make = [&](int n, const std::string& sensor) {
      return reading.make(
          {{"sensor", sensor}, {"celsius", tabula::Decimal(std::to_string(n % 40) + ".25")}});
    };

    // 1. 5000 rows, one commit; pages go while the records are made.
    tabula::Session session = engine.session({.write_behind = true});
    std::vector<tabula::Record*> added;
    for (int n = 0; n < 5000; ++n) {
      added.push_back(&session.add(make(n, "s-" + std::to_string(n))));
    }
    session.commit();
    std::cout << "loaded " << added.size() << " rows; record 0 has key "
              << added.front()->get<std::int64_t>("id") << ", record 4999 has key "
              << added.back()->get<std::int64_t>("id") << "\n";

    // 2. A duplicate sensor in the middle of the next load.
    std::vector<tabula::Record*> more;
    try {
      for (int n = 0; n < 3000; ++n) {
        std::string sensor = n == 1500 ? "s-42" : "t-" + std::to_string(n);
        more.push_back(&session.add(make(n, sensor)));
      }
      session.commit();
    } catch (const tabula::SqlError& e) {
      std::cout << "refused: " << e.what() << "\n";
    }
    // (Counted by another session: this one's queries would flush its staged work first.)
    std::cout << "rows after the refusal: " << engine.session().query(reading).count() << "\n";
    // Everything is staged again: fix the record at fault and commit.
    more[1500]->set("sensor", "t-1500");
    session.commit();
    std::cout << "rows after the fix: " << engine.session().query(reading).count() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "bulk_load: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

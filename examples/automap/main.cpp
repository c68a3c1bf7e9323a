// examples/automap: records checked against the schema before any SQL is sent.
//
//   automap                                   # a small SQLite schema it creates in memory
//   automap 'mysql://app:secret@127.0.0.1:3306/shop'
//
// What it shows: automap() over a reflected schema; make() and set() validating values; the
// error a bad value gets; JSON out and back; the relationships read from foreign keys.

#include <tabula/tabula.hpp>

#include <iostream>

int main(int argc, char** argv) {
  try {
    tabula::Engine engine(argc > 1 ? argv[1] : "sqlite://:memory:");
    engine.execute("DROP TABLE IF EXISTS example_item");
    engine.execute("DROP TABLE IF EXISTS example_shelf");
    engine.execute(
        "CREATE TABLE example_shelf (id INTEGER PRIMARY KEY, label VARCHAR(20) NOT NULL)");
    engine.execute(
        "CREATE TABLE example_item (id INTEGER PRIMARY KEY, shelf_id INTEGER NOT NULL, "
        "name VARCHAR(12) NOT NULL, price DECIMAL(8,2), added DATE, "
        "FOREIGN KEY (shelf_id) REFERENCES example_shelf (id))");

    tabula::ReflectOptions options;
    // By name: other programs may be using the same database meanwhile.
    options.tables = {"example_shelf", "example_item"};
    tabula::Models models = tabula::automap(engine, options);
    const tabula::Model& item = models.at("example_item");

    tabula::Record r = item.make({{"shelf_id", 1}, {"name", "bolt"}, {"price", "0.25"}});
    r.set("added", "2026-11-25");
    std::cout << "record: " << r.to_json() << "\n";

    try {
      r.set("name", "a name far too long for twelve");
    } catch (const tabula::ValidationError& e) {
      std::cout << "refused: " << e.what() << "\n";
    }
    try {
      r.set("price", 0.1);  // a double is not exact in DECIMAL(8,2)
    } catch (const tabula::ValidationError& e) {
      std::cout << "refused: " << e.what() << "\n";
    }

    tabula::Record back = item.from_json(r.to_json());
    std::cout << "back from JSON, price " << back.get<tabula::Decimal>("price").str() << "\n";

    for (const tabula::Model& model : models) {
      for (const tabula::Relationship& rel : model.relationships()) {
        std::cout << "relationship " << model.name() << "." << rel.name << " -> " << rel.target
                  << "\n";
      }
    }
    engine.execute("DROP TABLE example_item");
    engine.execute("DROP TABLE example_shelf");
  } catch (const tabula::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

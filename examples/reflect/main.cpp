// examples/reflect: read a database's schema and walk it.
//
//   reflect                                   # a small SQLite schema it creates in memory
//   reflect 'mysql://app:secret@127.0.0.1:3306/shop'
//
// What it shows: reflect() reading tables, columns, keys and foreign keys in a fixed number of
// catalog queries; the schema as plain data; its fingerprint; a JSON snapshot.

#include <tabula/tabula.hpp>

#include <iostream>

int main(int argc, char** argv) {
  try {
    tabula::Engine engine(argc > 1 ? argv[1] : "sqlite://:memory:");
    if (argc <= 1 || engine.dialect() == tabula::Dialect::mysql) {
      engine.execute("DROP TABLE IF EXISTS example_line");
      engine.execute("DROP TABLE IF EXISTS example_order");
      engine.execute(
          "CREATE TABLE example_order (id INTEGER PRIMARY KEY, customer VARCHAR(40) NOT NULL, "
          "status VARCHAR(10) DEFAULT 'new')");
      engine.execute(
          "CREATE TABLE example_line (order_id INTEGER NOT NULL, line INTEGER NOT NULL, "
          "qty INTEGER DEFAULT 1, PRIMARY KEY (order_id, line), "
          "FOREIGN KEY (order_id) REFERENCES example_order (id) ON DELETE CASCADE)");
    }

    tabula::ReflectOptions options;
    // Exact names: other programs may be creating tables in the same database meanwhile.
    // `options.pattern = "example\\_%"` would read every table whose name starts "example_".
    options.tables = {"example_order", "example_line"};
    tabula::ReflectStats stats;
    tabula::Schema schema = tabula::reflect(engine, options, &stats);
    std::cout << "reflected " << schema.tables.size() << " tables in " << stats.queries
              << " catalog queries, fingerprint " << tabula::fingerprint(schema) << "\n";
    for (const tabula::Table& table : schema.tables) {
      std::cout << "\n" << table.name << " (primary key:";
      for (const std::string& column : table.primary_key) std::cout << " " << column;
      std::cout << ")\n";
      for (const tabula::Column& c : table.columns) {
        std::cout << "  " << c.name << " " << c.column_type << (c.nullable ? "" : " NOT NULL");
        if (c.default_kind == tabula::DefaultKind::literal) {
          std::cout << " default '" << c.default_value << "'";
        }
        std::cout << "\n";
      }
      for (const tabula::ForeignKey& fk : table.foreign_keys) {
        std::cout << "  -> " << fk.referenced_table << " on delete " << to_string(fk.on_delete)
                  << "\n";
      }
    }
    std::string json = tabula::to_json(schema);
    std::cout << "\nsnapshot: " << json.size() << " bytes of JSON, read back equal: "
              << (tabula::schema_from_json(json) == schema ? "yes" : "no") << "\n";
    engine.execute("DROP TABLE example_line");
    engine.execute("DROP TABLE example_order");
  } catch (const tabula::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

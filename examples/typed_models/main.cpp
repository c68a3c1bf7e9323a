// examples/typed_models: typed structs generated from a schema snapshot at build time.
//
//   typed_models                                   # SQLite, in memory
//   typed_models 'mysql://app:secret@127.0.0.1:3306/shop'
//
// The header "shop_models.hpp" comes from shop.json (a snapshot made with
// `tabula inspect --json`) through tabula_generate_models() in CMakeLists.txt: the build needs no
// database. At run time the program creates the two tables, checks that the structs still match
// them (engine.verify), then inserts, reads, changes and queries through typed sessions.

#include "shop_models.hpp"

#include <tabula/tabula.hpp>

#include <iostream>

int main(int argc, char** argv) {
  try {
    tabula::Engine engine(argc > 1 ? argv[1] : "sqlite://:memory:", {.max_connections = 1});
    bool mysql = engine.dialect() == tabula::Dialect::mysql;
    engine.execute("DROP TABLE IF EXISTS invoice");
    engine.execute("DROP TABLE IF EXISTS customer");
    // The same shape on both databases (what shop.json describes).
    engine.execute(std::string("CREATE TABLE customer (id ") +
                   (mysql ? "BIGINT AUTO_INCREMENT" : "INTEGER") +
                   " PRIMARY KEY, name VARCHAR(40) NOT NULL, credit NUMERIC(8,2) NOT NULL "
                   "DEFAULT 10, joined DATE)");
    engine.execute(std::string("CREATE TABLE invoice (id ") +
                   (mysql ? "BIGINT AUTO_INCREMENT" : "INTEGER") +
                   " PRIMARY KEY, customer_id BIGINT NOT NULL REFERENCES customer (id), "
                   "total NUMERIC(8,2) NOT NULL, paid " +
                   (mysql ? "BIGINT" : "INTEGER") + " NOT NULL DEFAULT 0)");

    engine.verify<shop::Customer>();  // throws, listing differences, if the tables moved on
    engine.verify<shop::Invoice>();
    std::cout << "structs match the tables\n";

    tabula::Session session = engine.session();
    shop::Customer& ada = session.add(
        shop::Customer{.name = "Ada", .joined = tabula::Date{std::chrono::year{2026} / 11 / 25}});
    session.commit();
    std::cout << "customer " << ada.id << " " << ada.name << ", credit " << ada.credit.str()
              << " (the server's default)\n";

    for (const char* total : {"9.50", "120.00"}) {
      session.add(shop::Invoice{.customer_id = ada.id, .total = tabula::Decimal(total)});
    }
    session.commit();

    shop::Invoice* first = session.get<shop::Invoice>(1);
    first->paid = 1;  // an UPDATE of `paid` at the next commit
    session.commit();

    std::vector<shop::Invoice> open = session.query<shop::Invoice>().where("paid = ?", 0).all();
    std::cout << "open invoices: " << open.size() << ", total " << open.front().total.str() << "\n";
    session.rollback();  // end the read

    engine.execute("DROP TABLE invoice");
    engine.execute("DROP TABLE customer");
  } catch (const tabula::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

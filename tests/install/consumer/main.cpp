// A program built against an installed tabula, the way a user's project would use it, with a
// typed header made at build time by the installed tabula-gen.
#include "shop_models.hpp"

#include <tabula/tabula.hpp>

#include <iostream>

int main() {
  tabula::Engine engine("sqlite://:memory:", {.max_connections = 1});
  engine.execute(
      "CREATE TABLE customer (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, credit "
      "NUMERIC(8,2) NOT NULL DEFAULT 10, joined DATE)");
  engine.execute(
      "CREATE TABLE invoice (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, total "
      "NUMERIC(8,2) NOT NULL, paid INTEGER NOT NULL DEFAULT 0)");
  tabula::Session session = engine.session();
  shop::Customer& c = session.add(shop::Customer{.name = "consumer"});
  session.commit();
  std::cout << "consumer: connected to " << engine.url() << ", customer " << c.id << "\n";
  return c.id == 1 ? 0 : 1;
}

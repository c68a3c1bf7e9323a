// A program built against an installed tabula with nothing but its pkg-config file:
//   c++ pkgconfig_consumer.cpp $(pkg-config --cflags --libs tabula)
#include <tabula/tabula.hpp>

#include <iostream>

int main() {
  tabula::Engine engine("sqlite://:memory:", {.max_connections = 1});
  engine.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  std::string row = engine.insert("item", R"({"name": "from pkg-config"})");
  std::cout << "pkgconfig_consumer: " << row << "\n";
  return row.find("\"id\":1") != std::string::npos ? 0 : 1;
}

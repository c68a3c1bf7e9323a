#pragma once

// C++ names for SQL names: valid, stable (the same schema always gives the same names) and
// distinct. The rules (docs/codegen.md):
//   - letters, digits and '_' are kept; every other byte (spaces, '-', non-ASCII UTF-8 bytes)
//     becomes '_', and runs of '_' from such bytes are kept as they are (stability over beauty);
//   - a name that starts with a digit, or is empty, gets a prefix;
//   - C++ keywords and names reserved to the implementation (a leading '_' followed by a
//     capital, or containing "__") get a trailing '_' or are rewritten;
//   - when two SQL names give one C++ name, the later one (in SQL name order) gets _2, _3, ...

#include <set>
#include <string>
#include <string_view>

namespace tabula::codegen {

// `sql` as an identifier, before making it unique; `prefix` is put before a leading digit.
std::string identifier(std::string_view sql, std::string_view prefix);

// "film_actor" -> "FilmActor", "order-items" -> "OrderItems", "2024" -> "T2024".
std::string type_name(std::string_view sql);

// Hands out names, each once: take("x") is "x", a second take("x") is "x_2".
class NameSet {
 public:
  std::string take(std::string name);
  void reserve(std::string name) { taken_.insert(std::move(name)); }

 private:
  std::set<std::string> taken_;
};

}  // namespace tabula::codegen

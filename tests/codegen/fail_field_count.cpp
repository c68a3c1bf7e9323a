// Must not compile: traits that name three columns for a struct with two fields.
#include <tabula/typed_session.hpp>

struct Shelf {
  int id;
  std::string label;
};

template <>
struct tabula::table_traits<Shelf> {
  static constexpr std::string_view name = "shelf";
  static constexpr std::array<std::string_view, 3> columns{"id", "label", "kind"};
  static constexpr std::array<std::size_t, 1> primary_key{0};
  static constexpr std::optional<std::size_t> auto_increment = 0;
  static constexpr bool is_view = false;
};

Shelf* misuse(tabula::Session& session) {
  return session.get<Shelf>(1);
}

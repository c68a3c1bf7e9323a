#pragma once

// Typed models: plain aggregates (one per table) that tabula-gen writes, described by a
// table_traits specialisation, so that code can name columns as struct fields and the compiler
// checks their types.
//
//   #include "shop_models.hpp"          // tabula-gen mysql://.../shop --namespace shop -o ...
//   shop::Orders o{.customer = "ada", .qty = 3};
//   using traits = tabula::table_traits<shop::Orders>;
//   traits::name;                       // "orders": the exact SQL name
//   traits::columns[1];                 // "customer": SQL column names in field order
//
// Boost 1.81's PFR walks an aggregate's fields but cannot name them, so the names live in the
// traits; docs/codegen.md has the type mapping and naming rules.

#include <tabula/detail/typed_check.hpp>
#include <tabula/schema.hpp>
#include <tabula/value.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tabula {

class Model;

// The C++ type tabula-gen gives a column's values, before std::optional for nullable columns:
// "std::int32_t", "tabula::Decimal", "std::string", ...; "enum" for MySQL ENUM columns (each
// gets a generated enum class). docs/codegen.md has the table.
std::string cpp_type_of(const Column& column, Dialect dialect);

// Specialised by generated headers for each model struct:
//   static constexpr std::string_view name;                  // SQL table name
//   static constexpr std::array<std::string_view, N> columns; // SQL column names, field order
//   static constexpr std::array<std::size_t, K> primary_key;  // field indexes, key order
//   static constexpr std::optional<std::size_t> auto_increment; // field index, if any
//   static constexpr bool is_view;
//   static constexpr bool read_only;  // a view or a sequence: sessions refuse to write it
template <class T>
struct table_traits;

// True for a type with table_traits (a generated model).
template <class T>
concept typed_model = requires {
  { table_traits<T>::name } -> std::convertible_to<std::string_view>;
  table_traits<T>::columns.size();
};

// A list of model types: a generated header's `all_models`. A plain pack (not std::tuple), so that
// a header of a thousand tables stays cheap to compile.
//   template <class... T> void each(tabula::model_list<T...>) { (register_model<T>(), ...); }
template <class... T>
struct model_list {
  static constexpr std::size_t size = sizeof...(T);
};

// Specialised by generated headers for each ENUM column's enum class: the SQL member spellings,
// in declaration (and enumerator) order.
template <class E>
struct enum_traits;

// The SQL spelling of an enumerator: enum_name(shop::OrdersStatus::shipped) == "shipped".
template <class E>
requires requires {
  enum_traits<E>::names;
}
constexpr std::string_view enum_name(E value) {
  return enum_traits<E>::names[static_cast<std::size_t>(value)];
}

// The enumerator spelled `name` in SQL, or nullopt.
template <class E>
requires requires {
  enum_traits<E>::names;
}
constexpr std::optional<E> enum_from_name(std::string_view name) {
  const auto& names = enum_traits<E>::names;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace tabula

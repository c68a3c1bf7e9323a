#pragma once

// A primary-key value for Session::get: one value, or several for a composite key, in the order
// of the table's key columns.
//
//   session.get("film", 7);
//   session.get("film_actor", {1, 23});   // (actor_id, film_id)

#include <tabula/value.hpp>

#include <concepts>
#include <initializer_list>
#include <utility>
#include <vector>

namespace tabula {

class Key {
 public:
  template <class T>
  requires std::constructible_from<Value, T> Key(T&& value)
      : values_{Value(std::forward<T>(value))} {}
  Key(std::initializer_list<Value> values) : values_(values) {}
  explicit Key(std::vector<Value> values) : values_(std::move(values)) {}

  const std::vector<Value>& values() const noexcept { return values_; }

 private:
  std::vector<Value> values_;
};

}  // namespace tabula

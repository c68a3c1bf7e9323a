#pragma once

// The typed objects of a session (add<T>, get<T>): each bound to its Record, fields pushed into
// the record before a flush and the record's values pulled back after. An object lives in its
// record's Tracked entry; the bindings keep the bound entries in order and find a record by its
// object.

#include <tabula/detail/typed_hooks.hpp>
#include <tabula/record.hpp>

#include "session/tracked.hpp"

#include <memory>
#include <unordered_map>
#include <vector>

namespace tabula::detail {

class TypedBindings {
 public:
  // Binds `object` to `t`'s record; returns the object.
  void* bind(Tracked& t, std::shared_ptr<void> object, const TypedHooks& hooks);
  // The record `object` is bound to, or nullptr.
  Record* record_of(const void* object) const;

  // Fields into the records of staged and persistent rows.
  void push();
  // Records' values into the objects; a failure is logged, not thrown (it runs after a flush
  // or a rollback, when the database already holds what it holds).
  void pull() noexcept;
  // What the database decided of `record` (`columns`) into its object, if it has one, where the
  // object's field still holds its default (TypedHooks::pull_decided); logged like pull().
  void pull_decided(const Record& record, const ColumnFlags& columns) noexcept;
  // Forgets the bindings (the entries, which hold the objects, go with the unit of work's).
  void clear() noexcept;
  bool empty() const noexcept { return bound_.empty(); }

 private:
  std::vector<Tracked*> bound_;
  // Object to record, for the bound_ entries before `indexed_`: made when first asked (a bulk
  // load of typed objects never asks, and hashing each of them cost as much as its insert).
  mutable std::unordered_map<const void*, Record*> by_object_;
  mutable std::size_t indexed_ = 0;
};

}  // namespace tabula::detail

#pragma once

// The typed objects of a session (add<T>, get<T>): each bound to its Record, fields pushed into
// the record before a flush and the record's values pulled back after.

#include <tabula/detail/typed_hooks.hpp>
#include <tabula/record.hpp>

#include <memory>
#include <unordered_map>

namespace tabula::detail {

class TypedBindings {
 public:
  // Binds `object` to `record`; returns the object.
  void* bind(Record& record, std::shared_ptr<void> object, TypedHooks hooks);
  // The object bound to `record`, or nullptr.
  void* object_of(const Record& record) const;
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
  void clear() noexcept;
  bool empty() const noexcept { return by_record_.empty(); }

 private:
  struct Binding {
    std::shared_ptr<void> object;
    TypedHooks hooks;
  };
  std::unordered_map<const Record*, Binding> by_record_;
  std::unordered_map<const void*, Record*> by_object_;
};

}  // namespace tabula::detail

#include "session/typed_bindings.hpp"

#include <tabula/log.hpp>

#include "record_access.hpp"
#include "session/tracked.hpp"

namespace tabula::detail {

void* TypedBindings::bind(Record& record, std::shared_ptr<void> object, TypedHooks hooks) {
  void* raw = object.get();
  by_record_[&record] = {std::move(object), hooks};
  by_object_[raw] = &record;
  return raw;
}

void* TypedBindings::object_of(const Record& record) const {
  auto it = by_record_.find(&record);
  return it == by_record_.end() ? nullptr : it->second.object.get();
}

Record* TypedBindings::record_of(const void* object) const {
  auto it = by_object_.find(object);
  return it == by_object_.end() ? nullptr : it->second;
}

void TypedBindings::push() {
  for (auto& [record, binding] : by_record_) {
    Tracked* t = RecordAccess::owner(*record);
    if (t->state == RecordState::pending || t->state == RecordState::persistent) {
      binding.hooks.push(binding.object.get(), t->record, t->state == RecordState::pending);
    }
  }
}

void TypedBindings::pull() noexcept {
  for (auto& [record, binding] : by_record_) {
    try {
      binding.hooks.pull(*record, binding.object.get());
    } catch (const std::exception& e) {
      log(LogLevel::warning,
          std::string("a typed object could not take its row's values: ") + e.what());
    }
  }
}

void TypedBindings::pull_decided(const Record& record, const ColumnFlags& columns) noexcept {
  auto it = by_record_.find(&record);
  if (it == by_record_.end()) return;
  try {
    it->second.hooks.pull_decided(record, it->second.object.get(), columns);
  } catch (const std::exception& e) {
    log(LogLevel::warning,
        std::string("a typed object could not take its row's values: ") + e.what());
  }
}

void TypedBindings::clear() noexcept {
  by_record_.clear();
  by_object_.clear();
}

}  // namespace tabula::detail

#include "session/typed_bindings.hpp"

#include <tabula/log.hpp>

#include "record_access.hpp"

namespace tabula::detail {
namespace {

// Runs a hook that copies into an object; a failure is logged (see pull()).
template <class Copy>
void logged(Copy copy) noexcept {
  try {
    copy();
  } catch (const std::exception& e) {
    log(LogLevel::warning,
        std::string("a typed object could not take its row's values: ") + e.what());
  }
}

}  // namespace

void* TypedBindings::bind(Tracked& t, std::shared_ptr<void> object, const TypedHooks& hooks) {
  void* raw = object.get();
  if (t.object == nullptr) {
    bound_.push_back(&t);
  } else {  // bound again: indexed afresh when next asked
    by_object_.clear();
    indexed_ = 0;
  }
  t.object = std::move(object);
  t.hooks = &hooks;
  return raw;
}

Record* TypedBindings::record_of(const void* object) const {
  for (; indexed_ < bound_.size(); ++indexed_) {
    by_object_[bound_[indexed_]->object.get()] = &bound_[indexed_]->record;
  }
  auto it = by_object_.find(object);
  return it == by_object_.end() ? nullptr : it->second;
}

void TypedBindings::push() {
  for (Tracked* t : bound_) {
    if (t->state == RecordState::pending || t->state == RecordState::persistent) {
      t->hooks->push(t->object.get(), t->record, t->state == RecordState::pending);
    }
  }
}

void TypedBindings::pull() noexcept {
  for (Tracked* t : bound_) logged([&] { t->hooks->pull(t->record, t->object.get()); });
}

void TypedBindings::pull_decided(const Record& record, const ColumnFlags& columns) noexcept {
  const Tracked* t = RecordAccess::owner(record);
  if (t == nullptr || t->object == nullptr) return;
  logged([&] { t->hooks->pull_decided(record, t->object.get(), columns); });
}

void TypedBindings::clear() noexcept {
  bound_.clear();
  by_object_.clear();
  indexed_ = 0;
}

}  // namespace tabula::detail

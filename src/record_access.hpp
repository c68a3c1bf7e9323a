#pragma once

// What a Session does to a Record that users cannot: load database values unchecked, switch
// change tracking on, read and restore the bookkeeping of which columns were set or changed.

#include <tabula/record.hpp>

namespace tabula::detail {

struct RecordAccess {
  using Originals = std::vector<std::pair<std::size_t, Value>>;

  // Ties the record to its session: `owner` comes back from owner(), and set() reports the
  // record's first change into `change_log`.
  static void adopt(Record& r, Tracked* owner, std::vector<Record*>* change_log) noexcept {
    r.owner_ = owner;
    r.change_log_ = change_log;
  }
  // The session's entry for the record; nullptr when no session owns it.
  static Tracked* owner(const Record& r) noexcept { return r.owner_; }

  static void load(Record& r, std::size_t index, Value value) { r.load(index, std::move(value)); }
  static void track_changes(Record& r) noexcept { r.track_changes(); }
  static void stop_tracking(Record& r) noexcept { r.stop_tracking(); }
  static const Value& value(const Record& r, std::size_t index) { return r.values_[index]; }
  static bool is_set(const Record& r, std::size_t index) { return r.set_[index]; }
  static const ColumnFlags& set_mask(const Record& r) noexcept { return r.set_; }

  // Takes the changed columns' database values: after a successful UPDATE they are no longer
  // changes. Returns them so a rollback can put them back.
  static Originals take_originals(Record& r) noexcept { return std::exchange(r.originals_, {}); }
  static const Originals& originals(const Record& r) noexcept { return r.originals_; }

  // After a failed flush: the update was not kept, so the columns are changed again.
  static void restore_originals(Record& r, Originals originals) {
    if (r.originals_.empty() && !originals.empty()) r.note_change();
    for (auto& entry : originals) r.originals_.push_back(std::move(entry));
  }
  // After a rolled-back savepoint or transaction: the record goes back to the database's values.
  static void revert(Record& r, const Originals& originals) {
    for (const auto& [index, value] : originals) r.values_[index] = value;
    r.originals_.clear();
  }
  // After a rolled-back statement that changed column `index` on the server's own (ON UPDATE):
  // the database holds `value` again. A change the user made since stays the record's value
  // and is now a change from `value`; otherwise the record takes `value`.
  static void restore_database_value(Record& r, std::size_t index, Value value) {
    for (auto& entry : r.originals_) {
      if (entry.first == index) {
        entry.second = std::move(value);
        return;
      }
    }
    r.load(index, std::move(value));
  }
  // After a rolled-back insert: the columns the database filled in are unset again.
  static void unset_except(Record& r, const ColumnFlags& keep) {
    for (std::size_t i = 0; i < keep.size(); ++i) {
      if (!keep[i]) {
        r.values_[i] = Value();
        r.set_.reset(i);
      }
    }
  }
};

}  // namespace tabula::detail

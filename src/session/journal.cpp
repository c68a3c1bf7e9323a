#include "session/journal.hpp"

namespace tabula::detail {

void Journal::inserted(Tracked& t, ColumnFlags staged_mask) {
  entries.push_back({JournalEntry::Kind::inserted, &t, std::move(staged_mask)});
}

std::size_t Journal::updated(Tracked& t, RecordAccess::Originals originals) {
  entries.push_back({JournalEntry::Kind::updated, &t, {}});
  changes.push_back({std::move(originals), t.identity, {}});
  return changes.size() - 1;
}

void Journal::deleted(Tracked& t) {
  entries.push_back({JournalEntry::Kind::deleted, &t, {}});
  changes.push_back({{}, t.identity, {}});
}

void Journal::undo(std::size_t mark, bool restage, UnitOfWork& unit) {
  unit.forget_staged_summary();  // also when undoing stops half-way
  if (!restage) unit.discard_staged();
  while (entries.size() > mark) {
    JournalEntry entry = std::move(entries.back());
    entries.pop_back();
    JournalChange change;
    if (entry.kind != JournalEntry::Kind::inserted) {
      change = std::move(changes.back());
      changes.pop_back();
    }
    Tracked& t = *entry.tracked;
    switch (entry.kind) {
      case JournalEntry::Kind::inserted: {
        unit.leave_identity(t);
        // Staged again, the record keeps the columns it gave and those changed since the insert
        // (a change made after its row was written, to a column the database had filled in, is
        // not lost); the rest of what the database filled in goes.
        ColumnFlags keep = entry.staged_mask;
        if (restage) {
          for (const auto& [index, value] : RecordAccess::originals(t.record)) keep.set(index);
        }
        RecordAccess::stop_tracking(t.record);
        RecordAccess::unset_except(t.record, keep);
        t.state = restage ? RecordState::pending : RecordState::detached;
        break;
      }
      case JournalEntry::Kind::updated:
        // What the server changed on its own goes back too; when the work is staged again, a
        // change the user made to such a column since is kept as a change.
        for (auto& [index, value] : change.server_changed) {
          if (restage) {
            RecordAccess::restore_database_value(t.record, index, std::move(value));
          } else {
            RecordAccess::load(t.record, index, std::move(value));
          }
        }
        if (restage) {
          RecordAccess::restore_originals(t.record, std::move(change.originals));
        } else {
          RecordAccess::revert(t.record, change.originals);
        }
        if (change.identity != t.identity) {
          unit.leave_identity(t);
          unit.restore_identity(t, std::move(change.identity));
        }
        break;
      case JournalEntry::Kind::deleted:
        t.state = restage ? RecordState::deleting : RecordState::persistent;
        unit.restore_identity(t, std::move(change.identity));
        RecordAccess::track_changes(t.record);
        break;
    }
  }
  unit.rebuild_staged_lists();
}

std::string Journal::savepoint_name(std::size_t depth) {
  return "tabula_savepoint_" + std::to_string(depth);
}

}  // namespace tabula::detail

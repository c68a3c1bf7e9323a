#pragma once

// What a flush did in the current transaction, so that a rollback (of the transaction or to a
// savepoint) can bring the session's records back in line with the database.

#include <tabula/detail/column_flags.hpp>

#include "record_access.hpp"
#include "session/tracked.hpp"
#include "session/unit_of_work.hpp"

#include <string>
#include <vector>

namespace tabula::detail {

// One entry per record a flush wrote: 32 bytes, since a big insert journals every row.
struct JournalEntry {
  enum class Kind { inserted, updated, deleted };
  Kind kind;
  Tracked* tracked;
  ColumnFlags staged_mask;  // inserted: the columns the user had set
};

// What an update or a delete must give back on undo, kept apart from the entries (in the same
// order: the entries' last update or delete owns the last change).
struct JournalChange {
  RecordAccess::Originals originals;  // updated: the database's values before the UPDATE
  std::string identity;               // updated and deleted: the key it had before
  // updated: columns the server changed on its own (ON UPDATE), as they were before
  RecordAccess::Originals server_changed;
};

class Journal {
 public:
  std::vector<JournalEntry> entries;    // since BEGIN
  std::vector<JournalChange> changes;   // one per updated or deleted entry
  std::vector<std::size_t> savepoints;  // entries.size() when each was set

  void inserted(Tracked& t, ColumnFlags staged_mask);
  // Returns the change's index in `changes`, whose server_changed the caller may fill once the
  // UPDATE is journaled.
  std::size_t updated(Tracked& t, RecordAccess::Originals originals);
  void deleted(Tracked& t);

  // Puts the records of `unit` back as the database has them after a rollback to entry `mark`:
  // `restage` (a failed flush) stages the undone work again; otherwise (a rollback the user
  // asked for) it is discarded, along with everything staged and not yet sent.
  void undo(std::size_t mark, bool restage, UnitOfWork& unit);

  // "tabula_savepoint_<depth>", depth counting from 1.
  static std::string savepoint_name(std::size_t depth);

  void clear() noexcept {
    entries.clear();
    changes.clear();
    savepoints.clear();
  }
  // The records are let go (Session::clear): what was flushed stays in the transaction, the
  // savepoints too, with nothing to undo in memory.
  void forget_records() noexcept {
    for (std::size_t& mark : savepoints) mark = 0;
    entries.clear();
    changes.clear();
  }
};

}  // namespace tabula::detail

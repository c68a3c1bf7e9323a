#pragma once

// The unit of work: the session's records (stable addresses), the identity map that makes one
// row one Record, and what is staged for the next flush (inserts, changed records, deletes).
// It sends no SQL; the flush writers and the journal work on it.

#include <tabula/automap.hpp>

#include "detail/column_rules.hpp"
#include "detail/stable_list.hpp"
#include "dialect/result_set.hpp"
#include "session/tracked.hpp"

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tabula::detail {

// Pages of inserts a session sent ahead of its flush (SessionOptions::write_behind).
class SentAhead {
 public:
  // Waits for them and reports their rows; throws as a failed flush does.
  virtual void land_sent() = 0;

 protected:
  ~SentAhead() = default;
};

class UnitOfWork {
 public:
  StableList<Tracked> records;      // stable addresses
  std::vector<Record*> changed;     // records set() reported changed since the last flush
  std::vector<Tracked*> unindexed;  // inserted, keyed, not yet in identity_map
  std::unordered_map<const Model*, std::unordered_map<std::string, Tracked*>> identity_map;
  std::vector<Tracked*> inserts;  // staged, in staging order
  std::vector<Tracked*> deletes;
  // Sent ahead of the flush, waiting for their page to land (Tracked::in_flight), and who lands
  // it: a change to one of them waits for that first.
  std::vector<Tracked*> in_flight;
  SentAhead* sent_ahead = nullptr;

  Tracked& track(Record&& record, RecordState state);
  // Stages `t` (pending) for insertion, at the end of `inserts`.
  void stage(Tracked& t);
  // Forgets what stage() learned of the staged inserts (a record was linked to a parent, or a
  // flush is being undone): the next check_insertable() looks at every insert.
  void forget_staged_summary() noexcept { staged_.uniform = false; }
  // The entry for `record`; Error naming `operation` when it is not this unit's.
  Tracked& tracked(const Record& record, std::string_view operation);

  // Identity map: entered under the record's key as it is now; left under the key it was
  // entered with.
  void enter_identity(Tracked& t);
  void leave_identity(Tracked& t);
  // Enters `t` under `identity`, a key it had before (undoing an update or a delete).
  void restore_identity(Tracked& t, std::string identity);
  Tracked* find_identity(const Model& model, const std::string& identity);
  // A record just inserted: keyed now, entered into the map when a lookup next needs it (a
  // session that only inserts never pays for the map: a hash insert that misses the cache is
  // most of a row's cost).
  void index_later(Tracked& t);

  // Row `row` of `result` (every column of `model`, in table order) as the session's record: the
  // existing one when the key is already mapped, else a new persistent record.
  Record* adopt(const Model& model, const std::vector<Family>& families, const ResultSet& result,
                std::size_t row);

  bool has_work() const;
  // Staged inserts (those sent ahead included) and deletes, and changed records (each once).
  std::size_t pending_count() const;
  // What the staged inserts are, learned in the pass that checks them (a flush of many records
  // walks them once before its first statement, not once per question).
  struct StagedInserts {
    const Model* one_model = nullptr;  // the table every insert goes to; nullptr: several
    bool linked = false;               // an insert takes a key from a parent record
  };
  // Throws ValidationError for a staged insert that leaves a required column unset (columns a
  // link will fill count as given).
  StagedInserts check_insertable() const;
  // Inserts into one table and nothing else: no parent among them still pending, nothing to
  // update or delete.
  bool only_inserts_into_one_table(const StagedInserts& staged) const;

  // Forgets what is staged: pending records are dropped, removals and changes undone.
  void discard_staged();
  // The staged lists again from the records' states (after the journal was undone).
  void rebuild_staged_lists();
  // Lets go of every record (Session::clear).
  void clear();

 private:
  // What check_insertable() would learn of the inserts staged since `inserts` and `in_flight`
  // were last empty, learned as each was staged (its record in cache then): a flush of complete
  // inserts into one table does not walk them all again before its first statement. While a
  // record is staged its set columns only grow, so one complete when staged stays complete
  // (undoing a flush unsets what the flush read back, and forgets what this knew).
  struct StagedSummary {
    const Model* model = nullptr;  // the first one's
    ColumnFlags required;          // the columns an insert into `model` must give
    bool uniform = true;           // each of `model`, unlinked, with every required column set
  };
  StagedSummary staged_;
};

}  // namespace tabula::detail

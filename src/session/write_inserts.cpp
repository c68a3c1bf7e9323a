// The INSERT half of a flush: which rows go when (parents first, and within a table a row after
// the rows it links to); the statements are the dialect's InsertWriter's.

#include <tabula/error.hpp>

#include "connection_access.hpp"
#include "session/flush_order.hpp"
#include "session/session_state.hpp"

#include <algorithm>

namespace tabula::detail {

void SessionState::resolve_links(Tracked& t) {
  for (const Link& link : t.links) {
    const Record& parent = link.parent->record;
    if (link.parent->state == RecordState::detached) {
      throw Error("cannot write " + t.record.model().name() + ": its " + link.relationship->name +
                  " was removed or rolled back");
    }
    for (std::size_t k = 0; k < link.relationship->columns.size(); ++k) {
      const Value& key = parent.get(link.relationship->target_columns[k]);
      if (key.is_null()) {
        throw Error("cannot write " + t.record.model().name() + ": its " + link.relationship->name +
                    " has no " + link.relationship->target_columns[k] + " yet");
      }
      t.record.set(link.relationship->columns[k], key);
    }
  }
}

void SessionState::write_inserts(Connection& conn, const UnitOfWork::StagedInserts& staged) {
  std::vector<Tracked*>& inserts = unit.inserts;
  if (inserts.empty()) return;
  // One journal entry per row: made room for once, not regrown (and moved) while the rows go.
  journal.entries.reserve(journal.entries.size() + inserts.size());
  std::unique_ptr<InsertWriter> writer =
      ConnectionAccess::dialect(conn).insert_writer(conn, *this, tx.insert_options());
  if (staged.one_model != nullptr && !staged.linked) {
    // One table and no links (the common bulk insert): every row is ready, in one wave.
    std::vector<Record*> wave;
    wave.reserve(inserts.size());
    for (Tracked* t : inserts) wave.push_back(&t->record);
    writer->insert(*staged.one_model, wave, !tx.in_transaction());
    inserts.clear();
    return;
  }
  std::vector<const Model*> models;
  for (Tracked* t : inserts) {
    const Model* m = &t->record.model();
    if (std::find(models.begin(), models.end(), m) == models.end()) models.push_back(m);
  }
  for (const Model* model : parents_first(models)) {
    const Table& table = model->table();
    std::vector<Tracked*> rows;
    if (models.size() == 1) rows.reserve(inserts.size());
    for (Tracked* t : inserts) {
      if (&t->record.model() == model && t->state == RecordState::pending) rows.push_back(t);
    }
    // Waves: a record whose linked parent (same table) is not inserted yet waits for it.
    while (!rows.empty()) {
      std::vector<Record*> wave;
      wave.reserve(rows.size());
      std::vector<Tracked*> later;
      for (Tracked* t : rows) {
        bool ready = std::all_of(t->links.begin(), t->links.end(), [&](const Link& l) {
          return l.parent == t || l.parent->state != RecordState::pending;
        });
        if (ready) {
          resolve_links(*t);
          wave.push_back(&t->record);
        } else {
          later.push_back(t);
        }
      }
      if (wave.empty()) {
        throw Error("records of " + table.name +
                    " are linked to each other in a cycle; insert one first, or set its "
                    "foreign key to NULL and update it after");
      }
      // Outside a transaction only work flush() judged one INSERT statement arrives here.
      bool alone = !tx.in_transaction() && wave.size() == inserts.size();
      writer->insert(*model, wave, alone);
      rows = std::move(later);
    }
  }
  inserts.clear();
}

}  // namespace tabula::detail

#include "session/unit_of_work.hpp"

#include <tabula/error.hpp>

#include "detail/column_rules.hpp"
#include "dialect/read_back.hpp"
#include "record_access.hpp"
#include "session/identity.hpp"

#include <algorithm>

namespace tabula::detail {

namespace {

// The columns an insert must give (Record::check_insertable's rule, as one mask).
ColumnFlags required_columns(const Table& table) {
  ColumnFlags required(table.columns.size());
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (required_on_insert(table.columns[i])) required.set(i);
  }
  return required;
}

}  // namespace

Tracked& UnitOfWork::track(Record&& record, RecordState state) {
  Tracked& t = records.emplace_back(std::move(record), this);
  t.state = state;
  RecordAccess::adopt(t.record, &t, &changed);
  return t;
}

void UnitOfWork::stage(Tracked& t) {
  if (inserts.empty() && in_flight.empty()) staged_ = {};  // nothing staged is unknown
  const Model* m = &t.record.model();
  if (staged_.uniform) {
    if (staged_.model == nullptr) {
      staged_.model = m;
      staged_.required = required_columns(m->table());
    }
    staged_.uniform = m == staged_.model && t.links.empty() && !m->read_only() &&
                      RecordAccess::set_mask(t.record).contains(staged_.required);
  }
  inserts.push_back(&t);
}

Tracked& UnitOfWork::tracked(const Record& record, std::string_view operation) {
  Tracked* t = RecordAccess::owner(record);
  if (t == nullptr || t->unit != this) {
    throw Error(std::string(operation) + ": this " + record.model().name() +
                " record does not belong to the session (use the Record& that add(), get() or "
                "query() returned)");
  }
  return *t;
}

void UnitOfWork::enter_identity(Tracked& t) {
  t.identity = identity_of(t.record);
  if (!t.identity.empty()) identity_map[&t.record.model()][t.identity] = &t;
}

void UnitOfWork::leave_identity(Tracked& t) {
  if (t.identity.empty()) return;
  auto& map = identity_map[&t.record.model()];
  if (auto it = map.find(t.identity); it != map.end() && it->second == &t) map.erase(it);
  t.identity.clear();
}

void UnitOfWork::restore_identity(Tracked& t, std::string identity) {
  t.identity = std::move(identity);
  identity_map[&t.record.model()][t.identity] = &t;
}

Tracked* UnitOfWork::find_identity(const Model& model, const std::string& identity) {
  for (Tracked* t : unindexed) {
    if (t->state == RecordState::persistent || t->state == RecordState::deleting) {
      if (!t->identity.empty()) identity_map[&t->record.model()][t->identity] = t;
    }
  }
  unindexed.clear();
  auto m = identity_map.find(&model);
  if (m == identity_map.end()) return nullptr;
  auto it = m->second.find(identity);
  return it == m->second.end() ? nullptr : it->second;
}

void UnitOfWork::index_later(Tracked& t) {
  t.identity = identity_of(t.record);
  if (!t.identity.empty()) unindexed.push_back(&t);
}

Record* UnitOfWork::adopt(const Model& model, const std::vector<Family>& families,
                          const ResultSet& result, std::size_t row) {
  Record record = model.make();
  load_row(record, families, result, row);
  std::string key = identity_of(record);
  if (!key.empty()) {
    if (Tracked* known = find_identity(model, key)) return &known->record;
  }
  Tracked& t = track(std::move(record), RecordState::persistent);
  RecordAccess::track_changes(t.record);
  enter_identity(t);
  return &t.record;
}

bool UnitOfWork::has_work() const {
  return !inserts.empty() || !deletes.empty() ||
         std::any_of(changed.begin(), changed.end(), [](const Record* r) {
           return RecordAccess::owner(*r)->state == RecordState::persistent && r->is_modified();
         });
}

std::size_t UnitOfWork::pending_count() const {
  std::size_t n = inserts.size() + in_flight.size() + deletes.size();
  std::vector<const Record*> seen;
  for (const Record* r : changed) {
    if (RecordAccess::owner(*r)->state != RecordState::persistent || !r->is_modified()) continue;
    if (std::find(seen.begin(), seen.end(), r) != seen.end()) continue;
    seen.push_back(r);
    ++n;
  }
  return n;
}

UnitOfWork::StagedInserts UnitOfWork::check_insertable() const {
  StagedInserts staged;
  if (inserts.empty()) return staged;
  if (staged_.uniform && staged_.model != nullptr) {
    staged.one_model = staged_.model;  // every insert was complete when staged (StagedSummary)
    return staged;
  }
  staged.one_model = &inserts.front()->record.model();
  // Each table's required columns, made once (parents and children often alternate).
  std::vector<std::pair<const Model*, ColumnFlags>> required;
  const Model* mask_model = nullptr;
  const ColumnFlags* mask = nullptr;  // mask_model's
  for (const Tracked* t : inserts) {
    const Model* m = &t->record.model();
    if (m != staged.one_model) staged.one_model = nullptr;
    if (m != mask_model) {
      auto known = std::find_if(required.begin(), required.end(),
                                [&](const auto& entry) { return entry.first == m; });
      if (known == required.end()) known = required.emplace(known, m, required_columns(m->table()));
      mask_model = m;
      mask = &known->second;
    }
    if (t->links.empty() && !m->read_only() && RecordAccess::set_mask(t->record).contains(*mask)) {
      continue;  // every required column given
    }
    // A link's columns count as given; a view, or a required column missing, throws.
    staged.linked = staged.linked || !t->links.empty();
    std::vector<std::string> linked;
    for (const Link& link : t->links) {
      linked.insert(linked.end(), link.relationship->columns.begin(),
                    link.relationship->columns.end());
    }
    t->record.check_insertable(linked);
  }
  return staged;
}

bool UnitOfWork::only_inserts_into_one_table(const StagedInserts& staged) const {
  if (staged.one_model == nullptr || !deletes.empty()) return false;
  for (const Record* r : changed) {
    const Tracked* t = RecordAccess::owner(*r);
    if (t->state == RecordState::persistent && (r->is_modified() || !t->links.empty())) {
      return false;
    }
  }
  if (!staged.linked) return true;
  for (const Tracked* t : inserts) {
    for (const Link& link : t->links) {
      if (link.parent->state == RecordState::pending) return false;
    }
  }
  return true;
}

void UnitOfWork::discard_staged() {
  for (Tracked& t : records) {
    switch (t.state) {
      case RecordState::pending:
        t.state = RecordState::detached;
        break;
      case RecordState::deleting:
        t.state = RecordState::persistent;
        break;
      case RecordState::persistent:
        if (t.record.is_modified()) {
          RecordAccess::revert(t.record, RecordAccess::originals(t.record));
        }
        t.links.clear();
        break;
      case RecordState::detached:
        break;
    }
  }
  inserts.clear();
  deletes.clear();
  changed.clear();
}

void UnitOfWork::rebuild_staged_lists() {
  staged_.uniform = false;  // records staged before the summary's start may be back
  inserts.clear();
  deletes.clear();
  for (Tracked& t : records) {
    if (t.state == RecordState::pending) inserts.push_back(&t);
    if (t.state == RecordState::deleting) deletes.push_back(&t);
  }
}

void UnitOfWork::clear() {
  identity_map.clear();
  unindexed.clear();
  changed.clear();
  inserts.clear();
  deletes.clear();
  in_flight.clear();
  records.clear();
}

}  // namespace tabula::detail

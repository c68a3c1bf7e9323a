#include <tabula/session.hpp>

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>

#include "session/identity.hpp"
#include "session/session_state.hpp"

#include <algorithm>

namespace tabula {

using detail::RecordState;
using detail::Tracked;
using detail::UseCheck;

Session::Session(Engine& engine, std::source_location where, SessionOptions options)
    : state_(std::make_unique<detail::SessionState>(engine, where, options)) {}

Session::~Session() {
  if (state_) state_->rollback();
}

Session::Session(Session&&) noexcept = default;

Session& Session::operator=(Session&& other) noexcept {
  if (this != &other) {
    if (state_) state_->rollback();
    state_ = std::move(other.state_);
  }
  return *this;
}

Record& Session::add(Record record) {
  UseCheck use(*state_);
  Record& staged = stage(std::move(record));
  after_add();
  return staged;
}

void Session::after_add() {
  UseCheck use(*state_);
  // This may send a page, or report one sent before that failed; the record just added is
  // staged either way (a failed page stages everything again, this record included).
  state_->after_add();
}

Record& Session::stage(Record&& record) {
  UseCheck use(*state_);
  if (record.model().read_only()) record.check_insertable();  // a view: refused now
  std::string key = detail::identity_of(record);
  if (!key.empty()) {
    if (Tracked* known = state_->unit.find_identity(record.model(), key)) {
      // Inserts are sent before deletes, so a removed row's key cannot be reused before the
      // removal is flushed.
      throw Error("a " + record.model().name() + " record with the same primary key (" +
                  record.to_json() + ") is already in the session" +
                  (known->state == RecordState::deleting
                       ? "; it is removed but not yet deleted: flush() first"
                       : ""));
    }
  }
  Tracked& t = state_->unit.track(std::move(record), RecordState::pending);
  state_->unit.stage(t);
  return t.record;
}

Record* Session::get(const Model& model, const Key& key) {
  UseCheck use(*state_);
  std::vector<Value> values;
  std::string identity = detail::identity_of(model, key.values(), &values);
  if (Tracked* known = state_->unit.find_identity(model, identity)) {
    return known->state == RecordState::persistent ? &known->record : nullptr;
  }
  Query query(*state_, model);
  for (std::size_t k = 0; k < values.size(); ++k) {
    query.filter(model.table().primary_key[k], std::move(values[k]));
  }
  return query.first();
}

Record* Session::get(std::string_view table, const Key& key) {
  return get(state_->engine().models().at(table), key);
}

void Session::remove(Record& record) {
  UseCheck use(*state_);
  Tracked& t = state_->unit.tracked(record, "remove");
  if (t.in_flight) state_->land_sent();  // then it is in the database: a DELETE
  switch (t.state) {
    case RecordState::pending: {
      t.state = RecordState::detached;  // never sent: nothing to delete
      auto& list = state_->unit.inserts;
      list.erase(std::remove(list.begin(), list.end(), &t), list.end());
      return;
    }
    case RecordState::deleting:
      return;
    case RecordState::detached:
      throw Error("remove: this " + record.model().name() +
                  " record was already deleted or rolled back");
    case RecordState::persistent:
      if (!record.model().has_primary_key()) {
        throw ValidationError(record.model().name() +
                                  " has no primary key, so one of its rows cannot be told apart "
                                  "from its twins: deletes are refused",
                              record.model().name(), "");
      }
      t.state = RecordState::deleting;
      state_->unit.deletes.push_back(&t);
      return;
  }
}

Query Session::query(const Model& model) {
  return Query(*state_, model);
}

Query Session::query(std::string_view table) {
  return Query(*state_, state_->engine().models().at(table));
}

Record* Session::parent(Record& child, std::string_view relationship) {
  UseCheck use(*state_);
  Tracked& t = state_->unit.tracked(child, "parent");
  state_->land_sent();
  const Relationship& rel = child.model().relationship(relationship);
  if (rel.kind != Relationship::Kind::many_to_one) {
    throw Error(child.model().name() + "." + rel.name + " is one-to-many: use children()");
  }
  for (const detail::Link& link : t.links) {
    if (link.relationship == &rel && link.parent->state != RecordState::detached) {
      return &link.parent->record;
    }
  }
  const Model& target = child.model().target(rel);
  std::vector<Value> values;
  for (const std::string& c : rel.columns) {
    if (child.is_null(c)) return nullptr;
    values.push_back(child.get(c));
  }
  if (rel.target_columns == target.table().primary_key) return get(target, Key(values));
  Query query(*state_, target);
  for (std::size_t k = 0; k < values.size(); ++k) query.filter(rel.target_columns[k], values[k]);
  return query.first();
}

std::vector<Record*> Session::children(Record& parent, std::string_view relationship) {
  UseCheck use(*state_);
  state_->unit.tracked(parent, "children");
  state_->land_sent();
  const Relationship& rel = parent.model().relationship(relationship);
  if (rel.kind != Relationship::Kind::one_to_many) {
    throw Error(parent.model().name() + "." + rel.name + " is many-to-one: use parent()");
  }
  Query query(*state_, parent.model().target(rel));
  for (std::size_t k = 0; k < rel.columns.size(); ++k) {
    if (parent.is_null(rel.columns[k])) return {};
    query.filter(rel.target_columns[k], parent.get(rel.columns[k]));
  }
  return query.all();
}

void Session::link(Record& child, std::string_view relationship, Record& parent) {
  UseCheck use(*state_);
  Tracked& t = state_->unit.tracked(child, "link");
  Tracked& p = state_->unit.tracked(parent, "link");
  state_->land_sent();  // the parent's key, the child's state: as the database has them
  const Relationship& rel = child.model().relationship(relationship);
  if (rel.kind != Relationship::Kind::many_to_one) {
    throw Error("link: " + child.model().name() + "." + rel.name +
                " is one-to-many; link the child to its parent instead");
  }
  if (&child.model().target(rel) != &parent.model()) {
    throw Error("link: " + child.model().name() + "." + rel.name + " points to " + rel.target +
                ", not to " + parent.model().name());
  }
  if (p.state == RecordState::detached || p.state == RecordState::deleting) {
    throw Error("link: the " + parent.model().name() + " record is removed");
  }
  auto& links = t.links;
  links.erase(std::remove_if(links.begin(), links.end(),
                             [&](const detail::Link& l) { return l.relationship == &rel; }),
              links.end());
  bool parent_has_key = std::none_of(rel.target_columns.begin(), rel.target_columns.end(),
                                     [&](const std::string& c) { return parent.is_null(c); });
  if (parent_has_key) {
    for (std::size_t k = 0; k < rel.columns.size(); ++k) {
      child.set(rel.columns[k], parent.get(rel.target_columns[k]));
    }
  }
  if (p.state == RecordState::pending) {
    links.push_back({&rel, &p});  // its key is known after its insert
    state_->unit.forget_staged_summary();
    if (t.state == RecordState::persistent)
      state_->unit.changed.push_back(&child);  // visit at flush
  }
}

void Session::flush() {
  UseCheck use(*state_);
  state_->flush();
}

void Session::commit() {
  UseCheck use(*state_);
  state_->flush(true);
  state_->end_transaction(true);
}

const std::string& Session::last_commit() const noexcept {
  return state_->tx.last_commit();
}

void Session::rollback() noexcept {
  state_->rollback();
}

void Session::begin() {
  UseCheck use(*state_);
  if (state_->tx.in_transaction()) throw Error("begin: the session already has a transaction open");
  state_->tx.connection();
}

Savepoint Session::savepoint() {
  UseCheck use(*state_);
  state_->flush();
  Connection& conn = state_->tx.connection();
  std::size_t depth = state_->journal.savepoints.size() + 1;
  detail::control(conn, "SAVEPOINT " + detail::Journal::savepoint_name(depth));
  state_->journal.savepoints.push_back(state_->journal.entries.size());
  return Savepoint(*state_, depth);
}

void Session::execute(std::string_view statement) {
  UseCheck use(*state_);
  state_->flush();
  Connection& conn = state_->tx.connection();
  state_->tx.wrote();
  try {
    detail::run_statement(conn, statement);
  } catch (const SqlError& e) {
    if (state_->refused_as_demoted(e, conn)) throw detail::SessionState::demoted_error(e);
    throw;
  }
}

void Session::clear() {
  UseCheck use(*state_);
  state_->land_sent();
  if (state_->unit.has_work()) {
    throw Error("clear: the session has " + std::to_string(state_->unit.pending_count()) +
                " unflushed change(s); flush, commit or roll back first");
  }
  state_->journal.forget_records();
  state_->typed.clear();
  state_->unit.clear();
}

bool Session::has_connection() const noexcept {
  return state_->tx.has_connection();
}
bool Session::in_transaction() const noexcept {
  return state_->tx.in_transaction();
}
std::size_t Session::pending() const noexcept {
  return state_->unit.pending_count();
}
std::size_t Session::size() const noexcept {
  std::size_t n = 0;
  for (const Tracked& t : state_->unit.records) n += t.state != RecordState::detached ? 1 : 0;
  return n;
}

const Model& Session::model_named(std::string_view table) {
  return state_->engine().models().at(table);
}

void* Session::typed_object(const Record& record) const {
  const detail::Tracked* t = detail::RecordAccess::owner(record);
  return t != nullptr && t->unit == &state_->unit ? t->object.get() : nullptr;
}

void* Session::bind_typed(Record& record, std::shared_ptr<void> object, const TypedHooks& hooks) {
  detail::Tracked& t = state_->unit.tracked(record, "a typed object");
  return state_->typed.bind(t, std::move(object), hooks);
}

Record& Session::typed_record(const void* object) {
  Record* record = state_->typed.record_of(object);
  if (record == nullptr) {
    throw Error(
        "this object does not belong to the session (use the one add<T>() or get<T>() "
        "returned)");
  }
  return *record;
}

Savepoint::~Savepoint() {
  rollback();
}

Savepoint::Savepoint(Savepoint&& other) noexcept
    : state_(std::exchange(other.state_, nullptr)), depth_(other.depth_) {}

void Savepoint::release() {
  if (state_ == nullptr) return;
  detail::SessionState& s = *std::exchange(state_, nullptr);
  if (depth_ > s.journal.savepoints.size()) {
    throw Error("release: the savepoint is gone: its transaction was rolled back");
  }
  if (depth_ != s.journal.savepoints.size()) {
    throw Error("release: savepoints are released innermost first");
  }
  try {
    s.flush();
    detail::control(s.tx.current(), "RELEASE SAVEPOINT " + detail::Journal::savepoint_name(depth_));
    s.journal.savepoints.pop_back();
  } catch (...) {
    s.rollback_to_savepoint(depth_);
    throw;
  }
}

void Savepoint::rollback() noexcept {
  if (state_ == nullptr) return;
  std::exchange(state_, nullptr)->rollback_to_savepoint(depth_);
}

}  // namespace tabula

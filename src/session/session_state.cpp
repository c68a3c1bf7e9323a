#include "session/session_state.hpp"

#include "connection_access.hpp"
#include "dialect/sql_dialect.hpp"

#include <tabula/error.hpp>
#include <tabula/log.hpp>

#include "detail/column_rules.hpp"
#include "session/identity.hpp"

#include <algorithm>
#include <charconv>

namespace tabula::detail {
namespace {

// A commit whose acknowledgement is lost may or may not have happened; say so rather than let
// a retry look safe.
const char* const kUnknownOutcome =
    "the connection broke while the server was committing: whether it committed is unknown; "
    "check before sending the work again";

}  // namespace

std::string quote_identifier(Dialect dialect, std::string_view name) {
  return sql_dialect(dialect).quote_identifier(name);
}

#if TABULA_SESSION_THREAD_CHECKS
UseCheck::UseCheck(SessionState& state) : state_(&state) {
  std::thread::id self = std::this_thread::get_id();
  std::thread::id nobody{};
  if (state.user.compare_exchange_strong(nobody, self)) {
    outer_ = true;
  } else if (nobody != self) {
    throw Error("a tabula::Session (created at " + std::string(state.where.file_name()) + ":" +
                std::to_string(state.where.line()) +
                ") is being used from two threads at once; a session belongs to one thread "
                "at a time");
  }
}
UseCheck::~UseCheck() {
  if (outer_) state_->user.store(std::thread::id{});
}
#endif

void control(Connection& conn, const std::string& statement) {
  report_statement(statement, 0);
  conn.execute(statement);
}

Connection& SessionState::leased() {
  if (lease) return **lease;
  lease.emplace(engine->pool().checkout(where));
  // The pool trusts a connection used moments ago without a round trip. One killed meanwhile
  // (KILL, a server restart) shows it on its socket; nothing has been sent on it yet, so a
  // ping decides and a dead one is swapped for another instead of failing the first statement
  // (or leaving a lone commit's outcome unknown). One poll() per session, no round trip.
  std::size_t tries = 0;
  while ((*lease)->shows_hangup() && !(*lease)->ping(std::chrono::seconds{5}) &&
         tries++ < engine->pool().options().max_connections) {
    lease.reset();  // broken: the pool closes it
    lease.emplace(engine->pool().checkout(where));
  }
  return **lease;
}

void SessionState::begin_transaction() {
  Connection& conn = leased();
  if (!in_transaction) {
    control(conn, "BEGIN");
    in_transaction = true;
  }
}

Connection& SessionState::connection() {
  begin_transaction();
  return **lease;
}

bool SessionState::returning_supported() {
  if (engine->url().option("returning") == "off") return false;
  Connection& conn = leased();
  return ConnectionAccess::dialect(conn).supports_insert_returning(conn);
}

Tracked& SessionState::track(Record record, RecordState state) {
  Tracked& t = records.emplace_back(std::move(record), records.size(), this);
  t.state = state;
  RecordAccess::adopt(t.record, &t, &changed);
  return t;
}

Tracked& SessionState::tracked(const Record& record, std::string_view operation) {
  auto* t = static_cast<Tracked*>(RecordAccess::owner_entry(record));
  if (t == nullptr || t->session != this) {
    throw Error(std::string(operation) + ": this " + record.model().name() +
                " record does not belong to the session (use the Record& that add(), get() or "
                "query() returned)");
  }
  return *t;
}

void SessionState::enter_identity(Tracked& t) {
  t.identity = identity_of(t.record);
  if (!t.identity.empty()) identity_map[&t.record.model()][t.identity] = &t;
}

void SessionState::leave_identity(Tracked& t) {
  if (t.identity.empty()) return;
  auto& map = identity_map[&t.record.model()];
  if (auto it = map.find(t.identity); it != map.end() && it->second == &t) map.erase(it);
  t.identity.clear();
}

Tracked* SessionState::find_identity(const Model& model, const std::string& identity) {
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

void load_row(Record& record, const std::vector<Family>& families, const ResultSet& result,
              std::size_t row) {
  for (std::size_t i = 0; i < families.size(); ++i) {
    RecordAccess::load(record, i, from_database_text(families[i], result.at(row, i)));
  }
}

Record* SessionState::adopt(const Model& model, const std::vector<Family>& families,
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

bool SessionState::has_work() const {
  return !inserts.empty() || !deletes.empty() ||
         std::any_of(changed.begin(), changed.end(), [](const Record* r) {
           auto* t = static_cast<const Tracked*>(RecordAccess::owner_entry(*r));
           return t->state == RecordState::persistent && r->is_modified();
         });
}

std::size_t SessionState::pending_count() const {
  std::size_t n = inserts.size() + deletes.size();
  std::vector<const Record*> seen;
  for (const Record* r : changed) {
    auto* t = static_cast<const Tracked*>(RecordAccess::owner_entry(*r));
    if (t->state != RecordState::persistent || !r->is_modified()) continue;
    if (std::find(seen.begin(), seen.end(), r) != seen.end()) continue;
    seen.push_back(r);
    ++n;
  }
  return n;
}

void SessionState::check_insertable() const {
  for (const Tracked* t : inserts) {
    // Columns a link will fill count as given.
    std::vector<std::string> linked;
    for (const Link& link : t->links) {
      linked.insert(linked.end(), link.relationship->columns.begin(),
                    link.relationship->columns.end());
    }
    t->record.check_insertable(linked);
  }
}

void SessionState::push_typed() {
  for (auto& [record, binding] : typed) {
    auto* t = static_cast<Tracked*>(RecordAccess::owner_entry(*record));
    if (t->state == RecordState::pending || t->state == RecordState::persistent) {
      binding.hooks.push(binding.object.get(), t->record, t->state == RecordState::pending);
    }
  }
}

void SessionState::pull_typed() noexcept {
  for (auto& [record, binding] : typed) {
    try {
      binding.hooks.pull(*record, binding.object.get());
    } catch (const std::exception& e) {
      log(LogLevel::warning,
          std::string("a typed object could not take its row's values: ") + e.what());
    }
  }
}

// Inserts into one table, no parent among them, nothing to update or delete, and a server that
// answers the INSERT with RETURNING: at most one statement when the rows fit in one page
// (insert_page begins a transaction before a first page that does not hold them all).
bool SessionState::one_statement_work() {
  if (inserts.empty() || !deletes.empty()) return false;
  for (const Record* r : changed) {
    auto* t = static_cast<const Tracked*>(RecordAccess::owner_entry(*r));
    if (t->state == RecordState::persistent && (r->is_modified() || !t->links.empty())) {
      return false;
    }
  }
  const Model* model = &inserts.front()->record.model();
  for (const Tracked* t : inserts) {
    if (&t->record.model() != model) return false;
    for (const Link& link : t->links) {
      if (link.parent->state == RecordState::pending) return false;
    }
  }
  if (!returning_supported()) return false;
  return ConnectionAccess::dialect(leased()).inserts_many_rows_per_statement() ||
         inserts.size() == 1;
}

void SessionState::flush(bool committing) {
  push_typed();
  if (!has_work()) return;
  check_insertable();  // before any SQL: a required column left unset is the caller's mistake
  bool alone = committing && !in_transaction && one_statement_work();
  Connection& conn = alone ? leased() : connection();
  try {
    write_inserts(conn);
    write_updates(conn);
    write_deletes(conn);
  } catch (const SqlError& e) {
    bool outcome_unknown = alone && !in_transaction && e.is_disconnect();
    recover_from_failed_flush();
    pull_typed();
    if (outcome_unknown) throw e.with_context(kUnknownOutcome);
    throw;
  } catch (...) {
    recover_from_failed_flush();
    pull_typed();
    throw;
  }
  pull_typed();
}

void SessionState::recover_from_failed_flush() noexcept {
  if (!savepoints.empty() && lease && !(*lease)->is_broken()) {
    std::size_t depth = savepoints.size();
    try {
      control(**lease, "ROLLBACK TO SAVEPOINT " + savepoint_name(depth));
      undo_journal(savepoints.back(), true);
      return;
    } catch (const Error& e) {
      // A deadlock rolls the whole transaction back, savepoints included: go on below.
      log(LogLevel::info, std::string("rollback to savepoint failed, rolling back the "
                                      "transaction: ") +
                              e.what());
    }
  }
  undo_journal(0, true);
  savepoints.clear();
  end_transaction(false);
}

void SessionState::undo_journal(std::size_t mark, bool restage) {
  if (!restage) discard_staged();
  while (journal.size() > mark) {
    JournalEntry entry = std::move(journal.back());
    journal.pop_back();
    Tracked& t = *entry.tracked;
    switch (entry.kind) {
      case JournalEntry::Kind::inserted:
        leave_identity(t);
        RecordAccess::stop_tracking(t.record);
        RecordAccess::unset_except(t.record, entry.staged_mask);
        t.state = restage ? RecordState::pending : RecordState::detached;
        break;
      case JournalEntry::Kind::updated:
        // What the server changed on its own goes back too; when the work is staged again, a
        // change the user made to such a column since is kept as a change.
        for (auto& [index, value] : entry.server_changed) {
          if (restage) {
            RecordAccess::restore_database_value(t.record, index, std::move(value));
          } else {
            RecordAccess::load(t.record, index, std::move(value));
          }
        }
        if (restage) {
          RecordAccess::restore_originals(t.record, std::move(entry.originals));
        } else {
          RecordAccess::revert(t.record, entry.originals);
        }
        if (entry.identity != t.identity) {
          leave_identity(t);
          t.identity = entry.identity;
          identity_map[&t.record.model()][t.identity] = &t;
        }
        break;
      case JournalEntry::Kind::deleted:
        t.state = restage ? RecordState::deleting : RecordState::persistent;
        t.identity = entry.identity;
        identity_map[&t.record.model()][t.identity] = &t;
        RecordAccess::track_changes(t.record);
        break;
    }
  }
  rebuild_staged_lists();
}

void SessionState::discard_staged() {
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

void SessionState::rebuild_staged_lists() {
  inserts.clear();
  deletes.clear();
  for (Tracked& t : records) {
    if (t.state == RecordState::pending) inserts.push_back(&t);
    if (t.state == RecordState::deleting) deletes.push_back(&t);
  }
}

void SessionState::end_transaction(bool commit) {
  if (lease && in_transaction) {
    if (commit) {
      try {
        control(**lease, "COMMIT");
      } catch (const SqlError& e) {
        if (e.is_disconnect()) throw e.with_context(kUnknownOutcome);
        throw;
      }
    } else {
      try {
        control(**lease, "ROLLBACK");
      } catch (const Error& e) {
        // The pool closes a connection it cannot reset; nothing was committed either way.
        log(LogLevel::warning, std::string("session rollback failed: ") + e.what());
      }
    }
  }
  in_transaction = false;
  journal.clear();
  savepoints.clear();
  lease.reset();
}

void SessionState::rollback() noexcept {
  try {
    undo_journal(0, false);
  } catch (const std::exception& e) {
    // undo only moves values already in memory; nothing there is expected to throw, and if it
    // does the records may not show the database's values: say so rather than hide it
    log(LogLevel::error,
        std::string("session rollback could not restore every record: ") + e.what());
  } catch (...) {
    log(LogLevel::error, "session rollback could not restore every record (unknown error)");
  }
  end_transaction(false);
  pull_typed();
}

std::string SessionState::savepoint_name(std::size_t depth) const {
  return "tabula_savepoint_" + std::to_string(depth);
}

void SessionState::rollback_to_savepoint(std::size_t depth) noexcept {
  if (depth == 0 || depth > savepoints.size()) return;  // already gone with its transaction
  std::size_t mark = savepoints[depth - 1];
  try {
    Connection& conn = **lease;
    control(conn, "ROLLBACK TO SAVEPOINT " + savepoint_name(depth));
    control(conn, "RELEASE SAVEPOINT " + savepoint_name(depth));
    undo_journal(mark, false);
    savepoints.resize(depth - 1);
    pull_typed();
  } catch (const Error& e) {
    log(LogLevel::warning, std::string("rollback to savepoint failed; rolling back the "
                                       "transaction: ") +
                               e.what());
    rollback();
  }
}

}  // namespace tabula::detail

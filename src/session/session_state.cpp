#include "session/session_state.hpp"

#include <tabula/error.hpp>
#include <tabula/log.hpp>

#include "connection_access.hpp"
#include "dialect/sql_dialect.hpp"

namespace tabula::detail {

#if TABULA_SESSION_THREAD_CHECKS
UseCheck::UseCheck(SessionState& state) : state_(&state) {
  std::thread::id self = std::this_thread::get_id();
  std::thread::id nobody{};
  if (state.user.compare_exchange_strong(nobody, self)) {
    outer_ = true;
  } else if (nobody != self) {
    std::source_location where = state.tx.where();
    throw Error("a tabula::Session (created at " + std::string(where.file_name()) + ":" +
                std::to_string(where.line()) +
                ") is being used from two threads at once; a session belongs to one thread "
                "at a time");
  }
}
UseCheck::~UseCheck() {
  if (outer_) state_->user.store(std::thread::id{});
}
#endif

namespace {

// The columns the database decided for a row inserted with the columns `given` set: those left
// to it and the generated ones.
ColumnFlags decided_columns(const Record& record, const ColumnFlags& given) {
  const std::vector<Column>& columns = record.model().table().columns;
  ColumnFlags decided(columns.size());
  for (std::size_t i = 0; i < columns.size(); ++i) {
    decided.set(i, !given.test(i) || columns[i].generated != Generated::none);
  }
  return decided;
}

}  // namespace

void SessionState::inserted(Record& record, ColumnFlags staged_mask) {
  Tracked& t = *RecordAccess::owner(record);
  // A row written ahead of the flush (write-behind): its object, if it has one, takes what the
  // database decided (its key, defaults, generated columns) where its fields are as add() left
  // them, and keeps every field given a value, changed since add() or not, for the flush to
  // push. (A given value the server stored otherwise, "1.5" in a DECIMAL(_,2), is pushed again
  // then: an UPDATE that changes nothing.)
  if (t.in_flight && !typed.empty()) {
    typed.pull_decided(record, decided_columns(record, staged_mask));
  }
  journal.inserted(t, std::move(staged_mask));
  t.state = RecordState::persistent;
  t.in_flight = false;
  RecordAccess::track_changes(t.record);
  unit.index_later(t);
}

bool SessionState::has_before_insert_trigger(const Table& table) {
  return engine().has_before_insert_trigger(tx.current(), table.name);
}

// Inserts into one table, no parent among them, nothing to update or delete, and a server that
// answers the INSERT with RETURNING: at most one statement when the rows fit in one page (the
// insert writer begins a transaction before a first page that does not hold them all).
bool SessionState::one_statement_work(const UnitOfWork::StagedInserts& staged) {
  if (!unit.only_inserts_into_one_table(staged) || !tx.returning_supported()) return false;
  return ConnectionAccess::dialect(tx.leased()).inserts_many_rows_per_statement() ||
         unit.inserts.size() == 1;
}

void SessionState::after_add() {
  if (!write_behind || unit.inserts.size() < next_send_check_) return;
  send_ahead();
}

void SessionState::send_ahead() {
  // What a flush would refuse or order otherwise waits for the flush: a read-only session, links,
  // several tables, a required column unset. (Typed objects go with the fields add() pushed;
  // one changed since is pushed at the flush, an UPDATE of the row the page wrote.)
  std::size_t staged_count = unit.inserts.size();
  next_send_check_ = 2 * staged_count;  // not every add() while the work is not page-shaped
  if (!sql_dialect(engine().dialect()).inserts_many_rows_per_statement()) {
    next_send_check_ = static_cast<std::size_t>(-1);  // row by row: nothing to overlap
    return;
  }
  if (read_only) return;
  UnitOfWork::StagedInserts staged;
  try {
    staged = unit.check_insertable();
  } catch (const ValidationError&) {
    return;  // the flush reports it, before any SQL
  }
  if (staged.one_model == nullptr || staged.linked) return;
  Connection& conn = tx.connection();  // the transaction begins here
  if (!ahead_writer_) {
    ahead_writer_ = ConnectionAccess::dialect(conn).insert_writer(conn, *this, tx.insert_options());
  }
  std::size_t page = ahead_writer_->rows_to_send_ahead(unit.inserts.front()->record);
  if (page == 0) {  // this dialect waits for every statement: nothing gained by going early
    next_send_check_ = static_cast<std::size_t>(-1);
    return;
  }
  // Full pages go once a record more is staged: a commit that follows a page's worth of adds
  // sends it itself (without BEGIN and COMMIT when it is all the commit writes).
  next_send_check_ = page + 1;
  if (staged_count <= page) return;
  std::size_t count = (staged_count - 1) / page * page;
  std::vector<Record*> rows;
  rows.reserve(count);
  for (std::size_t k = 0; k < count; ++k) {
    unit.inserts[k]->in_flight = true;
    rows.push_back(&unit.inserts[k]->record);
  }
  // Room for the journal entries: grown by doubling, as pages keep coming.
  std::size_t entries = journal.entries.size() + count + unit.in_flight.size();
  if (journal.entries.capacity() < entries) {
    journal.entries.reserve(std::max(entries, 2 * journal.entries.capacity()));
  }
  auto sent = unit.inserts.begin() + static_cast<std::ptrdiff_t>(count);
  unit.in_flight.insert(unit.in_flight.end(), unit.inserts.begin(), sent);
  unit.inserts.erase(unit.inserts.begin(), sent);
  tx.wrote();
  std::vector<Record*> kept;
  sending_ahead([&] { kept = ahead_writer_->send_ahead(*staged.one_model, rows); });
  // Rows of a column set too few for a full page stay staged, in their order, before the rest.
  for (Record* r : kept) RecordAccess::owner(*r)->in_flight = false;
  std::vector<Tracked*> back;
  for (Record* r : rows) {
    Tracked* t = RecordAccess::owner(*r);
    if (t->state == RecordState::pending && !t->in_flight) back.push_back(t);
  }
  unit.inserts.insert(unit.inserts.begin(), back.begin(), back.end());
  // What landed meanwhile is in the database's answer now; the last page is still running.
  std::erase_if(unit.in_flight, [](const Tracked* t) { return !t->in_flight; });
  // Records of several shapes: look again once another page's worth is staged.
  if (!back.empty()) next_send_check_ = unit.inserts.size() + page;
}

void SessionState::land_sent() {
  if (unit.in_flight.empty()) return;
  sending_ahead([&] { ahead_writer_->land(); });
  unit.in_flight.clear();
}

template <class Send>
void SessionState::sending_ahead(Send send) {
  auto restage = [&] {
    for (Tracked* t : unit.in_flight) t->in_flight = false;  // pending: staged again below
    unit.in_flight.clear();
    // As a failed flush does: the objects' fields go into their records first, so that what the
    // undo keeps (given and changed columns) is the objects' latest, and the objects take their
    // records back after it (keys and defaults of undone inserts gone again).
    try {
      typed.push();
    } catch (const std::exception& e) {
      log(LogLevel::warning, std::string("a typed object's fields could not be kept: ") + e.what());
    }
    recover_from_failed_flush();
    typed.pull();
  };
  Connection& conn = tx.current();
  try {
    send();
  } catch (const SqlError& e) {
    bool demoted = refused_as_demoted(e, conn);
    restage();
    if (demoted) throw demoted_error(e);
    throw;
  } catch (...) {
    restage();
    throw;
  }
}

void SessionState::abandon_sent() noexcept {
  if (ahead_writer_) ahead_writer_->abandon();
  for (Tracked* t : unit.in_flight) t->in_flight = false;
  unit.in_flight.clear();
}

void SessionState::flush(bool committing) {
  land_sent();
  typed.push();
  if (!unit.has_work()) return;
  if (read_only) {
    typed.pull();
    throw Error(
        "this session is read-only (SessionOptions::read_only): it cannot write; use a session "
        "without read_only for changes");
  }
  // Before any SQL: a required column left unset is the caller's mistake.
  UnitOfWork::StagedInserts staged = unit.check_insertable();
  bool alone = committing && !tx.in_transaction() && one_statement_work(staged);
  Connection& conn = alone ? tx.leased() : tx.connection();
  try {
    tx.wrote();
    write_inserts(conn, staged);
    write_updates(conn);
    write_deletes(conn);
  } catch (const SqlError& e) {
    bool outcome_unknown = alone && !tx.in_transaction() && e.is_disconnect();
    // Replication: the server refused the write for being read-only (1290), so the host taken
    // for the primary is no longer it (a failover). Nothing was written; the connection is
    // closed on return, which makes the pool ask every host its role again, and the error is
    // retryable: engine.transaction runs the work again on the primary.
    bool demoted = refused_as_demoted(e, conn);
    recover_from_failed_flush();
    typed.pull();
    if (outcome_unknown) throw unknown_outcome(e);
    if (demoted) throw demoted_error(e);
    throw;
  } catch (...) {
    recover_from_failed_flush();
    typed.pull();
    throw;
  }
  typed.pull();
}

bool SessionState::refused_as_demoted(const SqlError& e, Connection& conn) {
  if (engine().pool().topology() != Topology::replication ||
      !ConnectionAccess::dialect(conn).refused_as_read_only(e)) {
    return false;
  }
  ConnectionAccess::mark_broken(conn);
  return true;
}

SqlError SessionState::demoted_error(const SqlError& e) {
  return SqlError(std::string(e.what()) +
                      " (the server taken for the primary is read-only: the roles are found "
                      "again; run the work again, as engine.transaction does)",
                  e.code(), e.sqlstate(), false, true);
}

void SessionState::recover_from_failed_flush() noexcept {
  if (!journal.savepoints.empty() && tx.has_connection() && !tx.current().is_broken()) {
    std::size_t depth = journal.savepoints.size();
    try {
      control(tx.current(), "ROLLBACK TO SAVEPOINT " + Journal::savepoint_name(depth));
      journal.undo(journal.savepoints.back(), true, unit);
      return;
    } catch (const Error& e) {
      // A deadlock rolls the whole transaction back, savepoints included: go on below.
      log(LogLevel::info, std::string("rollback to savepoint failed, rolling back the "
                                      "transaction: ") +
                              e.what());
    }
  }
  try {
    journal.undo(0, true, unit);
  } catch (const std::exception& e) {
    log(LogLevel::error,
        std::string("after a failed flush, not every record could be restored: ") + e.what());
  }
  end_transaction(false);
}

void SessionState::end_transaction(bool commit) {
  abandon_sent();  // nothing is running after a flush; after a failure, nothing is reported
  ahead_writer_.reset();
  tx.end(commit);
  journal.clear();
}

void SessionState::rollback() noexcept {
  abandon_sent();
  try {
    journal.undo(0, false, unit);
  } catch (const std::exception& e) {
    // undo only moves values already in memory; nothing there is expected to throw, and if it
    // does the records may not show the database's values: say so rather than hide it
    log(LogLevel::error,
        std::string("session rollback could not restore every record: ") + e.what());
  } catch (...) {
    log(LogLevel::error, "session rollback could not restore every record (unknown error)");
  }
  end_transaction(false);
  typed.pull();
}

void SessionState::rollback_to_savepoint(std::size_t depth) noexcept {
  if (depth == 0 || depth > journal.savepoints.size()) return;  // gone with its transaction
  std::size_t mark = journal.savepoints[depth - 1];
  abandon_sent();  // sent since the savepoint (setting it flushed): rolled back with the rest
  try {
    Connection& conn = tx.current();
    control(conn, "ROLLBACK TO SAVEPOINT " + Journal::savepoint_name(depth));
    control(conn, "RELEASE SAVEPOINT " + Journal::savepoint_name(depth));
    journal.undo(mark, false, unit);
    journal.savepoints.resize(depth - 1);
    typed.pull();
  } catch (const Error& e) {
    log(LogLevel::warning, std::string("rollback to savepoint failed; rolling back the "
                                       "transaction: ") +
                               e.what());
    rollback();
  }
}

}  // namespace tabula::detail

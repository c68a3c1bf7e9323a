#pragma once

// Everything a Session knows, behind its unique_ptr so that Query and Savepoint objects keep
// working when the Session is moved. Internal: the public contract is in session.hpp.

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/lease.hpp>
#include <tabula/session.hpp>

#include "detail/column_rules.hpp"
#include "session/record_access.hpp"
#include "session/statement.hpp"

#include <atomic>
#include <deque>
#include <optional>
#include <source_location>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#ifndef TABULA_SESSION_THREAD_CHECKS
#ifdef NDEBUG
#define TABULA_SESSION_THREAD_CHECKS 0
#else
#define TABULA_SESSION_THREAD_CHECKS 1
#endif
#endif

namespace tabula::detail {

enum class RecordState {
  pending,     // added, INSERT not sent yet
  persistent,  // in the database (loaded or inserted), in the identity map
  deleting,    // removed, DELETE not sent yet
  detached,    // no longer the session's concern (deleted, or added and then rolled back)
};

struct Tracked;

// A many-to-one link to a parent whose key may not be known until it is inserted.
struct Link {
  const Relationship* relationship;
  Tracked* parent;
};

struct SessionState;

struct Tracked {
  Tracked(Record r, std::size_t seen, SessionState* owner)
      : record(std::move(r)), order(seen), session(owner) {}
  Record record;
  RecordState state = RecordState::pending;
  std::string identity;     // its identity-map key while it is in the map
  std::vector<Link> links;  // kept after use: a restaged insert resolves them again
  std::size_t order;        // when the session first saw it: ties keep staging order
  SessionState* session;
};

// What a flush did in the current transaction, so that a rollback can bring the session's
// records back in line with the database.
struct JournalEntry {
  enum class Kind { inserted, updated, deleted };
  Kind kind;
  Tracked* tracked;
  ColumnFlags staged_mask;            // inserted: the columns the user had set
  RecordAccess::Originals originals;  // updated: the database's values before the UPDATE
  std::string identity;               // updated and deleted: the key it had before
  // updated: columns the server changed on its own (ON UPDATE), as they were before
  RecordAccess::Originals server_changed;
};

struct SessionState {
  SessionState(Engine& owner, std::source_location taken_at) : engine(&owner), where(taken_at) {}

  Engine* engine;
  std::source_location where;
  std::optional<Lease> lease;
  bool in_transaction = false;
  std::deque<Tracked> records;      // stable addresses
  std::vector<Record*> changed;     // records set() reported changed since the last flush
  std::vector<Tracked*> unindexed;  // inserted, keyed, not yet in identity_map
  struct TypedBinding {
    std::shared_ptr<void> object;
    TypedHooks hooks;
  };
  std::unordered_map<const Record*, TypedBinding> typed;   // typed objects, by their record
  std::unordered_map<const void*, Record*> typed_records;  // and the other way
  std::unordered_map<const Model*, std::unordered_map<std::string, Tracked*>> identity_map;
  std::vector<Tracked*> inserts;  // staged, in staging order
  std::vector<Tracked*> deletes;
  std::vector<JournalEntry> journal;    // since BEGIN
  std::vector<std::size_t> savepoints;  // journal size when each was set
#if TABULA_SESSION_THREAD_CHECKS
  std::atomic<std::thread::id> user{};
#endif

  // The connection, taking one and beginning the transaction when needed.
  Connection& connection();
  // The connection, taking one when needed, without beginning a transaction.
  Connection& leased();
  // BEGIN on the leased connection unless a transaction is open.
  void begin_transaction();
  bool returning_supported();

  Tracked& track(Record record, RecordState state);
  // The session's entry for `record`; Error naming `operation` when it is not the session's.
  Tracked& tracked(const Record& record, std::string_view operation);
  void enter_identity(Tracked& t);
  void leave_identity(Tracked& t);
  Tracked* find_identity(const Model& model, const std::string& identity);
  // Row `row` of `result` (every column of `model`, in table order) as the session's record: the
  // existing one when the key is already mapped, else a new persistent record.
  Record* adopt(const Model& model, const std::vector<Family>& families, const ResultSet& result,
                std::size_t row);

  // Typed objects: fields into records before a flush, records' values back after.
  void push_typed();
  void pull_typed() noexcept;
  bool has_work() const;
  std::size_t pending_count() const;
  // `committing`: a COMMIT follows at once. Then, outside a transaction, work that is a single
  // INSERT statement is sent on its own: one statement is atomic, so BEGIN and COMMIT would add
  // two round trips and no safety.
  void flush(bool committing = false);
  bool one_statement_work();
  void check_insertable() const;
  void write_inserts(Connection& conn);
  void insert_page(Connection& conn, const Model& model, const std::vector<Tracked*>& rows,
                   const std::vector<std::size_t>& columns, std::optional<std::uint64_t> id_step);
  void insert_one_without_returning(Connection& conn, Tracked& t);
  void finish_insert(Tracked& t, ColumnFlags staged_mask);
  void resolve_links(Tracked& t);
  void write_updates(Connection& conn);
  void update_one(Connection& conn, Tracked& t);
  // After an UPDATE of `t` that set `set_columns`: reads back the columns the server changed on
  // its own (ON UPDATE current_timestamp() and the like, a system-versioned row's start and end)
  // and returns their values before.
  RecordAccess::Originals read_back_on_update(Connection& conn, Tracked& t,
                                              const std::vector<std::size_t>& set_columns);
  void write_deletes(Connection& conn);

  // After a failed flush: rolls back to the innermost savepoint (or the whole transaction) and
  // stages again what was sent since.
  void recover_from_failed_flush() noexcept;
  // Puts the records back as the database has them after a rollback to journal entry `mark`:
  // `restage` (a failed flush) stages the undone work again; otherwise (a rollback the user
  // asked for) it is discarded, along with everything staged and not yet sent.
  void undo_journal(std::size_t mark, bool restage);
  void discard_staged();
  void rebuild_staged_lists();
  void end_transaction(bool commit);
  void rollback() noexcept;
  std::string savepoint_name(std::size_t depth) const;
  void rollback_to_savepoint(std::size_t depth) noexcept;
};

// Debug builds: throws Error when a second thread enters a session another thread is in.
class UseCheck {
 public:
#if TABULA_SESSION_THREAD_CHECKS
  explicit UseCheck(SessionState& state);
  ~UseCheck();
  UseCheck(const UseCheck&) = delete;
  UseCheck& operator=(const UseCheck&) = delete;

 private:
  SessionState* state_;
  bool outer_ = false;
#else
  explicit UseCheck(SessionState&) {}
#endif
};

std::string quote_identifier(Dialect dialect, std::string_view name);

// Runs a transaction-control statement (BEGIN, COMMIT, SAVEPOINT ...), reporting it to the
// statement hook like every other statement the session sends.
void control(Connection& conn, const std::string& statement);

// Loads row `row` of `result` (every column, in table order) into `record`.
void load_row(Record& record, const std::vector<Family>& families, const ResultSet& result,
              std::size_t row);

}  // namespace tabula::detail

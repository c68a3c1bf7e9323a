#pragma once

// Everything a Session knows, behind its unique_ptr so that Query and Savepoint objects keep
// working when the Session is moved. Internal: the public contract is in session.hpp.
//
// The pieces, each in its own file:
//   TransactionScope  the lease and BEGIN/COMMIT                  (transaction_scope.hpp)
//   UnitOfWork        records, identity map, staged lists         (unit_of_work.hpp)
//   Journal           what flushes did, for rollbacks, savepoints (journal.hpp)
//   TypedBindings     typed objects and their records             (typed_bindings.hpp)
// and the flush, which writes the staged work through the writers: inserts (write_inserts.cpp,
// with the dialect's InsertWriter), updates (write_updates.cpp) and deletes (write_deletes.cpp),
// in pages.

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/session.hpp>

#include "dialect/insert_writer.hpp"
#include "record_access.hpp"
#include "session/journal.hpp"
#include "session/transaction_scope.hpp"
#include "session/typed_bindings.hpp"
#include "session/unit_of_work.hpp"
#include "statement.hpp"

#include <atomic>
#include <memory>
#include <source_location>
#include <span>
#include <thread>
#include <vector>

#ifndef TABULA_SESSION_THREAD_CHECKS
#ifdef NDEBUG
#define TABULA_SESSION_THREAD_CHECKS 0
#else
#define TABULA_SESSION_THREAD_CHECKS 1
#endif
#endif

namespace tabula::detail {

struct SessionState final : InsertTarget, SentAhead {
  SessionState(Engine& owner, std::source_location taken_at, SessionOptions options)
      : tx(owner, taken_at, options.read_only ? Intent::read : Intent::write, options.after,
           options.after_timeout),
        read_only(options.read_only),
        write_behind(options.write_behind) {
    unit.sent_ahead = this;
  }
  SessionState(const SessionState&) = delete;
  SessionState& operator=(const SessionState&) = delete;

  TransactionScope tx;
  const bool read_only;     // SessionOptions::read_only: writes refused at flush
  const bool write_behind;  // SessionOptions::write_behind: add() may send pages ahead
  UnitOfWork unit;
  Journal journal;
  TypedBindings typed;
#if TABULA_SESSION_THREAD_CHECKS
  std::atomic<std::thread::id> user{};
#endif

  Engine& engine() const noexcept {
    return tx.engine();
  }

  // After add(): with write_behind, sends the staged inserts when they fill a page (and the
  // page sent before lands).
  void after_add();
  // SentAhead: waits for the pages sent ahead; a failure is handled as a failed flush's.
  void land_sent() override;
  // Lets the pages sent ahead go unreported (the transaction or savepoint is rolled back).
  void abandon_sent() noexcept;

  // `committing`: a COMMIT follows at once. Then, outside a transaction, work that is a single
  // INSERT statement is sent on its own: one statement is atomic, so BEGIN and COMMIT would add
  // two round trips and no safety.
  void flush(bool committing = false);
  // Replication: `e` is a write refused by a read-only server (the primary was demoted). Marks
  // `conn` broken, so the pool asks every host its role again, and returns true.
  bool refused_as_demoted(const SqlError& e, Connection& conn);
  // `e` as a retryable error that says why (engine.transaction runs the work again).
  static SqlError demoted_error(const SqlError& e);
  // COMMIT or ROLLBACK, and the journal is done with.
  void end_transaction(bool commit);
  // Rolls the transaction back and the records with it; the lease goes back.
  void rollback() noexcept;
  void rollback_to_savepoint(std::size_t depth) noexcept;

  // InsertTarget, for the dialect's insert writer.
  void begin_transaction() override {
    tx.begin();
  }
  void inserted(Record& record, ColumnFlags staged_mask) override;
  bool has_before_insert_trigger(const Table& table) override;

 private:
  bool one_statement_work(const UnitOfWork::StagedInserts& staged);
  // Sends the staged inserts ahead when they are all of `model`, no link among them.
  void send_ahead();
  // Runs `send` (which writes pages ahead); when it throws, the records sent ahead are staged
  // again as after a failed flush, and the error goes on as flush() would throw it.
  template <class Send>
  void sending_ahead(Send send);
  // After a failed flush: rolls back to the innermost savepoint (or the whole transaction) and
  // stages again what was sent since.
  void recover_from_failed_flush() noexcept;

  // The writers (write_inserts.cpp, write_updates.cpp, write_deletes.cpp).
  void write_inserts(Connection& conn, const UnitOfWork::StagedInserts& staged);
  void resolve_links(Tracked& t);
  void write_updates(Connection& conn);
  // One UPDATE of `rows` (one table, the same changed `columns`), journaled.
  void update_page(Connection& conn, std::span<Tracked* const> rows,
                   const std::vector<std::size_t>& columns);
  // After an UPDATE of `rows` that set `set_columns`: reads back the columns the server changed
  // on its own (ON UPDATE current_timestamp() and the like, a system-versioned row's start and
  // end) and keeps their values before in the rows' journal changes (indexes in `changes`).
  void read_back_on_update(Connection& conn, std::span<Tracked* const> rows,
                           const std::vector<std::size_t>& set_columns,
                           const std::vector<std::size_t>& changes);
  void write_deletes(Connection& conn);
  // One DELETE of `rows` (one table), journaled.
  void delete_page(Connection& conn, std::span<Tracked* const> rows);

  // The writer holding the pages sent ahead (write_behind), for the transaction's connection.
  std::unique_ptr<InsertWriter> ahead_writer_;
  // add() looks at the staged inserts again when there are this many (a page's worth).
  std::size_t next_send_check_ = 1001;
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

}  // namespace tabula::detail

#include "session/transaction_scope.hpp"

#include <tabula/error.hpp>
#include <tabula/log.hpp>

#include "connection_access.hpp"
#include "detail/url_options.hpp"

namespace tabula::detail {

SqlError unknown_outcome(const SqlError& e) {
  // Rather than let a retry look safe.
  return SqlError(std::string(e.what()) +
                      " (the connection broke while the server was committing: whether it "
                      "committed is unknown; check before sending the work again)",
                  e.code(), e.sqlstate(), true, false);
}

void control(Connection& conn, const std::string& statement) {
  report_statement(statement, 0);
  conn.execute(statement);
}

Connection& TransactionScope::leased() {
  if (lease_) return **lease_;
  Pool& pool = engine_->pool();
  lease_.emplace(pool.checkout(intent_, where_));
  // The pool trusts a connection used moments ago without a round trip. One killed meanwhile
  // (KILL, a server restart) shows it on its socket; nothing has been sent on it yet, so a
  // ping decides and a dead one is swapped for another instead of failing the first statement
  // (or leaving a lone commit's outcome unknown). One poll() per session, no round trip.
  std::size_t tries = 0;
  while ((*lease_)->shows_hangup() && !(*lease_)->ping(std::chrono::seconds{5}) &&
         tries++ < pool.options().max_connections) {
    lease_.reset();  // broken: the pool closes it
    lease_.emplace(pool.checkout(intent_, where_));
  }
  if (!after_.empty() && !waited_) {
    Connection& conn = **lease_;
    bool applied = false;
    try {
      applied = ConnectionAccess::dialect(conn).wait_for_commit(conn, after_, after_timeout_);
    } catch (const SqlError& e) {
      // The wait itself failed (killed, timed out at the socket...): this connection is not
      // known to have the commit, so it is not used; a broken one is closed by the pool.
      if (e.is_disconnect()) ConnectionAccess::mark_broken(conn);
      lease_.reset();
      throw;
    } catch (...) {
      lease_.reset();
      throw;
    }
    if (!applied) {
      lease_.reset();
      throw Error("read-your-writes: the server did not apply commit " + after_ + " within " +
                  std::to_string(after_timeout_.count()) +
                  " ms (SessionOptions::after_timeout); no stale answer was given");
    }
    waited_ = true;  // for as long as this lease lasts
  }
  return **lease_;
}

void TransactionScope::begin() {
  Connection& conn = leased();
  if (!in_transaction_) {
    control(conn, "BEGIN");
    in_transaction_ = true;
  }
}

Connection& TransactionScope::connection() {
  begin();
  return **lease_;
}

void TransactionScope::end(bool commit) {
  // Replication: the commit's token, asked on the same connection right after it (a statement
  // that committed on its own, outside a transaction, counts too).
  auto remember_commit = [&](bool after_commit) {
    if (!wrote_ || engine_->pool().topology() != Topology::replication) return;
    wrote_ = false;
    try {
      last_commit_ = ConnectionAccess::dialect(**lease_).last_commit_token(**lease_, after_commit);
    } catch (const Error& e) {
      last_commit_.clear();
      if (const auto* sql = dynamic_cast<const SqlError*>(&e); sql && sql->is_disconnect()) {
        ConnectionAccess::mark_broken(**lease_);
      }
      log(LogLevel::warning, std::string("could not read the commit's GTID: ") + e.what());
    }
  };
  if (lease_ && !in_transaction_ && commit) remember_commit(false);
  // A broken connection is closed by the pool, which ends its transaction at the server: no
  // ROLLBACK is sent down it, and no COMMIT either. (After a Galera node's 1047 the socket still
  // works: a COMMIT could commit the statements before the refused one once the node is back.)
  if (lease_ && in_transaction_ && (commit || !(*lease_)->is_broken())) {
    if (commit && (*lease_)->is_broken()) {
      throw SqlError(
          "not committed: the connection broke during the transaction, which the server ended "
          "without committing it; run the work again",
          0, "08003", true, true);
    }
    if (commit) {
      try {
        control(**lease_, "COMMIT");
      } catch (const SqlError& e) {
        if (e.is_disconnect()) throw unknown_outcome(e);
        throw;
      }
      remember_commit(true);
    } else {
      try {
        control(**lease_, "ROLLBACK");
      } catch (const Error& e) {
        // The pool closes a connection it cannot reset; nothing was committed either way.
        log(LogLevel::warning, std::string("session rollback failed: ") + e.what());
      }
    }
  }
  in_transaction_ = false;
  wrote_ = false;
  waited_ = false;
  lease_.reset();
}

bool TransactionScope::returning_supported() {
  if (engine_->url().option("returning") == "off") return false;
  Connection& conn = leased();
  return ConnectionAccess::dialect(conn).supports_insert_returning(conn);
}

InsertOptions TransactionScope::insert_options() {
  return {.returning = returning_supported(),
          .statement_cache = statement_cache_size(engine_->url())};
}

}  // namespace tabula::detail

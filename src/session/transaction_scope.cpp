#include "session/transaction_scope.hpp"

#include <tabula/error.hpp>
#include <tabula/log.hpp>

#include "connection_access.hpp"
#include "detail/url_options.hpp"

namespace tabula::detail {

// Rather than let a retry look safe.
const char* const kUnknownOutcome =
    "the connection broke while the server was committing: whether it committed is unknown; "
    "check before sending the work again";

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
  if (lease_ && in_transaction_) {
    if (commit) {
      try {
        control(**lease_, "COMMIT");
      } catch (const SqlError& e) {
        if (e.is_disconnect()) throw e.with_context(kUnknownOutcome);
        throw;
      }
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

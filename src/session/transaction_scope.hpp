#pragma once

// A session's hold on the database: the lease it takes on first use, and the transaction it
// opens on it. Ending the transaction (COMMIT or ROLLBACK) gives the connection back.

#include <tabula/engine.hpp>
#include <tabula/lease.hpp>

#include "dialect/insert_writer.hpp"

#include <chrono>
#include <optional>
#include <source_location>
#include <string>

namespace tabula::detail {

class TransactionScope {
 public:
  TransactionScope(Engine& engine, std::source_location taken_at, Intent intent = Intent::write,
                   std::string after = {},
                   std::chrono::milliseconds after_timeout = std::chrono::seconds{5})
      : engine_(&engine),
        where_(taken_at),
        intent_(intent),
        after_(std::move(after)),
        after_timeout_(after_timeout) {}

  Engine& engine() const noexcept { return *engine_; }
  // Where the session was created: leases taken for it are reported as taken there.
  std::source_location where() const noexcept { return where_; }

  bool has_connection() const noexcept { return lease_.has_value(); }
  bool in_transaction() const noexcept { return in_transaction_; }
  // The leased connection; only while has_connection().
  Connection& current() noexcept { return **lease_; }

  // The connection, taking one when needed, without beginning a transaction.
  Connection& leased();
  // The connection, taking one and beginning the transaction when needed.
  Connection& connection();
  // BEGIN on the leased connection unless a transaction is open.
  void begin();
  // COMMIT (throws SqlError; a disconnect says the outcome is unknown) or ROLLBACK (a failure is
  // logged: the pool closes a connection it cannot reset). The lease goes back either way.
  void end(bool commit);

  // True when the leased connection's server takes INSERT ... RETURNING and the URL does not
  // say returning=off.
  bool returning_supported();
  // What the dialect's insert writer may use on the leased connection.
  InsertOptions insert_options();

  // Replication: the last commit's token (its GTID), for read-your-writes.
  const std::string& last_commit() const noexcept { return last_commit_; }
  // Something was sent that a commit makes durable (set by flushes and execute()).
  void wrote() noexcept { wrote_ = true; }

 private:
  Engine* engine_;
  std::source_location where_;
  Intent intent_;      // replication: a read-only session's connection may be a replica's
  std::string after_;  // a commit the connection must have applied first (read-your-writes)
  std::chrono::milliseconds after_timeout_;
  std::string last_commit_;
  bool wrote_ = false;
  bool waited_ = false;  // the leased connection has applied `after_`
  std::optional<Lease> lease_;
  bool in_transaction_ = false;
};

// A commit whose acknowledgement was lost may or may not have happened: `e` (the connection broke
// during the commit) as the caller sees it then. Never retryable, whatever `e` was: a Galera
// node's 1047 may be run again elsewhere before a commit, not when it refused one.
SqlError unknown_outcome(const SqlError& e);

// Runs a transaction-control statement (BEGIN, COMMIT, SAVEPOINT ...), reporting it to the
// statement hook like every other statement the session sends.
void control(Connection& conn, const std::string& statement);

}  // namespace tabula::detail

#pragma once

// A Session is a unit of work on one Engine: it stages new records, sends them in one
// transaction, and fills in what the database generated (keys, defaults).
//
//   tabula::Session session = engine.session();      // no connection taken yet
//   tabula::Record& order = session.add(models.at("orders").make({{"customer", "ada"}}));
//   session.commit();                                 // INSERT ... RETURNING; connection back
//   std::int64_t id = order.get<std::int64_t>("id");
//
// Connection discipline: a session takes no connection until its first statement, keeps it
// until commit() or rollback(), and gives it back in its destructor after rolling back anything
// uncommitted. Movable, not copyable; one thread at a time.
//
// This version stages inserts only; identity map, dirty tracking, deletes and queries follow.

#include <tabula/lease.hpp>
#include <tabula/record.hpp>

#include <deque>
#include <memory>
#include <optional>
#include <source_location>
#include <vector>

namespace tabula {

class Engine;

class Session {
 public:
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Stages `record` for insertion and returns the session's copy, which stays valid (same
  // address) for the session's life and receives generated keys and server defaults at flush.
  // Throws ValidationError when the record lacks a required column or is a view's.
  Record& add(Record record);

  // Sends the staged inserts inside the session's transaction (beginning it, and taking a
  // connection, if needed): parents before children by foreign keys, one INSERT ... RETURNING
  // per record. On failure the transaction is rolled back, the records stay staged, the session
  // stays usable, and the SqlError names the failing record.
  void flush();

  // flush(), then COMMIT; the connection goes back to the pool. Nothing half-written is ever
  // committed: a failing flush rolls everything back.
  void commit();

  // Discards what is staged, rolls back what was sent, gives the connection back. Never throws
  // for a connection that is already gone.
  void rollback() noexcept;

  // True while the session holds a connection.
  bool has_connection() const noexcept { return lease_.has_value(); }
  // Records staged and not yet flushed.
  std::size_t pending() const noexcept { return pending_.size(); }

 private:
  friend class Engine;
  Session(Engine& engine, std::source_location where) : engine_(&engine), where_(where) {}
  Connection& connection();
  void insert(Record& record);

  Engine* engine_;
  std::source_location where_;
  std::optional<Lease> lease_;
  bool in_transaction_ = false;
  std::deque<Record> records_;  // session-owned; deque keeps addresses stable
  std::vector<Record*> pending_;
};

}  // namespace tabula

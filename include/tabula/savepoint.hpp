#pragma once

// A nested transaction inside a Session, as an RAII guard (Session::savepoint()).
//
//   {
//     tabula::Savepoint sp = session.savepoint();   // flushes, then SAVEPOINT
//     session.add(models.at("audit").make({{"note", "try"}}));
//     risky(session);                                // throws: sp rolls back, session goes on
//     sp.release();                                  // keep it: part of the outer transaction
//   }
//
// Rolling back to a savepoint undoes the database work since it and reverts the session's
// records to match: records added since are forgotten, changes since are undone, removals
// since are cancelled. Savepoints nest; they are released or rolled back innermost first.

#include <cstddef>

namespace tabula {

class Session;
namespace detail {
struct SessionState;
}

class Savepoint {
 public:
  // Rolls back to the savepoint unless release() or rollback() was called. Never throws.
  ~Savepoint();
  Savepoint(Savepoint&& other) noexcept;
  Savepoint& operator=(Savepoint&&) = delete;
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;

  // Flushes and releases the savepoint: the work becomes part of the enclosing transaction.
  // Throws what flush() throws (the savepoint is then rolled back).
  void release();
  // Rolls back to the savepoint now.
  void rollback() noexcept;

 private:
  friend class Session;
  Savepoint(detail::SessionState& state, std::size_t depth) : state_(&state), depth_(depth) {}
  detail::SessionState* state_;  // survives moving the Session
  std::size_t depth_;            // 1 for the outermost savepoint
};

}  // namespace tabula

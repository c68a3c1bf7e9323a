#pragma once

// The process-wide side of the database client libraries: set up once before the first
// connection, per-thread state for the threads tabula owns, and an orderly end at process exit.
//
// Connector/C must be initialised before threads use it, and SOCI ends it (mysql_library_end) from
// a static destructor at exit. A pool still alive then (a leaked Engine, a static one, a thread
// still running) must not open a connection into a library that is being torn down: at exit,
// new connection attempts are refused and the ones in flight are waited for, briefly, before the
// library ends.
//
//   detail::prepare_client_library(url.dialect());   // before starting any thread
//   detail::ClientThread scope(url.dialect());        // first thing in a thread tabula owns
//   detail::LibraryUse use;                           // around each open and close
//   if (!use.granted()) ...                           // the process is exiting
//
// All of it is thread-safe.

#include <tabula/url.hpp>

namespace tabula::detail {

// Initialises the client library for `dialect` once per process, whatever thread comes first.
// Throws ConnectError when the library cannot be initialised. Cheap after the first call.
void prepare_client_library(Dialect dialect);

// Registers (once) the exit handler that refuses new uses of the client libraries and waits for
// those in flight. A dialect calls it from its init_client_library(), after whatever ends its
// library at exit has been registered, so that the guard runs first.
void guard_process_exit();

// True once the process has begun to exit (std::exit or a return from main): no new connection
// may be opened, and failures seen now are expected rather than worth reporting.
bool process_exiting() noexcept;

// Per-thread client state for a thread tabula starts (the pool's housekeeper): set up on
// construction, released on destruction.
class ClientThread {
 public:
  explicit ClientThread(Dialect dialect) noexcept;
  ~ClientThread();
  ClientThread(const ClientThread&) = delete;
  ClientThread& operator=(const ClientThread&) = delete;

 private:
  Dialect dialect_;
};

// Counts one use of the client library that opens or closes a connection, so that process exit
// waits for it before the library ends. Once the process is exiting no new use is granted: the
// caller then fails (an open) or lets go without the library (a close).
class LibraryUse {
 public:
  LibraryUse() noexcept;
  ~LibraryUse();
  LibraryUse(const LibraryUse&) = delete;
  LibraryUse& operator=(const LibraryUse&) = delete;

  bool granted() const noexcept { return granted_; }

 private:
  bool granted_ = false;
};

}  // namespace tabula::detail

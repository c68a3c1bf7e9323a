#pragma once

// An Engine is tabula's entry point for one database: the parsed Url, its Dialect and its
// bounded connection Pool. Everything else (reflection, automap, sessions) is reached through it.
//
//   tabula::Engine engine{"mysql://app:secret@127.0.0.1:3306/shop",
//                         {.max_connections = 12, .checkout_timeout = std::chrono::seconds{5}}};
//   tabula::Lease lease = engine.checkout();   // a connection, given back at scope exit
//   lease->execute("DELETE FROM cart WHERE expires < NOW()");
//
// An Engine is safe to use from many threads at once. It is movable, not copyable: one Engine per
// database per process, so that its pool's cap is the process's cap.

#include <tabula/lease.hpp>
#include <tabula/pool.hpp>
#include <tabula/session.hpp>
#include <tabula/url.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <source_location>
#include <string_view>
#include <thread>
#include <type_traits>

namespace tabula {

class Models;
class Connection;
namespace detail {
struct SessionState;
}

// How Engine::transaction treats a transaction the database could not finish for contention.
struct TransactionOptions {
  // Runs in all, when the error is retryable (SqlError::is_retryable: a deadlock, a lock wait
  // timeout, a cluster node that cannot take the work...);
  // 1 means no retry. Work that is retried must be safe to run again (it gets a fresh session).
  int attempts = 1;
  // The pause before the second run, doubled before each one after.
  std::chrono::milliseconds backoff{20};
};

class Engine {
 public:
  // Parses the URL (throws UrlError) and checks its options (UrlError naming an unknown option).
  // Pool options in the URL (`?max_connections=12`) override those in `options`. Opens no
  // connection yet unless min_idle > 0.
  explicit Engine(Url url, PoolOptions options = {});
  explicit Engine(std::string_view url, PoolOptions options = {});
  ~Engine();
  // Lifetime trap: a Session (and a Query or Savepoint from it) keeps a plain pointer to the
  // Engine that made it. Do not move, move-assign or destroy an Engine while any of its sessions
  // is alive; keep the Engine where it is (a member, a static) for as long as they are. Leases
  // need no such care: they keep the pool's shared state alive themselves.
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;

  const Url& url() const noexcept;
  Dialect dialect() const noexcept;

  // The engine's connection pool: statistics, options, try_checkout().
  Pool& pool() noexcept { return pool_; }
  const Pool& pool() const noexcept { return pool_; }

  // Hands out a pooled connection for the caller's exclusive use until the Lease is destroyed
  // (Pool::checkout). Throws PoolTimeout or ConnectError. `where` records the caller for leak and
  // timeout reports; leave it defaulted.
  Lease checkout(std::source_location where = std::source_location::current());

  // A unit of work on this engine (session.hpp). It takes a connection only when it first needs
  // one; `where` is recorded as the connection's holder.
  Session session(std::source_location where = std::source_location::current());
  //   tabula::Session reader = engine.session({.read_only = true});
  Session session(SessionOptions options,
                  std::source_location where = std::source_location::current());

  // Runs `work(session)` on a fresh session and commits; if `work` throws, the session rolls
  // back and the exception goes on. With options.attempts > 1, a retryable error (a deadlock, a
  // lock wait timeout...; SqlError::is_retryable) from `work` or the commit runs it again on a
  // new session after a pause. Returns what `work` returns.
  //
  //   engine.transaction([&](tabula::Session& s) {
  //     s.get("account", from)->set("balance", ...);
  //     s.get("account", to)->set("balance", ...);
  //   }, {.attempts = 3});
  template <class Work>
  std::invoke_result_t<Work&, Session&> transaction(
      Work&& work, TransactionOptions options = {},
      std::source_location where = std::source_location::current());

  // Checks at run time that the typed model T (a tabula-gen struct) still matches the live
  // table: every column present, in field order, with the C++ type and nullability tabula-gen
  // would give it now. Throws Error listing each difference. Defined in typed_session.hpp.
  template <class T>
  void verify();

  // The automapped models of the URL's database, reflected at the first call and kept.
  // Thread-safe. Throws what automap() throws.
  const Models& models();

  // The one-liner: inserts one row of `table` from a JSON object through a short-lived session
  // and returns the inserted row as JSON, with its generated key and server defaults. The
  // connection is back in the pool before it returns. Throws Error for an unknown table,
  // ValidationError for a bad value, SqlError when the database refuses the row.
  std::string insert(std::string_view table, std::string_view json,
                     std::source_location where = std::source_location::current());

  // Runs one statement that returns no rows on a connection checked out for the call.
  // Throws SqlError, ConnectError or PoolTimeout.
  void execute(std::string_view statement,
               std::source_location where = std::source_location::current());

 private:
  friend struct detail::SessionState;
  // Whether `table` has a BEFORE INSERT trigger (which may change any value inserted), asked once
  // per table and kept, like the models.
  bool has_before_insert_trigger(Connection& connection, const std::string& table);

  Pool pool_;
  struct ModelCache;
  std::shared_ptr<ModelCache> models_;
};

template <class Work>
std::invoke_result_t<Work&, Session&> Engine::transaction(Work&& work, TransactionOptions options,
                                                          std::source_location where) {
  using Result = std::invoke_result_t<Work&, Session&>;
  std::chrono::milliseconds pause = options.backoff;
  for (int attempt = 1;; ++attempt) {
    try {
      Session s = session(where);
      if constexpr (std::is_void_v<Result>) {
        std::invoke(work, s);
        s.commit();
        return;
      } else {
        Result result = std::invoke(work, s);
        s.commit();
        return result;
      }
    } catch (const SqlError& e) {
      if (attempt >= options.attempts || !e.is_retryable()) throw;
    }
    std::this_thread::sleep_for(pause);  // the session is gone: no connection held meanwhile
    pause *= 2;
  }
}

}  // namespace tabula

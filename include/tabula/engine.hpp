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
#include <tabula/url.hpp>

#include <memory>
#include <source_location>
#include <string_view>

namespace tabula {

class Engine {
 public:
  // Parses the URL (throws UrlError) and checks its options (UrlError naming an unknown option).
  // Pool options in the URL (`?max_connections=12`) override those in `options`. Opens no
  // connection yet unless min_idle > 0.
  explicit Engine(Url url, PoolOptions options = {});
  explicit Engine(std::string_view url, PoolOptions options = {});
  ~Engine();
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

  // Runs one statement that returns no rows on a connection checked out for the call.
  // Throws SqlError, ConnectError or PoolTimeout.
  void execute(std::string_view statement,
               std::source_location where = std::source_location::current());

 private:
  Pool pool_;
};

}  // namespace tabula

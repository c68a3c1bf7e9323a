#pragma once

// An Engine is tabula's entry point for one database: the parsed Url, its Dialect and the source
// of connections. Everything else (reflection, automap, sessions) is reached through it.
//
//   tabula::Engine engine{"mysql://app:secret@127.0.0.1:3306/shop"};
//   tabula::Lease lease = engine.checkout();   // a connection, given back at scope exit
//   lease->execute("DELETE FROM cart WHERE expires < NOW()");
//
// An Engine is safe to use from many threads at once. It is movable, not copyable: one Engine per
// database per process, so that its connection bound (the pool, in a later version) is the bound.

#include <tabula/lease.hpp>
#include <tabula/url.hpp>

#include <memory>
#include <source_location>
#include <string_view>

namespace tabula {

namespace detail {
class EngineCore;
}

class Engine {
 public:
  // Parses the URL (throws UrlError) and checks its options (UrlError naming an unknown option).
  // Opens no connection yet: the first checkout() does.
  explicit Engine(Url url);
  explicit Engine(std::string_view url);
  ~Engine();
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;

  const Url& url() const noexcept;
  Dialect dialect() const noexcept;

  // Hands out a connection for the caller's exclusive use until the Lease is destroyed. Throws
  // ConnectError when no connection can be opened. `where` records the caller for diagnostics;
  // leave it defaulted.
  Lease checkout(std::source_location where = std::source_location::current());

  // Runs one statement that returns no rows on a connection checked out for the call.
  // Throws SqlError or ConnectError.
  void execute(std::string_view statement,
               std::source_location where = std::source_location::current());

 private:
  std::shared_ptr<detail::EngineCore> core_;
};

}  // namespace tabula

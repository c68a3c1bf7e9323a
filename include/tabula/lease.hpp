#pragma once

// A Lease is the right to use one Connection for a while. It is move-only; its destructor gives
// the connection back on every path, exceptions included. Where the lease was taken is recorded
// (std::source_location) so that reports about long-held connections can name the holder.
//
//   {
//     tabula::Lease lease = engine.checkout();
//     lease->execute("UPDATE stock SET qty = qty - 1 WHERE id = 7");
//   }  // the connection goes back here, however the scope is left
//
// A Lease is used by one thread at a time. Lifetime trap: `Connection&` obtained from a lease
// dangles once the lease is destroyed or moved from.

#include <tabula/connection.hpp>

#include <cstddef>
#include <memory>
#include <source_location>

namespace tabula {

namespace detail {
class LeaseOwner;
}

class [[nodiscard]] Lease {
 public:
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&& other) noexcept;
  ~Lease();

  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  // The leased connection. Requires a lease that has not been moved from.
  Connection& connection() const noexcept { return *connection_; }
  Connection* operator->() const noexcept { return connection_.get(); }
  Connection& operator*() const noexcept { return *connection_; }

  // Where checkout() was called.
  const std::source_location& taken_at() const noexcept { return taken_at_; }

  // Gives the connection back now instead of at scope exit. Idempotent; never throws.
  void release() noexcept;

 private:
  friend class detail::LeaseOwner;
  Lease(detail::LeaseOwner* owner, std::unique_ptr<Connection> connection, std::size_t token,
        std::source_location taken_at) noexcept;

  // The giver. It keeps itself alive while any of its leases is out (the pool holds a reference
  // to its own shared state until the last lease comes back), so this never dangles.
  detail::LeaseOwner* owner_ = nullptr;
  std::unique_ptr<Connection> connection_;
  std::size_t token_ = 0;  // the owner's handle for this lease (the pool's slot number)
  std::source_location taken_at_;
};

}  // namespace tabula

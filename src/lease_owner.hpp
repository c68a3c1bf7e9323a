#pragma once

// The giver of leases: whatever hands out Connections inside a Lease and takes them back when
// the lease ends. The Engine's pool implements it; a Lease holds a shared_ptr to its owner so the
// owner outlives every lease it gave out.

#include <tabula/lease.hpp>

#include <cstddef>
#include <memory>
#include <source_location>

namespace tabula::detail {

class LeaseOwner : public std::enable_shared_from_this<LeaseOwner> {
 public:
  virtual ~LeaseOwner() = default;

  // Takes back a connection whose lease ended; `token` is what make_lease() was given. Must not
  // throw: it runs in Lease's destructor, so failures are reported, not raised.
  virtual void give_back(std::unique_ptr<Connection> connection, std::size_t token) noexcept = 0;

 protected:
  Lease make_lease(std::unique_ptr<Connection> connection, std::size_t token,
                   std::source_location taken_at) {
    return Lease(shared_from_this(), std::move(connection), token, taken_at);
  }
};

}  // namespace tabula::detail

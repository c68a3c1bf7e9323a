#pragma once

// The giver of leases: whatever hands out Connections inside a Lease and takes them back when
// the lease ends. The pool implements it. Contract: an owner stays alive until every lease it
// gave out has come back (the pool keeps a reference to itself while any lease is out), so a
// Lease may hold a plain pointer to it without a reference count per lease.

#include <tabula/lease.hpp>

#include <cstddef>
#include <memory>
#include <source_location>

namespace tabula::detail {

class LeaseOwner {
 public:
  virtual ~LeaseOwner() = default;

  // Takes back a connection whose lease ended; `token` is what make_lease() was given. Must not
  // throw: it runs in Lease's destructor, so failures are reported, not raised.
  virtual void give_back(std::unique_ptr<Connection> connection, std::size_t token) noexcept = 0;

 protected:
  Lease make_lease(std::unique_ptr<Connection> connection, std::size_t token,
                   std::source_location taken_at) {
    return Lease(this, std::move(connection), token, taken_at);
  }
};

}  // namespace tabula::detail

#include <tabula/lease.hpp>

#include "lease_owner.hpp"

#include <utility>

namespace tabula {

Lease::Lease(detail::LeaseOwner* owner, std::unique_ptr<Connection> connection, std::size_t token,
             std::source_location taken_at) noexcept
    : owner_(owner), connection_(std::move(connection)), token_(token), taken_at_(taken_at) {}

Lease::Lease(Lease&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)),
      connection_(std::move(other.connection_)),
      token_(other.token_),
      taken_at_(other.taken_at_) {}

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    connection_ = std::move(other.connection_);
    token_ = other.token_;
    taken_at_ = other.taken_at_;
  }
  return *this;
}

Lease::~Lease() {
  release();
}

void Lease::release() noexcept {
  detail::LeaseOwner* owner = std::exchange(owner_, nullptr);
  if (connection_ && owner != nullptr) owner->give_back(std::move(connection_), token_);
  connection_.reset();
}

}  // namespace tabula

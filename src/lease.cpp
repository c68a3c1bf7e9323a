#include <tabula/lease.hpp>

#include "lease_owner.hpp"

namespace tabula {

Lease::Lease(std::shared_ptr<detail::LeaseOwner> owner, std::unique_ptr<Connection> connection,
             std::size_t token, std::source_location taken_at) noexcept
    : owner_(std::move(owner)),
      connection_(std::move(connection)),
      token_(token),
      taken_at_(taken_at) {}

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::move(other.owner_);
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
  if (connection_ && owner_) owner_->give_back(std::move(connection_), token_);
  connection_.reset();
  owner_.reset();
}

}  // namespace tabula

#include <tabula/pool.hpp>

#include <tabula/log.hpp>

#include "detail/password_source.hpp"
#include "detail/url_options.hpp"
#include "pool/pool_core.hpp"

namespace tabula {

Pool::Pool(Url url, PoolOptions options) {
  detail::check_url_options(url);
  url = detail::with_resolved_password(std::move(url));
  options = apply_url_options(options, url);
  if (url.is_memory() && options.max_connections > 1) {
    // Every connection to sqlite://:memory: is a database of its own; more than one would make
    // rows vanish between checkouts.
    log(LogLevel::info,
        "sqlite://:memory: pools hold a single connection (each connection is a "
        "separate in-memory database)");
    options.max_connections = 1;
    options.min_idle = std::min<std::size_t>(options.min_idle, 1);
  }
  core_ = std::make_shared<detail::PoolCore>(std::move(url), options);
  core_->start();
}

Pool::~Pool() {
  if (core_) core_->shutdown();
}

Pool::Pool(Pool&&) noexcept = default;

Pool& Pool::operator=(Pool&& other) noexcept {
  if (this != &other) {
    if (core_) core_->shutdown();
    core_ = std::move(other.core_);
  }
  return *this;
}

Lease Pool::checkout(std::source_location where) {
  return core_->checkout(core_->checkout_timeout(), where, Intent::write);
}

Lease Pool::checkout(Intent intent, std::source_location where) {
  return core_->checkout(core_->checkout_timeout(), where, intent);
}

std::optional<Lease> Pool::try_checkout(std::chrono::milliseconds timeout,
                                        std::source_location where) {
  return core_->try_checkout(timeout, where, Intent::write);
}

PoolStats Pool::stats() const {
  return core_->stats();
}

Topology Pool::topology() const noexcept {
  return core_->topology();
}

PoolOptions Pool::options() const {
  return core_->options();
}
const Url& Pool::url() const noexcept {
  return core_->url();
}

}  // namespace tabula

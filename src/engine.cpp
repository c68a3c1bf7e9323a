#include <tabula/engine.hpp>

#include <tabula/error.hpp>

#include "dialect/mysql/mysql_dialect.hpp"
#include "dialect/sqlite/sqlite_dialect.hpp"
#include "lease_owner.hpp"

#include <algorithm>
#include <span>

namespace tabula {
namespace detail {

// The shared state behind an Engine. Until the bounded pool lands, every checkout opens a fresh
// connection and every return closes it; the Lease interface stays the same when pooling comes.
class EngineCore final : public LeaseOwner {
 public:
  explicit EngineCore(Url url) : url_(std::move(url)) { check_options(); }

  const Url& url() const noexcept { return url_; }

  Lease checkout(std::source_location where) { return make_lease(Connection::open(url_), where); }

  void give_back(std::unique_ptr<Connection> connection,
                 const std::source_location& /*taken_at*/) noexcept override {
    connection.reset();
  }

 private:
  void check_options() const {
    std::span<const std::string_view> known = url_.dialect() == Dialect::mysql
                                                  ? dialect::mysql::known_options()
                                                  : dialect::sqlite::known_options();
    for (const auto& [name, value] : url_.options()) {
      if (std::find(known.begin(), known.end(), name) != known.end()) continue;
      std::string list;
      for (std::string_view option : known)
        list += (list.empty() ? "" : ", ") + std::string(option);
      throw UrlError("invalid database URL: unknown option '" + name + "' for " +
                     std::string(to_string(url_.dialect())) + " (known: " + list + ")");
    }
  }

  Url url_;
};

}  // namespace detail

Engine::Engine(Url url) : core_(std::make_shared<detail::EngineCore>(std::move(url))) {}
Engine::Engine(std::string_view url) : Engine(Url(url)) {}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

const Url& Engine::url() const noexcept {
  return core_->url();
}
Dialect Engine::dialect() const noexcept {
  return core_->url().dialect();
}

Lease Engine::checkout(std::source_location where) {
  return core_->checkout(where);
}

void Engine::execute(std::string_view statement, std::source_location where) {
  Lease lease = checkout(where);
  lease->execute(statement);
}

}  // namespace tabula

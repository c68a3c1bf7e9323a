#include <tabula/engine.hpp>

namespace tabula {

Engine::Engine(Url url, PoolOptions options) : pool_(std::move(url), options) {}
Engine::Engine(std::string_view url, PoolOptions options) : Engine(Url(url), options) {}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

const Url& Engine::url() const noexcept {
  return pool_.url();
}
Dialect Engine::dialect() const noexcept {
  return pool_.url().dialect();
}

Lease Engine::checkout(std::source_location where) {
  return pool_.checkout(where);
}

void Engine::execute(std::string_view statement, std::source_location where) {
  Lease lease = checkout(where);
  lease->execute(statement);
}

}  // namespace tabula

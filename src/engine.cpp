#include <tabula/engine.hpp>

#include <tabula/automap.hpp>

#include "connection_access.hpp"

#include <map>
#include <mutex>

namespace tabula {

struct Engine::ModelCache {
  std::mutex mutex;
  std::unique_ptr<Models> models;
  std::map<std::string, bool, std::less<>> before_insert_triggers;
};

Engine::Engine(Url url, PoolOptions options)
    : pool_(std::move(url), options), models_(std::make_shared<ModelCache>()) {}
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

Session Engine::session(std::source_location where) {
  return Session(*this, where);
}

Session Engine::session(SessionOptions options, std::source_location where) {
  return Session(*this, where, options);
}

const Models& Engine::models() {
  std::lock_guard lock(models_->mutex);
  if (!models_->models) models_->models = std::make_unique<Models>(automap(*this));
  return *models_->models;
}

std::string Engine::insert(std::string_view table, std::string_view json,
                           std::source_location where) {
  const Model& model = models().at(table);
  Session session(*this, where);
  Record& record = session.add(model.from_json(json));
  session.commit();
  return record.to_json();
}

bool Engine::has_before_insert_trigger(Connection& connection, const std::string& table) {
  {
    std::lock_guard lock(models_->mutex);
    auto it = models_->before_insert_triggers.find(table);
    if (it != models_->before_insert_triggers.end()) return it->second;
  }
  bool found =
      detail::ConnectionAccess::dialect(connection).has_before_insert_trigger(connection, table);
  std::lock_guard lock(models_->mutex);
  models_->before_insert_triggers.emplace(table, found);
  return found;
}

void Engine::execute(std::string_view statement, std::source_location where) {
  Lease lease = checkout(where);
  lease->execute(statement);
}

}  // namespace tabula

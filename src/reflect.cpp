#include <tabula/reflect.hpp>

#include <tabula/error.hpp>

#include "connection_access.hpp"

namespace tabula {

Schema reflect(Engine& engine, const ReflectOptions& options, ReflectStats* stats) {
  auto started = std::chrono::steady_clock::now();
  int queries = 0;
  Lease lease = engine.checkout();
  Schema schema =
      detail::ConnectionAccess::dialect(*lease).reflect(*lease, engine.url(), options, queries);
  schema.server_version = lease->server_version();
  if (stats != nullptr) {
    stats->queries = queries;
    stats->elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
  }
  return schema;
}

}  // namespace tabula

#include <tabula/reflect.hpp>

#include <tabula/error.hpp>

#include "dialect/mysql/mysql_reflect.hpp"
#include "dialect/sqlite/sqlite_reflect.hpp"

#include <soci/soci.h>

namespace tabula {

Schema reflect(Engine& engine, const ReflectOptions& options, ReflectStats* stats) {
  auto started = std::chrono::steady_clock::now();
  int queries = 0;
  Lease lease = engine.checkout();
  Schema schema = lease->run([&](soci::session& sql) {
    if (engine.dialect() == Dialect::sqlite) {
      Schema s = dialect::sqlite::reflect(sql, options, queries);
      s.name = engine.url().database();
      return s;
    }
    std::string name = options.schema.empty() ? engine.url().database() : options.schema;
    if (name.empty()) {
      throw Error("cannot reflect " + engine.url().to_string() +
                  ": no database given (put one in the URL or set ReflectOptions::schema)");
    }
    return dialect::mysql::reflect(sql, name, lease->is_mariadb(), options, queries);
  });
  schema.server_version = lease->server_version();
  if (stats != nullptr) {
    stats->queries = queries;
    stats->elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
  }
  return schema;
}

}  // namespace tabula

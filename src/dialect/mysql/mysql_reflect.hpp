#pragma once

#include <tabula/reflect.hpp>
#include <tabula/schema.hpp>

#include <string>

namespace soci {
class session;
}

namespace tabula::dialect::mysql {

// Reads `schema_name` from INFORMATION_SCHEMA in a fixed number of queries (added to `queries`).
// `mariadb` selects the server's way of writing defaults and check constraints. Throws Error
// when the database does not exist; SOCI errors propagate (the caller translates them).
Schema reflect(soci::session& sql, const std::string& schema_name, bool mariadb,
               const ReflectOptions& options, int& queries);

}  // namespace tabula::dialect::mysql

// The registered dialects: one line each. See dialect/sql_dialect.hpp for what a dialect is.

#include "dialect/sql_dialect.hpp"

#include "dialect/mysql/mysql_sql_dialect.hpp"
#include "dialect/sqlite/sqlite_sql_dialect.hpp"

namespace tabula::detail {

const SqlDialect& sql_dialect(Dialect dialect) noexcept {
  switch (dialect) {
    case Dialect::mysql:
      return dialect::mysql::instance();
    case Dialect::sqlite:
      return dialect::sqlite::instance();
  }
  return dialect::sqlite::instance();  // not reached: every enumerator is listed
}

std::optional<Dialect> dialect_for_scheme(std::string_view scheme) noexcept {
  if (scheme == "mysql" || scheme == "mariadb") return Dialect::mysql;
  if (scheme == "sqlite" || scheme == "sqlite3") return Dialect::sqlite;
  return std::nullopt;
}

}  // namespace tabula::detail

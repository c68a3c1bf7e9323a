// SQLite as a SqlDialect: the functions of sqlite_dialect, sqlite_statement and sqlite_reflect
// behind the interface the layers above use.

#include "dialect/sqlite/sqlite_sql_dialect.hpp"
#include "dialect/sqlite/sqlite_column_types.hpp"

#include <tabula/connection.hpp>
#include <tabula/error.hpp>

#include "detail/catalog.hpp"
#include "dialect/sqlite/sqlite_dialect.hpp"
#include "dialect/sqlite/sqlite_reflect.hpp"
#include "dialect/sqlite/sqlite_statement.hpp"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

namespace tabula::dialect::sqlite {
namespace {

class SqliteDialect final : public detail::SqlDialect {
 public:
  std::string_view name() const noexcept override { return "sqlite"; }
  detail::UrlForm url_form() const noexcept override { return detail::UrlForm::file; }
  std::span<const std::string_view> url_options() const noexcept override {
    return known_options();
  }
  void check_url_options(const Url& url) const override {
    for (std::string_view name : {"topology", "max_connections_per_host"}) {
      if (url.option(name)) {
        throw UrlError("invalid database URL: option '" + std::string(name) +
                       "' is for a list of servers; a sqlite file is one database");
      }
    }
  }

  std::unique_ptr<soci::session> open(const Url& url,
                                      std::optional<std::chrono::milliseconds>) const override {
    return sqlite::open(url);
  }
  std::string server_version(soci::session&) const override { return sqlite::server_version(); }
  void* native_handle(soci::session& session) const noexcept override {
    return sqlite::native_handle(session);
  }
  bool ping(soci::session& session, std::chrono::milliseconds) const noexcept override {
    return sqlite::ping(session);
  }
  bool in_transaction(void* native) const noexcept override {
    return sqlite::in_transaction(native);
  }
  bool reset(soci::session& session, std::chrono::milliseconds) const noexcept override {
    return sqlite::reset(session);
  }
  std::size_t max_statement_bytes(void*) const override {
    return std::size_t{1'000'000'000};  // SQLITE_MAX_SQL_LENGTH's default
  }
  void abandon(std::unique_ptr<soci::session> session) const noexcept override {
    // SQLite state shared across fork() is unusable in the child; leak it rather than touch it.
    (void)session.release();
  }
  [[noreturn]] void rethrow_translated(soci::session&, bool&) const override {
    try {
      throw;
    } catch (const soci::sqlite3_soci_error& e) {
      throw translate(e);
    }
  }

  std::string quote_identifier(std::string_view name) const override {
    return detail::quoted_identifier(name, '"');
  }
  detail::SqlLexicon lexicon() const noexcept override { return detail::sqlite_lexicon(); }
  std::string string_literal(std::string_view value) const override {
    return detail::sql_string_literal(value, /*backslash_escapes=*/false);
  }
  bool supports_insert_returning(const Connection&) const noexcept override {
    return sqlite_api::sqlite3_libversion_number() >= 3035000;
  }
  detail::ColumnType column_type(const Column& column) const noexcept override {
    return sqlite::column_type(column);
  }
  detail::StoreRule store_rule(const Column& column,
                               detail::Family family) const noexcept override {
    return sqlite::store_rule(column, family);
  }
  std::string_view no_row_limit() const noexcept override { return "-1"; }
  bool inserts_many_rows_per_statement() const noexcept override { return false; }
  detail::ResultSet run_statement(Connection& connection, std::string_view sql,
                                  std::span<const Value> params) const override {
    return sqlite::run_statement(connection, sql, params);
  }

  Schema reflect(Connection& connection, const Url& url, const ReflectOptions& options,
                 int& queries) const override {
    Schema schema =
        connection.run([&](soci::session& sql) { return sqlite::reflect(sql, options, queries); });
    schema.name = url.database();
    return schema;
  }
};

}  // namespace

const detail::SqlDialect& instance() noexcept {
  // Never destroyed: threads that outlive main (a leaked Engine's housekeeper) still use it
  // while static destructors run.
  static const auto* dialect = new SqliteDialect;
  return *dialect;
}

}  // namespace tabula::dialect::sqlite

// MySQL/MariaDB as a SqlDialect: the functions of mysql_dialect, mysql_statement and
// mysql_reflect behind the interface the layers above use.

#include "dialect/mysql/mysql_sql_dialect.hpp"
#include "dialect/mysql/mysql_column_types.hpp"

#include <tabula/connection.hpp>
#include <tabula/error.hpp>
#include <tabula/log.hpp>

#include "connection_access.hpp"
#include "detail/catalog.hpp"
#include "dialect/client_library.hpp"
#include "dialect/mysql/mysql_cluster.hpp"
#include "dialect/mysql/mysql_dialect.hpp"
#include "dialect/mysql/mysql_insert_writer.hpp"
#include "dialect/mysql/mysql_reflect.hpp"
#include "dialect/mysql/mysql_statement.hpp"
#include "dialect/mysql/mysql_tls.hpp"

#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>

#include <charconv>
#include <mutex>

namespace tabula::dialect::mysql {
namespace {

class MysqlDialect final : public detail::SqlDialect {
 public:
  std::string_view name() const noexcept override { return "mysql"; }
  detail::UrlForm url_form() const noexcept override { return detail::UrlForm::server; }
  std::span<const std::string_view> url_options() const noexcept override {
    return known_options();
  }
  void check_url_options(const Url& url) const override {
    static_cast<void>(tls_settings(url));  // throws UrlError for what it cannot use
  }

  void init_client_library() const override {
    static std::once_flag once;
    // If initialisation throws, call_once runs it again on the next call.
    std::call_once(once, [] {
      mysql::init_client_library();
      // After SOCI's exit-time mysql_library_end exists (init_client_library made sure), so the
      // guard runs before it: exit handlers run in reverse order of registration.
      detail::guard_process_exit();
    });
  }
  void thread_begin() const noexcept override { mysql::thread_begin(); }
  void thread_end() const noexcept override { mysql::thread_end(); }

  std::unique_ptr<soci::session> open(
      const Url& url, std::optional<std::chrono::milliseconds> connect_timeout) const override {
    return mysql::open(url, connect_timeout);
  }
  std::string server_version(soci::session& session) const override {
    return mysql::server_version(session);
  }
  void* native_handle(soci::session& session) const noexcept override {
    return mysql::native_handle(session);
  }
  bool ping(soci::session& session, std::chrono::milliseconds timeout) const noexcept override {
    return mysql::ping(session, timeout);
  }
  bool shows_hangup(void* native) const noexcept override { return mysql::shows_hangup(native); }
  bool in_transaction(void* native) const noexcept override {
    return mysql::in_transaction(native);
  }
  bool reset(soci::session& session, std::chrono::milliseconds timeout) const noexcept override {
    return mysql::reset(session, timeout);
  }
  std::optional<std::chrono::seconds> idle_timeout(soci::session& session) const override {
    return wait_timeout(session);
  }
  std::size_t max_statement_bytes(void* native) const override {
    return max_allowed_packet(native);
  }
  bool close(std::unique_ptr<soci::session> session, bool broken,
             Clock::time_point deadline) const noexcept override {
    return close_and_wait(std::move(session), broken, deadline);
  }
  void abandon(std::unique_ptr<soci::session> session) const noexcept override {
    mysql::abandon(std::move(session));
  }
  [[noreturn]] void rethrow_translated(soci::session& session, bool& broken) const override {
    try {
      throw;
    } catch (const soci::mysql_soci_error& e) {
      SqlError error = translate(e, session);
      if (error.is_disconnect()) broken = true;
      throw error;
    }
  }

  std::string quote_identifier(std::string_view name) const override {
    return detail::quoted_identifier(name, '`');
  }
  detail::SqlLexicon lexicon() const noexcept override { return detail::mysql_lexicon(); }
  std::string string_literal(std::string_view value) const override {
    return detail::sql_string_literal(value, /*backslash_escapes=*/true);
  }
  bool supports_insert_returning(const Connection& connection) const noexcept override {
    if (!connection.is_mariadb()) return false;  // MySQL has no INSERT ... RETURNING
    const std::string& v = connection.server_version();
    int major = 0;
    int minor = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), major);
    if (r.ptr < v.data() + v.size() && *r.ptr == '.') {
      std::from_chars(r.ptr + 1, v.data() + v.size(), minor);
    }
    return major > 10 || (major == 10 && minor >= 5);
  }
  std::string_view default_values_clause() const noexcept override { return "() VALUES ()"; }
  detail::ColumnType column_type(const Column& column) const noexcept override {
    return mysql::column_type(column);
  }
  detail::StoreRule store_rule(const Column& column,
                               detail::Family family) const noexcept override {
    return mysql::store_rule(column, family);
  }
  std::string_view no_row_limit() const noexcept override { return "18446744073709551615"; }
  bool inserts_many_rows_per_statement() const noexcept override { return true; }
  std::unique_ptr<detail::InsertWriter> insert_writer(
      Connection& connection, detail::InsertTarget& target,
      detail::InsertOptions options) const override {
    return mysql::insert_writer(connection, target, options);
  }
  detail::NodeCheck check_node(Connection& connection, Topology topology) const override {
    void* native = detail::ConnectionAccess::native_handle(connection);
    switch (topology) {
      case Topology::galera:
        return check_galera_node(native);
      case Topology::replication:
        return check_replication_node(native);
      case Topology::sequential:
        break;
    }
    return {};
  }
  std::string last_commit_token(Connection& connection, bool after_commit) const override {
    return last_commit_gtid(detail::ConnectionAccess::native_handle(connection), after_commit);
  }
  bool wait_for_commit(Connection& connection, const std::string& token,
                       std::chrono::milliseconds timeout) const override {
    // A writable server (the primary, as a fallback) has the commit already; a replica waits
    // (MASTER_GTID_WAIT: 0 once applied, -1 on timeout).
    std::vector<Value> params{Value(token), Value(static_cast<double>(timeout.count()) / 1000.0)};
    detail::ResultSet r =
        mysql::run_statement(detail::ConnectionAccess::native_handle(connection),
                             "SELECT IF(@@global.read_only, MASTER_GTID_WAIT(?, ?), 0)", params);
    return r.rows() == 1 && r.at(0, 0).value_or("-1") == "0";
  }
  bool unreachable(const ConnectError& error) const noexcept override {
    return error.code() >= 2000 && error.code() < 3000;  // the client's own errors (CR_*)
  }
  bool refused_as_read_only(const SqlError& error) const noexcept override {
    return error.code() == 1290;  // ER_OPTION_PREVENTS_STATEMENT (--read-only)
  }
  detail::ResultSet run_statement(Connection& connection, std::string_view sql,
                                  std::span<const Value> params) const override {
    return mysql::run_statement(detail::ConnectionAccess::native_handle(connection), sql, params);
  }

  Schema reflect(Connection& connection, const Url& url, const ReflectOptions& options,
                 int& queries) const override {
    std::string name = options.schema.empty() ? url.database() : options.schema;
    if (name.empty()) {
      throw Error("cannot reflect " + url.to_string() +
                  ": no database given (put one in the URL or set ReflectOptions::schema)");
    }
    bool mariadb = connection.is_mariadb();
    return connection.run(
        [&](soci::session& sql) { return mysql::reflect(sql, name, mariadb, options, queries); });
  }

  bool has_before_insert_trigger(Connection& connection, const std::string& table) const override {
    static constexpr std::string_view kQuery =
        "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = "
        "DATABASE() AND EVENT_OBJECT_TABLE = ? AND ACTION_TIMING = 'BEFORE' AND "
        "EVENT_MANIPULATION = 'INSERT'";
    Value name(table);
    report_statement(kQuery, 1);
    try {
      detail::ResultSet r =
          mysql::run_statement(detail::ConnectionAccess::native_handle(connection), kQuery,
                               std::span<const Value>(&name, 1));
      return r.rows() == 1 && r.at(0, 0) && *r.at(0, 0) != "0";
    } catch (const SqlError& e) {
      if (e.is_disconnect()) detail::ConnectionAccess::mark_broken(connection);
      throw;
    }
  }
};

}  // namespace

const detail::SqlDialect& instance() noexcept {
  // Never destroyed: threads that outlive main (a leaked Engine's housekeeper) still use it
  // while static destructors run.
  static const auto* dialect = new MysqlDialect;
  return *dialect;
}

}  // namespace tabula::dialect::mysql

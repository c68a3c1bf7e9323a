#include "demo.hpp"

#include "sample_database.hpp"

#include <tabula/engine.hpp>
#include <tabula/error.hpp>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <chrono>
#include <iomanip>
#include <ostream>
#include <vector>

namespace tabula::cli {
namespace {

std::vector<std::string> table_names(Connection& connection) {
  std::string query = connection.dialect() == Dialect::sqlite
                          ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                            "'sqlite\\_%' ESCAPE '\\' ORDER BY name"
                          : "SELECT table_name FROM information_schema.tables WHERE table_schema "
                            "= DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name";
  return connection.run([&](soci::session& sql) {
    std::vector<std::string> names;
    soci::rowset<std::string> rows = (sql.prepare << query);
    for (const std::string& name : rows) names.push_back(name);
    return names;
  });
}

// Identifiers here come from the catalog itself; quoting still guards odd names.
std::string quote_identifier(Dialect dialect, const std::string& name) {
  char quote = dialect == Dialect::mysql ? '`' : '"';
  std::string out(1, quote);
  for (char c : name) {
    if (c == quote) out += quote;
    out += c;
  }
  return out + quote;
}

void load_chinook(Connection& connection) {
  auto* backend = static_cast<soci::sqlite3_session_backend*>(connection.sql().get_backend());
  std::string script = "BEGIN;\n" + std::string(chinook_sqlite_script()) + "\nCOMMIT;\n";
  char* message = nullptr;
  int rc = sqlite_api::sqlite3_exec(backend->conn_, script.c_str(), nullptr, nullptr, &message);
  if (rc != 0) {
    std::string text = message != nullptr ? message : "unknown error";
    sqlite_api::sqlite3_free(message);
    sqlite_api::sqlite3_exec(backend->conn_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw SqlError("loading the Chinook sample failed: " + text, rc);
  }
}

}  // namespace

void run_demo(const DemoOptions& options, std::ostream& out) {
  auto started = std::chrono::steady_clock::now();
  Engine engine{options.url.empty() ? "sqlite://" + options.sqlite_path : options.url};
  out << "tabula demo\n";
  out << "  database: " << engine.url() << "\n";

  Lease lease = engine.checkout();
  out << "  server:   " << to_string(engine.dialect()) << " " << lease->server_version() << "\n";

  std::vector<std::string> tables = table_names(*lease);
  if (tables.empty() && options.url.empty()) {
    out << "  loading the bundled Chinook sample database...\n";
    load_chinook(*lease);
    tables = table_names(*lease);
  }

  out << "\n  " << tables.size() << " tables:\n";
  for (const std::string& table : tables) {
    long long rows = 0;
    lease->run([&](soci::session& sql) {
      sql << "SELECT COUNT(*) FROM " + quote_identifier(engine.dialect(), table), soci::into(rows);
    });
    out << "    " << std::left << std::setw(24) << table << std::right << std::setw(8) << rows
        << " rows\n";
  }
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  out << "\n  done in " << elapsed.count() << " ms\n";
}

}  // namespace tabula::cli

#include "demo.hpp"

#include "sample_database.hpp"

#include "generate.hpp"

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/metrics.hpp>
#include <tabula/reflect.hpp>
#include <tabula/session.hpp>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <chrono>
#include <fstream>
#include <iomanip>
#include <ostream>

namespace tabula::cli {
namespace {

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

// A table a demo row can go into without touching anything else: a base table with a lone
// auto-increment key and no required foreign key. Chinook's Artist, for one.
const Model* insertable_table(const Models& models) {
  for (const Model& m : models) {
    const Table& t = m.table();
    if (m.read_only() || t.primary_key.size() != 1) continue;
    const Column* key = t.column(t.primary_key.front());
    if (key == nullptr || !key->auto_increment) continue;
    bool required_fk = false;
    for (const ForeignKey& fk : t.foreign_keys) {
      for (const std::string& c : fk.columns) {
        const Column* col = t.column(c);
        required_fk = required_fk || (col != nullptr && !col->nullable);
      }
    }
    if (!required_fk) return &m;
  }
  return nullptr;
}

// A value a required column of this type takes.
Value sample_value(const Column& c) {
  const std::string& t = c.data_type;
  if (!c.members.empty()) return c.members.front();
  if (t.find("int") != std::string::npos || t == "bit" || t == "year") return 1;
  if (t == "decimal" || t == "numeric") return Decimal("1");
  if (t == "float" || t == "double" || t == "real") return 1.0;
  if (t == "date") return "2026-11-25";
  if (t == "datetime" || t == "timestamp") return "2026-11-25 12:00:00";
  if (t == "time") return "12:00:00";
  if (t.find("blob") != std::string::npos || t.find("binary") != std::string::npos) {
    return Bytes{std::byte{0x74}};
  }
  return "tabula demo";
}

}  // namespace

void run_demo(const DemoOptions& options, std::ostream& out) {
  auto started = std::chrono::steady_clock::now();
  Engine engine{options.url.empty() ? "sqlite://" + options.sqlite_path : options.url};
  out << "tabula demo\n";
  out << "  database: " << engine.url() << "\n";

  {
    Lease lease = engine.checkout();
    out << "  server:   " << to_string(engine.dialect()) << " " << lease->server_version() << "\n";
  }  // back in the pool: reflect() and the session below take it again, one at a time
  if (options.url.empty() && reflect(engine).tables.empty()) {
    out << "  loading the bundled Chinook sample database...\n";
    Lease lease = engine.checkout();
    load_chinook(*lease);
  }

  // Automap: a model per table; the tables listed with their row counts, relationships from the
  // foreign keys.
  const Models& models = engine.models();
  {
    Session session = engine.session();
    std::size_t tables = 0;
    for (const Model& m : models) tables += m.read_only() ? 0 : 1;
    out << "\n  " << tables << " tables:\n";
    for (const Model& m : models) {
      if (m.read_only()) continue;
      out << "    " << std::left << std::setw(24) << m.name() << std::right << std::setw(8)
          << session.query(m).count() << " rows\n";
    }
    session.rollback();
  }
  std::size_t relationships = 0;
  for (const Model& m : models) relationships += m.relationships().size();
  out << "\n  automap: " << models.size() << " models, " << relationships
      << " relationships (e.g. ";
  for (const Model& m : models) {
    if (!m.relationships().empty()) {
      out << m.name() << "." << m.relationships().front().name << " -> "
          << m.relationships().front().target;
      break;
    }
  }
  out << ")\n";

  // tabula-gen: typed structs for every table.
  std::string header_path = options.header_path;
  std::string header =
      codegen::generate_header(models.schema(), {.name_space = "demo", .tables = {}});
  std::ofstream(header_path, std::ios::binary) << header;
  std::size_t structs = 0;
  for (std::size_t at = 0; (at = header.find("// ---- table ", at)) != std::string::npos; ++at) {
    ++structs;
  }
  out << "  tabula-gen: " << header_path << " (" << structs << " typed structs)\n";

  // A session: insert a row, read it back in a fresh session, then leave the data as it was.
  if (const Model* model = insertable_table(models)) {
    Session session = engine.session();
    Record record = model->make();
    for (const Column& c : model->table().columns) {
      bool required = !c.nullable && !c.auto_increment && c.generated == Generated::none &&
                      c.default_kind == DefaultKind::none;
      bool text = c.data_type.find("char") != std::string::npos ||
                  c.data_type.find("text") != std::string::npos;
      if (required || (text && c.generated == Generated::none && !c.auto_increment)) {
        record.set(c.name, sample_value(c));
      }
    }
    Record& added = session.add(std::move(record));
    session.flush();
    const std::string& key = model->table().primary_key.front();
    out << "  session: inserted into " << model->name() << ": " << added.to_json() << "\n";
    Record* again = session.query(*model).filter(key, added.get(key)).first();
    out << "  session: read back "
        << (again != nullptr && again == &added ? "the same object" : "a different row")
        << " (identity map); rolled back, the data is as it was\n";
    session.rollback();
  } else {
    out << "  session: skipped (no table with a lone auto-increment key and no required foreign "
           "key to insert a demo row into)\n";
  }

  out << "  pool: " << to_string(engine.pool().stats()) << "\n";
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  out << "\n  done in " << elapsed.count() << " ms\n";
}

}  // namespace tabula::cli

#include "demo.hpp"

#include "sample_database.hpp"
#include "sample_row.hpp"

#include "generate.hpp"

#include <tabula/automap.hpp>
#include <tabula/credentials.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/metrics.hpp>
#include <tabula/reflect.hpp>
#include <tabula/session.hpp>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <system_error>
#include <vector>

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

// Tables a demo row can go into without touching anything else, in schema order: base tables
// with a lone auto-increment key and no required foreign key. Chinook's Artist, for one.
std::vector<const Model*> insertable_tables(const Models& models) {
  std::vector<const Model*> out;
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
    if (!required_fk) out.push_back(&m);
  }
  return out;
}

std::string one_line(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return text;
}

// A new directory under the system's temporary directory, for files the user did not ask to
// have anywhere in particular. Throws Error when none can be made.
std::filesystem::path new_temporary_directory() {
  std::filesystem::path base;
  std::error_code error;
  base = std::filesystem::temp_directory_path(error);
  if (error) throw Error("no temporary directory for the demo's files: " + error.message());
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    char name[32];
    std::snprintf(name, sizeof name, "tabula-demo-%08x", static_cast<unsigned>(random()));
    std::filesystem::path dir = base / name;
    if (std::filesystem::create_directory(dir, error)) return dir;
    if (error) {
      throw Error("cannot create a directory under " + base.string() + ": " + error.message());
    }
  }
  throw Error("cannot create a new directory under " + base.string());
}

}  // namespace

void run_demo(const DemoOptions& options, std::ostream& out) {
  auto started = std::chrono::steady_clock::now();
  // Files nobody asked for by name go into one new temporary directory, made when first needed.
  std::optional<std::filesystem::path> scratch;
  auto scratch_file = [&](const char* name) {
    if (!scratch) scratch = new_temporary_directory();
    return (*scratch / name).string();
  };
  std::string sqlite_path =
      options.sqlite_path.empty() ? scratch_file("chinook.db") : options.sqlite_path;
  Engine engine{options.url.empty() ? Url("sqlite://" + sqlite_path)
                                    : with_prompted_password(Url(options.url))};
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
  out << "\n  automap: " << models.size() << " models, " << relationships << " relationships";
  for (const Model& m : models) {
    if (!m.relationships().empty()) {
      out << " (e.g. " << m.name() << "." << m.relationships().front().name << " -> "
          << m.relationships().front().target << ")";
      break;
    }
  }
  out << "\n";

  // tabula-gen: typed structs for every table, into --header or a new temporary directory.
  std::string header_path =
      options.header_path.empty() ? scratch_file("demo_models.hpp") : options.header_path;
  std::string header =
      codegen::generate_header(models.schema(), {.name_space = "demo", .tables = {}});
  std::ofstream header_file(header_path, std::ios::binary);
  header_file << header;
  header_file.close();
  if (!header_file) throw Error("cannot write the typed header to '" + header_path + "'");
  std::size_t structs = 0;
  for (std::size_t at = 0; (at = header.find("// ---- table ", at)) != std::string::npos; ++at) {
    ++structs;
  }
  out << "  tabula-gen: " << header_path << " (" << structs << " typed structs)\n";

  // A session: insert a row and read it back, then roll back so the data is as it was. A table
  // that refuses the row (a value the demo could not fit, a trigger, a CHECK it could not read)
  // is named with the reason, and the next one is tried; every path rolls back (the session's
  // destructor does too).
  constexpr std::size_t kTablesToTry = 5;
  std::vector<const Model*> tables = insertable_tables(models);
  std::size_t tried = 0;
  bool inserted = false;
  for (const Model* model : tables) {
    if (tried == kTablesToTry) break;
    ++tried;
    Session session = engine.session();
    try {
      Record& added = session.add(sample_row(*model));
      session.flush();
      const std::string& key = model->table().primary_key.front();
      out << "  session: inserted into " << model->name() << ": " << added.to_json() << "\n";
      Record* again = session.query(*model).filter(key, added.get(key)).first();
      out << "  session: read back "
          << (again != nullptr && again == &added ? "the same object" : "a different row")
          << " (identity map); rolled back, the data is as it was\n";
      session.rollback();
      inserted = true;
      break;
    } catch (const ValidationError& e) {
      session.rollback();
      out << "  session: no demo row for " << model->name()
          << ", nothing sent: " << one_line(e.what()) << "\n";
    } catch (const SqlError& e) {
      session.rollback();
      if (e.is_disconnect()) throw;
      out << "  session: " << model->name()
          << " refused the demo row, rolled back: " << one_line(e.what()) << "\n";
    }
  }
  if (tables.empty()) {
    out << "  session: skipped (no table with a lone auto-increment key and no required foreign "
           "key to insert a demo row into)\n";
  } else if (!inserted) {
    out << "  session: no demo row inserted (" << tried << " of " << tables.size()
        << " tables tried); the data is as it was\n";
  }

  out << "  pool: " << to_string(engine.pool().stats()) << "\n";
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  out << "\n  done in " << elapsed.count() << " ms\n";
}

}  // namespace tabula::cli

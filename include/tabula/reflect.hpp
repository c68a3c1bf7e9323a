#pragma once

// Reflection: reading a database's catalog into a Schema.
//
//   tabula::Engine engine{"mysql://app:secret@db/shop"};
//   tabula::ReflectStats stats;
//   tabula::Schema schema = tabula::reflect(engine, {}, &stats);
//   for (const tabula::Table& t : schema.tables) std::cout << t.name << "\n";
//
// The cost is a fixed number of catalog queries for the whole database (stats.queries), however
// many tables it has: every query is filtered on the schema name, bound as a parameter.

#include <tabula/engine.hpp>
#include <tabula/schema.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace tabula {

struct ReflectOptions {
  // The database to read (MySQL); empty means the URL's database. Ignored on SQLite.
  std::string schema;
  // Only these tables (exact names); empty means all.
  std::vector<std::string> tables;
  // Only tables whose name matches this SQL LIKE pattern ("wp\_%"); empty means all.
  std::string pattern;
  // Include views (as TableKind::view, columns only).
  bool include_views = true;
};

struct ReflectStats {
  int queries = 0;  // catalog queries sent
  std::chrono::microseconds elapsed{0};
};

// Reads the schema through one connection checked out from `engine`. Throws Error when there is
// no database to read (no schema given and none in the URL), SqlError when the catalog cannot be
// read, and Error naming the database when it does not exist.
Schema reflect(Engine& engine, const ReflectOptions& options = {}, ReflectStats* stats = nullptr);

}  // namespace tabula

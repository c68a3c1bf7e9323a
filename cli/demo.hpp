#pragma once

// `tabula demo`: the main job a newcomer runs first, on the bundled Chinook sample (SQLite, when
// no URL is given) or on their own database. It lists the tables with their row counts, automaps
// them, writes a typed header with tabula-gen, inserts a row that fits the table's columns
// through a session and reads it back, rolls it back, and prints the pool's statistics. It never
// leaves a row behind; a table that refuses the row is named with the reason and the demo goes on.

#include <iosfwd>
#include <string>

namespace tabula::cli {

struct DemoOptions {
  // Database to use; empty means the embedded default, a Chinook SQLite file in `sqlite_path`.
  std::string url;
  // The embedded default's file; empty (the default) means chinook.db in a new directory under
  // the system's temporary directory (the same one as the header's).
  std::string sqlite_path;
  // Where the typed header generated from the schema is written; empty (the default) means
  // demo_models.hpp in a new directory under the system's temporary directory.
  std::string header_path;
};

// Runs the demo, writing a human-readable report to `out`. A demo row that the chosen table
// refuses (before any SQL, or at the server) is reported in one line, rolled back, and the next
// table is tried. Throws tabula::Error when the database cannot be reached or read, or the header
// cannot be written; nothing the demo inserted is left in the database on any path.
void run_demo(const DemoOptions& options, std::ostream& out);

}  // namespace tabula::cli

#pragma once

// `tabula demo`: the main job a newcomer runs first. Today it opens the database (the bundled
// Chinook sample in SQLite when no URL is given), and lists its tables with their row counts.

#include <iosfwd>
#include <string>

namespace tabula::cli {

struct DemoOptions {
  // Database to use; empty means the embedded default, a Chinook SQLite file in `sqlite_path`.
  std::string url;
  std::string sqlite_path = "tabula-demo.db";
  // Where the typed header generated from the schema is written.
  std::string header_path = "tabula-demo-models.hpp";
};

// Runs the demo, writing a human-readable report to `out`. Throws tabula::Error on failure.
void run_demo(const DemoOptions& options, std::ostream& out);

}  // namespace tabula::cli

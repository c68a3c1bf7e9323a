// The `tabula` command-line tool: demo, inspect, gen, insert.
//
// Exit codes: 0 success; 1 a database, URL or input error (one line on stderr, never a
// password); 2 a usage error; 3 `tabula gen --check` found the header out of date.

#include "command.hpp"
#include "demo.hpp"
#include "inspect.hpp"

#include <tabula/credentials.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/reflect.hpp>
#include <tabula/snapshot.hpp>

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"tabula: a C++20 ORM for existing databases (MySQL/MariaDB, SQLite)", "tabula"};
  app.require_subcommand(1);

  tabula::cli::DemoOptions demo;
  CLI::App* demo_cmd = app.add_subcommand(
      "demo",
      "Open a database (by default the bundled Chinook sample in SQLite), list its tables, "
      "generate a typed header, insert a row and roll it back");
  demo_cmd->add_option("--url", demo.url,
                       "Database URL, e.g. mysql://user:pass@127.0.0.1:3306/db (default: SQLite)");
  demo_cmd->add_option("--sqlite-path", demo.sqlite_path,
                       "Where the embedded default SQLite database lives (default: a new "
                       "directory under the system's temporary directory)");
  demo_cmd->add_option("--header", demo.header_path,
                       "Where to write the generated typed header (default: a new directory "
                       "under the system's temporary directory)");

  std::string inspect_url;
  tabula::ReflectOptions inspect_options;
  bool no_views = false;
  CLI::App* inspect_cmd = app.add_subcommand(
      "inspect", "Print a database's schema: tables, columns, keys, foreign keys");
  bool inspect_json = false;
  inspect_cmd->add_option("source", inspect_url, "Database URL, or a schema snapshot (.json) file")
      ->required();
  inspect_cmd->add_flag("--json", inspect_json, "Write the schema snapshot (JSON) instead");
  inspect_cmd->add_option("--table", inspect_options.tables, "Only this table (repeatable)");
  inspect_cmd->add_option("--like", inspect_options.pattern,
                          "Only tables matching this LIKE pattern");
  inspect_cmd->add_flag("--no-views", no_views, "Leave views out");

  tabula::codegen::GenCommand gen;
  CLI::App* gen_cmd =
      app.add_subcommand("gen", "Write typed C++ model headers (the same as tabula-gen)");
  gen_cmd->add_option("source", gen.source, "Database URL, or a schema snapshot (.json) file")
      ->required();
  gen_cmd->add_option("--namespace", gen.options.name_space, "C++ namespace of the models")
      ->capture_default_str();
  gen_cmd->add_option("--table", gen.options.tables, "Only this table (repeatable)");
  gen_cmd->add_option("-o,--output", gen.output, "Write the header here (default: stdout)");
  gen_cmd->add_option("--check", gen.check,
                      "Compare this header with the source; exit 3 with the differences when "
                      "it is out of date");

  std::string insert_url;
  std::string insert_table;
  std::string insert_json;
  CLI::App* insert_cmd = app.add_subcommand(
      "insert", "Insert one row from a JSON object and print it as stored (key and defaults)");
  insert_cmd->add_option("url", insert_url, "Database URL")->required();
  insert_cmd->add_option("table", insert_table, "Table name")->required();
  insert_cmd->add_option("json", insert_json, R"(The row, e.g. '{"name": "ada", "qty": 3}')")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  // CLI11 copied the arguments: from here on `ps` shows no password (docs/connecting.md).
  tabula::hide_url_passwords(argc, argv);

  try {
    if (*demo_cmd) tabula::cli::run_demo(demo, std::cout);
    if (*gen_cmd && tabula::codegen::run_gen(gen, std::cout) != 0) return 3;
    if (*insert_cmd) {
      tabula::Engine engine(tabula::with_prompted_password(tabula::Url(insert_url)),
                            {.max_connections = 1});
      std::cout << engine.insert(insert_table, insert_json) << "\n";
    }
    if (*inspect_cmd) {
      inspect_options.include_views = !no_views;
      tabula::Schema schema = tabula::codegen::load_schema(inspect_url, inspect_options);
      if (inspect_json) {
        std::cout << tabula::to_json(schema);
      } else {
        tabula::cli::print_schema(schema, std::cout);
      }
    }
  } catch (const tabula::Error& e) {
    std::cerr << "tabula: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "tabula: unexpected error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

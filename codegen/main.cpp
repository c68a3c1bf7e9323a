// tabula-gen: typed model headers from a live database or a schema snapshot (docs/codegen.md).
//
//   tabula-gen mysql://user:pass@host/shop --namespace shop -o shop_models.hpp
//   tabula-gen schema.json --namespace shop --table orders --table customers -o models.hpp
//   tabula-gen --check shop_models.hpp mysql://user:pass@host/shop    # CI: exit 1 on drift
//
// Exit codes: 0 done (or, with --check, the header matches), 1 the header no longer matches the
// schema (--check), 2 a usage error, 3 an error reading the source or writing the output.

#include "command.hpp"

#include <tabula/credentials.hpp>
#include <tabula/error.hpp>

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"tabula-gen: typed C++ model headers from a database or a schema snapshot",
               "tabula-gen"};
  tabula::codegen::GenCommand command;
  app.add_option("source", command.source,
                 "Database URL (mysql://..., sqlite:///...) or schema snapshot file (.json, "
                 "from `tabula inspect --json`)")
      ->required();
  app.add_option("--namespace", command.options.name_space, "C++ namespace of the models")
      ->capture_default_str();
  app.add_option("--table", command.options.tables, "Only this table (repeatable)");
  app.add_option("-o,--output", command.output, "Write the header here (default: standard output)");
  app.add_option("--check", command.check,
                 "Compare this existing header with the source instead of writing one; exit 1 "
                 "and print the differences when they no longer match");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  // CLI11 copied the arguments: from here on `ps` shows no password.
  tabula::hide_url_passwords(argc, argv);

  try {
    return tabula::codegen::run_gen(command, std::cout);
  } catch (const tabula::Error& e) {
    std::cerr << "tabula-gen: error: " << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "tabula-gen: unexpected error: " << e.what() << "\n";
    return 3;
  }
  return 0;
}

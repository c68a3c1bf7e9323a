// tabula-gen: typed model headers from a live database or a schema snapshot (docs/codegen.md).
//
//   tabula-gen mysql://user:pass@host/shop --namespace shop -o shop_models.hpp
//   tabula-gen schema.json --namespace shop --table orders --table customers -o models.hpp
//   tabula-gen --check shop_models.hpp mysql://user:pass@host/shop    # CI: exit 1 on drift
//
// Exit codes: 0 done (or, with --check, the header matches), 1 the header no longer matches the
// schema (--check), 2 a usage error, 3 an error reading the source or writing the output.

#include "generate.hpp"

#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/reflect.hpp>
#include <tabula/snapshot.hpp>

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

namespace {

std::string read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw tabula::Error("cannot read " + what + " '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A URL (it has "://") is reflected; anything else is read as a snapshot file.
tabula::Schema load_schema(const std::string& source) {
  if (source.find("://") == std::string::npos) {
    return tabula::schema_from_json(read_file(source, "snapshot file"));
  }
  tabula::Engine engine(source, {.max_connections = 1});
  return tabula::reflect(engine);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tabula-gen: typed C++ model headers from a database or a schema snapshot",
               "tabula-gen"};
  std::string source;
  std::string output;
  std::string check;
  tabula::codegen::GenerateOptions options;
  app.add_option("source", source,
                 "Database URL (mysql://..., sqlite:///...) or schema snapshot file (.json, "
                 "from `tabula inspect --json`)")
      ->required();
  app.add_option("--namespace", options.name_space, "C++ namespace of the models")
      ->capture_default_str();
  app.add_option("--table", options.tables, "Only this table (repeatable)");
  app.add_option("-o,--output", output, "Write the header here (default: standard output)");
  app.add_option("--check", check,
                 "Compare this existing header with the source instead of writing one; exit 1 "
                 "and print the differences when they no longer match");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    tabula::Schema schema = load_schema(source);
    if (!check.empty()) {
      std::string existing = read_file(check, "header");
      std::string fresh =
          tabula::codegen::generate_header(schema, tabula::codegen::options_of_header(existing));
      std::string difference = tabula::codegen::describe_difference(existing, fresh);
      if (difference.empty()) {
        std::cout << check << ": up to date\n";
        return 0;
      }
      std::cout << check << ": out of date with " << (schema.name.empty() ? source : schema.name)
                << "\n"
                << difference;
      return 1;
    }
    std::string header = tabula::codegen::generate_header(schema, options);
    if (output.empty()) {
      std::cout << header;
    } else {
      std::ofstream out(output, std::ios::binary);
      out << header;
      if (!out.flush()) throw tabula::Error("cannot write '" + output + "'");
    }
  } catch (const tabula::Error& e) {
    std::cerr << "tabula-gen: error: " << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "tabula-gen: unexpected error: " << e.what() << "\n";
    return 3;
  }
  return 0;
}

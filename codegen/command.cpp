#include "command.hpp"

#include <tabula/credentials.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/reflect.hpp>
#include <tabula/snapshot.hpp>

#include <fstream>
#include <ostream>
#include <sstream>

namespace tabula::codegen {
namespace {

std::string read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + what + " '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Schema load_schema(const std::string& source, const ReflectOptions& options) {
  if (source.find("://") == std::string::npos) {
    return schema_from_json(read_file(source, "snapshot file"));
  }
  Engine engine(with_prompted_password(Url(source)), {.max_connections = 1});
  return reflect(engine, options);
}

int run_gen(const GenCommand& command, std::ostream& out) {
  Schema schema = load_schema(command.source);
  if (!command.check.empty()) {
    std::string existing = read_file(command.check, "header");
    std::string fresh = generate_header(schema, options_of_header(existing));
    std::string difference = describe_difference(existing, fresh);
    if (difference.empty()) {
      out << command.check << ": up to date\n";
      return 0;
    }
    out << command.check << ": out of date with "
        << (schema.name.empty() ? "the source" : schema.name) << "\n"
        << difference;
    return 1;
  }
  std::string header = generate_header(schema, command.options);
  if (command.output.empty()) {
    out << header;
  } else {
    std::ofstream file(command.output, std::ios::binary);
    file << header;
    if (!file.flush()) throw Error("cannot write '" + command.output + "'");
  }
  return 0;
}

}  // namespace tabula::codegen

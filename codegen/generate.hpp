#pragma once

// tabula-gen's core: a Schema in, one C++ header out (docs/codegen.md).

#include <tabula/schema.hpp>

#include <string>
#include <vector>

namespace tabula::codegen {

struct GenerateOptions {
  std::string name_space = "models";  // may be nested: "shop::db"
  std::vector<std::string> tables;    // only these (SQL names); empty: every table and view
};

// The header for `schema`. The same schema and options always give byte-identical text: no
// timestamp, no host or user, only the database name, the dialect and the schema fingerprint.
// Throws Error for an unknown table in options.tables or an invalid namespace.
std::string generate_header(const Schema& schema, const GenerateOptions& options);

// The options a header was generated with, from its "// tabula-gen options:" line; Error when
// the text is not a tabula-gen header.
GenerateOptions options_of_header(const std::string& header);

// What differs between an existing header and a freshly generated one, per table, readably
// ("table film: ..."); empty when they are the same.
std::string describe_difference(const std::string& existing, const std::string& fresh);

}  // namespace tabula::codegen

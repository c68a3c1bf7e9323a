#pragma once

// What `tabula-gen` and `tabula gen` do, shared by both command lines.

#include "generate.hpp"

#include <tabula/reflect.hpp>

#include <iosfwd>
#include <string>

namespace tabula::codegen {

struct GenCommand {
  std::string source;  // a database URL, or a schema snapshot file
  std::string output;  // the header to write; empty: `out`
  std::string check;   // an existing header to compare instead of writing one
  GenerateOptions options;
};

// The schema of `source`: a URL (it has "://") is reflected with `options`; anything else is
// read as a snapshot file. Throws Error naming the file or the connection problem.
Schema load_schema(const std::string& source, const ReflectOptions& options = {});

// Writes the header (or, with `check`, compares it and reports to `out`). Returns 0, or 1 when
// the checked header is out of date. Throws Error when the source cannot be read or the output
// written.
int run_gen(const GenCommand& command, std::ostream& out);

}  // namespace tabula::codegen

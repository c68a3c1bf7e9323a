#pragma once

// What `tabula-gen` and `tabula gen` do, shared by both command lines.

#include "generate.hpp"

#include <iosfwd>
#include <string>

namespace tabula::codegen {

struct GenCommand {
  std::string source;  // a database URL, or a schema snapshot file
  std::string output;  // the header to write; empty: `out`
  std::string check;   // an existing header to compare instead of writing one
  GenerateOptions options;
};

// Writes the header (or, with `check`, compares it and reports to `out`). Returns 0, or 1 when
// the checked header is out of date. Throws Error when the source cannot be read or the output
// written.
int run_gen(const GenCommand& command, std::ostream& out);

}  // namespace tabula::codegen

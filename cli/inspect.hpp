#pragma once

// `tabula inspect <url>`: prints a database's schema readably (tables, columns with types, keys,
// foreign keys), as reflect() sees it.

#include <tabula/schema.hpp>

#include <iosfwd>

namespace tabula::cli {

void print_schema(const Schema& schema, std::ostream& out);

}  // namespace tabula::cli

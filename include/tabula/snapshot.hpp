#pragma once

// Schema snapshots: a Schema as stable, documented JSON (docs/reflection.md), and back, so that
// code generation and drift checks need no live database; and a fingerprint that changes exactly
// when the reflected model does.
//
//   std::string json = tabula::to_json(tabula::reflect(engine));
//   tabula::Schema again = tabula::schema_from_json(json);   // == the reflected schema

#include <tabula/schema.hpp>

#include <string>
#include <string_view>

namespace tabula {

// The snapshot of `schema`: pretty-printed JSON, keys in a fixed order, tables sorted by name.
// The same schema always gives byte-identical text.
std::string to_json(const Schema& schema);

// Reads a snapshot written by to_json(). Throws Error ("invalid schema snapshot: ...", naming the
// missing key or wrong value) for anything else.
Schema schema_from_json(std::string_view json);

// 16 hex digits identifying the schema's structure (tables, columns, keys, constraints). The
// database name and the server version do not enter it, so the same schema on another server or
// under another name has the same fingerprint.
std::string fingerprint(const Schema& schema);

}  // namespace tabula

#pragma once

// What a column's SQL type means to tabula. Each dialect keeps one table from its type names
// to this (SqlDialect::column_type); validation, reading values back, codegen's C++ types and
// verify<T> all read it.

namespace tabula::detail {

// What kind of values a column holds: the checks and the parsing switch on it for every value,
// so hot paths compute it per column, not per value.
enum class Family : unsigned char {
  integer,
  bit,
  year,
  decimal,
  real,
  text,
  binary,
  enumeration,
  set,
  date,
  datetime,
  time,
  any,  // SQLite, no declared type (BLOB affinity): values kept as given, text as text
  other
};

struct ColumnType {
  Family family = Family::other;
  int integer_bits = 64;          // integer: the width the database stores
  bool single_precision = false;  // real: FLOAT (4 bytes) rather than DOUBLE
};

}  // namespace tabula::detail

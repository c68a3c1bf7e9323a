#pragma once

// The schema model: what a database's catalog says about its tables, as plain data. Built by
// reflect() (reflect.hpp) from INFORMATION_SCHEMA on MySQL/MariaDB and from PRAGMAs on SQLite,
// with the same meanings on both. Copyable values; safe to share between threads once built.

#include <tabula/url.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tabula {

// How a column's default is given in the catalog.
enum class DefaultKind {
  none,        // no default: an INSERT must give a value (unless nullable or auto-increment)
  null,        // DEFAULT NULL
  literal,     // a constant; `Column::default_value` holds it unquoted ("abc", "0", "1.50")
  expression,  // an expression such as CURRENT_TIMESTAMP; `default_value` holds its text
};

// How the server computes a column. row_start and row_end are the system-time columns of a
// system-versioned table (MariaDB `GENERATED ALWAYS AS ROW START / ROW END`), whose
// generation_expression is empty. Writes never set a generated column.
enum class Generated { none, virtual_column, stored, row_start, row_end };

struct Column {
  std::string name;
  int ordinal = 0;          // 1-based position in the table
  std::string data_type;    // lower-case type name: "int", "varchar", "decimal", "enum", ...
  std::string column_type;  // the full type as declared: "int(10) unsigned", "enum('a','b')"
  std::optional<std::int64_t> max_length;  // characters (strings) or bytes (binary, blob)
  std::optional<int> precision;            // numeric precision (digits) or bit width
  std::optional<int> scale;                // numeric scale
  std::optional<int> datetime_precision;   // fractional-second digits
  bool is_unsigned = false;
  bool zerofill = false;
  bool nullable = true;
  bool auto_increment = false;
  DefaultKind default_kind = DefaultKind::none;
  std::string default_value;
  Generated generated = Generated::none;
  std::string generation_expression;
  // What the server sets the column to whenever it changes another column of the row (ON UPDATE
  // current_timestamp()), as the catalog writes it; empty when nothing. A session reads such a
  // column back after each UPDATE that does not set it.
  std::string on_update;
  // INVISIBLE (MariaDB 10.3+, MySQL 8.0.23+): left out of SELECT * and of INSERTs that name no
  // columns; tabula always names its columns, so it reads and writes them like any other.
  bool invisible = false;
  std::vector<std::string> members;  // ENUM / SET members, in declaration order
  std::string charset;
  std::string collation;
  std::string comment;

  friend bool operator==(const Column&, const Column&) = default;
};

enum class IndexKind { primary, unique, plain, fulltext, spatial };

struct IndexColumn {
  std::string column;
  std::optional<int> prefix_length;  // characters indexed, for prefix indexes
  bool descending = false;

  friend bool operator==(const IndexColumn&, const IndexColumn&) = default;
};

struct Index {
  std::string name;
  IndexKind kind = IndexKind::plain;
  std::vector<IndexColumn> columns;  // in index order

  friend bool operator==(const Index&, const Index&) = default;
};

enum class ReferentialAction { no_action, restrict, cascade, set_null, set_default };

struct ForeignKey {
  std::string name;
  std::vector<std::string> columns;  // in this table, in constraint order
  std::string referenced_schema;     // empty on SQLite
  std::string referenced_table;
  std::vector<std::string> referenced_columns;
  ReferentialAction on_update = ReferentialAction::no_action;
  ReferentialAction on_delete = ReferentialAction::no_action;

  friend bool operator==(const ForeignKey&, const ForeignKey&) = default;
};

struct CheckConstraint {
  std::string name;
  std::string clause;

  friend bool operator==(const CheckConstraint&, const CheckConstraint&) = default;
};

// A sequence (MariaDB's CREATE SEQUENCE) is read like a one-row table of its state
// (next_not_cached_value, increment, ...), and is never written as one: use NEXT VALUE FOR.
enum class TableKind { table, view, sequence };

struct Table {
  std::string name;
  TableKind kind = TableKind::table;
  std::string engine;  // "InnoDB", ...; empty for views and on SQLite
  std::string comment;
  bool partitioned = false;
  // WITH SYSTEM VERSIONING: the server keeps every row's history. Its row start and row end
  // columns, when declared, are Generated::row_start / row_end; when not, they are hidden and
  // absent from `columns`.
  bool system_versioned = false;
  std::vector<Column> columns;           // in ordinal order
  std::vector<std::string> primary_key;  // column names in key order; empty when there is none
  std::vector<Index> indexes;            // the primary key included, as IndexKind::primary
  std::vector<ForeignKey> foreign_keys;
  std::vector<CheckConstraint> checks;

  // The column called `name` (exact, case-sensitive match), or nullptr.
  const Column* column(std::string_view name) const noexcept;

  friend bool operator==(const Table&, const Table&) = default;
};

struct Schema {
  Dialect dialect = Dialect::mysql;
  std::string name;            // the database (MySQL) or file path (SQLite)
  std::string server_version;  // as the server reported it
  std::vector<Table> tables;   // sorted by name

  // The table called `name` (exact match), or nullptr.
  const Table* table(std::string_view name) const noexcept;

  friend bool operator==(const Schema&, const Schema&) = default;
};

std::string_view to_string(DefaultKind kind) noexcept;
std::string_view to_string(Generated kind) noexcept;
std::string_view to_string(IndexKind kind) noexcept;
std::string_view to_string(ReferentialAction action) noexcept;
std::string_view to_string(TableKind kind) noexcept;

}  // namespace tabula

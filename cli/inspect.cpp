#include "inspect.hpp"

#include <iomanip>
#include <ostream>

namespace tabula::cli {
namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string column_line(const Column& c) {
  std::string line = c.column_type;
  if (!c.nullable) line += " NOT NULL";
  switch (c.default_kind) {
    case DefaultKind::none:
      break;
    case DefaultKind::null:
      line += " DEFAULT NULL";
      break;
    case DefaultKind::literal:
      line += " DEFAULT '" + c.default_value + "'";
      break;
    case DefaultKind::expression:
      line += " DEFAULT " + c.default_value;
      break;
  }
  if (c.auto_increment) line += " AUTO_INCREMENT";
  if (c.generated != Generated::none) {
    line += " GENERATED (" + c.generation_expression + ") " + std::string(to_string(c.generated));
  }
  if (!c.comment.empty()) line += "  -- " + c.comment;
  return line;
}

}  // namespace

void print_schema(const Schema& schema, std::ostream& out) {
  out << to_string(schema.dialect) << " " << schema.server_version << ", database " << schema.name
      << ": " << schema.tables.size() << " tables and views\n";
  for (const Table& t : schema.tables) {
    out << "\n" << to_string(t.kind) << " " << t.name;
    if (!t.engine.empty()) out << " (" << t.engine << (t.partitioned ? ", partitioned" : "") << ")";
    if (!t.comment.empty()) out << "  -- " << t.comment;
    out << "\n";
    std::size_t width = 0;
    for (const Column& c : t.columns) width = std::max(width, c.name.size());
    for (const Column& c : t.columns) {
      out << "  " << std::left << std::setw(static_cast<int>(width) + 2) << c.name << column_line(c)
          << "\n";
    }
    for (const Index& index : t.indexes) {
      out << "  " << to_string(index.kind) << " " << index.name << " (";
      for (std::size_t i = 0; i < index.columns.size(); ++i) {
        const IndexColumn& ic = index.columns[i];
        out << (i ? ", " : "") << ic.column;
        if (ic.prefix_length) out << "(" << *ic.prefix_length << ")";
        if (ic.descending) out << " DESC";
      }
      out << ")\n";
    }
    for (const ForeignKey& fk : t.foreign_keys) {
      out << "  foreign key " << fk.name << " (" << joined(fk.columns) << ") -> "
          << (fk.referenced_schema.empty() || fk.referenced_schema == schema.name
                  ? ""
                  : fk.referenced_schema + ".")
          << fk.referenced_table << " (" << joined(fk.referenced_columns) << ") ON DELETE "
          << to_string(fk.on_delete) << " ON UPDATE " << to_string(fk.on_update) << "\n";
    }
    for (const CheckConstraint& check : t.checks) {
      out << "  check " << check.name << " (" << check.clause << ")\n";
    }
  }
}

}  // namespace tabula::cli

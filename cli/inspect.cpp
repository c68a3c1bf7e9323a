#include "inspect.hpp"

#include "dialect/sql_dialect.hpp"

#include <iomanip>
#include <ostream>

namespace tabula::cli {
namespace {

// A comment on one line: its newlines (and carriage returns) written as \n (\r).
std::string one_line(const std::string& comment) {
  std::string out;
  for (char c : comment) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

bool is_numeric_type(const std::string& data_type) {
  for (const char* t : {"int", "decimal", "numeric", "float", "double", "real", "year"}) {
    if (data_type.find(t) != std::string::npos) return true;
  }
  return false;
}

// A literal default as SQL the server would accept back: numbers and b'...' as they are, text as
// the dialect's string literal.
std::string sql_literal(const Column& c, Dialect dialect) {
  const std::string& v = c.default_value;
  bool numeric = !v.empty() && v.find_first_not_of("+-0123456789.eE") == std::string::npos;
  if ((numeric && is_numeric_type(c.data_type)) ||
      (c.data_type == "bit" && v.rfind("b'", 0) == 0)) {
    return v;
  }
  return detail::sql_dialect(dialect).string_literal(v);
}

std::string column_line(const Column& c, Dialect dialect) {
  std::string line = c.column_type;
  if (!c.nullable) line += " NOT NULL";
  switch (c.default_kind) {
    case DefaultKind::none:
      break;
    case DefaultKind::null:
      line += " DEFAULT NULL";
      break;
    case DefaultKind::literal:
      line += " DEFAULT " + sql_literal(c, dialect);
      break;
    case DefaultKind::expression:
      line += " DEFAULT " + c.default_value;
      break;
  }
  if (!c.on_update.empty()) line += " ON UPDATE " + c.on_update;
  if (c.auto_increment) line += " AUTO_INCREMENT";
  if (c.generated == Generated::row_start || c.generated == Generated::row_end) {
    line += c.generated == Generated::row_start ? " GENERATED ALWAYS AS ROW START"
                                                : " GENERATED ALWAYS AS ROW END";
  } else if (c.generated != Generated::none) {
    line += " GENERATED (" + c.generation_expression + ") " + std::string(to_string(c.generated));
  }
  if (c.invisible) line += " INVISIBLE";
  if (!c.comment.empty()) line += "  -- " + one_line(c.comment);
  return line;
}

}  // namespace

void print_schema(const Schema& schema, std::ostream& out) {
  out << to_string(schema.dialect) << " " << schema.server_version << ", database " << schema.name
      << ": " << schema.tables.size() << " tables, views and sequences\n";
  for (const Table& t : schema.tables) {
    out << "\n" << to_string(t.kind) << " " << t.name;
    if (!t.engine.empty()) {
      out << " (" << t.engine << (t.partitioned ? ", partitioned" : "")
          << (t.system_versioned ? ", system-versioned" : "") << ")";
    }
    if (!t.comment.empty()) out << "  -- " << one_line(t.comment);
    out << "\n";
    std::size_t width = 0;
    for (const Column& c : t.columns) width = std::max(width, c.name.size());
    for (const Column& c : t.columns) {
      out << "  " << std::left << std::setw(static_cast<int>(width) + 2) << c.name
          << column_line(c, schema.dialect) << "\n";
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

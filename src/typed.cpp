#include <tabula/typed.hpp>

#include <tabula/automap.hpp>
#include <tabula/error.hpp>

#include "dialect/sql_dialect.hpp"

#include <algorithm>

namespace tabula {

std::string cpp_type_of(const Column& c, Dialect dialect) {
  using detail::Family;
  detail::ColumnType type = detail::sql_dialect(dialect).column_type(c);
  switch (type.family) {
    case Family::integer: {
      int bits = type.integer_bits == 24 ? 32 : type.integer_bits;  // MEDIUMINT
      return (c.is_unsigned ? "std::uint" : "std::int") + std::to_string(bits) + "_t";
    }
    case Family::bit:
      return c.precision.value_or(1) == 1 ? "bool" : "std::uint64_t";
    case Family::year:
      return "std::int16_t";
    case Family::decimal:
      return "tabula::Decimal";
    case Family::real:
      return type.single_precision ? "float" : "double";
    case Family::binary:
    case Family::any:  // an untyped SQLite column, as before it had a family of its own
      return "tabula::Bytes";
    case Family::enumeration:
      return "enum";
    case Family::date:
      return "tabula::Date";
    case Family::datetime:
      return "tabula::DateTime";
    case Family::time:
      return "tabula::Time";
    case Family::text:
    case Family::set:  // comma-separated members
    case Family::other:
      return "std::string";
  }
  return "std::string";
}

namespace detail {

void check_typed_fields(const Model& model, std::span<const std::string_view> columns,
                        std::span<const std::string> field_types, std::string_view type_name) {
  const Table& table = model.table();
  std::string problems;
  auto problem = [&](const std::string& text) { problems += "\n  - " + text; };
  if (columns.size() != table.columns.size()) {
    problem(std::to_string(columns.size()) + " fields, but " + table.name + " has " +
            std::to_string(table.columns.size()) + " columns");
  }
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const Column* c = table.column(columns[i]);
    if (c == nullptr) {
      problem("field " + std::to_string(i) + " is column '" + std::string(columns[i]) +
              "', which " + table.name + " does not have");
      continue;
    }
    if (i >= table.columns.size() || table.columns[i].name != columns[i]) {
      problem("field " + std::to_string(i) + " is column '" + std::string(columns[i]) +
              "', but that column is number " + std::to_string(c->ordinal) + " in the table");
    }
    std::string wanted = cpp_type_of(*c, model.dialect());
    if (wanted == "enum") {
      wanted = "enum(";
      for (std::size_t m = 0; m < c->members.size(); ++m) {
        wanted += (m == 0 ? "" : ",") + c->members[m];
      }
      wanted += ")";
    }
    if (c->nullable) wanted = "std::optional<" + wanted + ">";
    if (field_types[i] != wanted) {
      problem(table.name + "." + c->name + " (" + c->column_type +
              (c->nullable ? "" : " NOT NULL") + ") wants " + wanted + ", the struct has " +
              field_types[i]);
    }
  }
  for (const Column& c : table.columns) {
    if (std::find(columns.begin(), columns.end(), c.name) == columns.end()) {
      problem("column " + table.name + "." + c.name + " (" + c.column_type + ") has no field");
    }
  }
  if (!problems.empty()) {
    throw Error(std::string(type_name) + " does not match table " + table.name +
                " (regenerate it with tabula-gen):" + problems);
  }
}

}  // namespace detail
}  // namespace tabula

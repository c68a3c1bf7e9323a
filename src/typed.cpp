#include <tabula/typed.hpp>

#include <tabula/automap.hpp>
#include <tabula/error.hpp>

#include <algorithm>

namespace tabula {

std::string cpp_type_of(const Column& c, Dialect dialect) {
  const std::string& t = c.data_type;
  if (dialect == Dialect::sqlite) {
    // SQLite's affinity rules, in their order.
    if (t.find("int") != std::string::npos) return "std::int64_t";
    if (t.find("char") != std::string::npos || t.find("clob") != std::string::npos ||
        t.find("text") != std::string::npos) {
      return "std::string";
    }
    if (t.find("blob") != std::string::npos || t.empty()) return "tabula::Bytes";
    if (t.find("real") != std::string::npos || t.find("floa") != std::string::npos ||
        t.find("doub") != std::string::npos) {
      return "double";
    }
    if (t == "date") return "tabula::Date";
    if (t == "datetime" || t == "timestamp") return "tabula::DateTime";
    if (t.find("numeric") != std::string::npos || t.find("decimal") != std::string::npos) {
      return "tabula::Decimal";
    }
    return "std::string";
  }
  std::string u = c.is_unsigned ? "std::uint" : "std::int";
  if (t == "tinyint") return u + "8_t";
  if (t == "smallint") return u + "16_t";
  if (t == "mediumint" || t == "int" || t == "integer") return u + "32_t";
  if (t == "bigint") return u + "64_t";
  if (t == "decimal" || t == "numeric") return "tabula::Decimal";
  if (t == "float") return "float";
  if (t == "double" || t == "real") return "double";
  if (t == "bit") return c.precision.value_or(1) == 1 ? "bool" : "std::uint64_t";
  if (t == "year") return "std::int16_t";
  if (t == "date") return "tabula::Date";
  if (t == "datetime" || t == "timestamp") return "tabula::DateTime";
  if (t == "time") return "tabula::Time";
  if (t == "enum") return "enum";
  if (t == "binary" || t == "varbinary" || t.find("blob") != std::string::npos) {
    return "tabula::Bytes";
  }
  return "std::string";  // char, varchar, text, json, set (comma-separated members), others
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

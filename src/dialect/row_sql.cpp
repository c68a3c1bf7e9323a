#include "dialect/row_sql.hpp"

#include <tabula/automap.hpp>

namespace tabula::detail {

std::string column_list(const SqlDialect& dialect, const Table& table,
                        const std::vector<std::size_t>& columns) {
  std::string out;
  for (std::size_t i : columns) {
    out += (out.empty() ? "" : ", ") + dialect.quote_identifier(table.columns[i].name);
  }
  return out;
}

std::string all_columns(const SqlDialect& dialect, const Table& table) {
  std::string out;
  for (const Column& c : table.columns) {
    out += (out.empty() ? "" : ", ") + dialect.quote_identifier(c.name);
  }
  return out;
}

std::string placeholder_row(std::size_t n) {
  std::string out = "(";
  for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out + ")";
}

std::string insert_row_sql(const SqlDialect& dialect, const Table& table,
                           const std::vector<std::size_t>& columns) {
  std::string sql = "INSERT INTO " + dialect.quote_identifier(table.name) + " ";
  if (columns.empty()) return sql + std::string(dialect.default_values_clause());
  return sql + "(" + column_list(dialect, table, columns) + ") VALUES " +
         placeholder_row(columns.size());
}

void append_key_condition(const SqlDialect& dialect, const Record& record, std::string& sql,
                          std::vector<Value>& key) {
  for (const std::string& c : record.model().table().primary_key) {
    sql += (key.empty() ? "" : " AND ") + dialect.quote_identifier(c) + " = ?";
    key.push_back(record.get(c));
  }
}

std::string key_condition(const SqlDialect& dialect, const Table& table) {
  std::string out;
  for (const std::string& k : table.primary_key) {
    out += (out.empty() ? "" : " AND ") + dialect.quote_identifier(k) + " = ?";
  }
  return out;
}

std::string keys_condition(const SqlDialect& dialect, const Table& table, std::size_t n) {
  std::string out;
  if (table.primary_key.size() == 1) {
    out = dialect.quote_identifier(table.primary_key.front()) + " IN (";
    for (std::size_t r = 0; r < n; ++r) out += r == 0 ? "?" : ", ?";
    return out + ")";
  }
  std::string one = "(" + key_condition(dialect, table) + ")";
  for (std::size_t r = 0; r < n; ++r) out += (r == 0 ? "" : " OR ") + one;
  return out;
}

std::string describe_key(const Record& record) {
  std::string out;
  for (const std::string& c : record.model().table().primary_key) {
    out += (out.empty() ? "" : ", ") + c + " = " + record.get(c).to_string();
  }
  return record.model().name() + " " + out;
}

std::optional<std::size_t> auto_increment_key(const Table& table) {
  if (table.primary_key.size() != 1) return std::nullopt;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i].name == table.primary_key.front() && table.columns[i].auto_increment) {
      return i;
    }
  }
  return std::nullopt;
}

}  // namespace tabula::detail

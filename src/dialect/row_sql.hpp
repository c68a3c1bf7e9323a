#pragma once

// Pieces of SQL about a table's rows, in any dialect: column lists, placeholders, the WHERE of
// one row. Identifiers are quoted by the dialect; values travel as bound parameters.

#include <tabula/record.hpp>
#include <tabula/schema.hpp>
#include <tabula/value.hpp>

#include "dialect/sql_dialect.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tabula::detail {

// "`a`, `b`" for the columns at `columns` (indexes into table.columns).
std::string column_list(const SqlDialect& dialect, const Table& table,
                        const std::vector<std::size_t>& columns);
// Every column, in table order.
std::string all_columns(const SqlDialect& dialect, const Table& table);
// "(?, ?, ?)" for `n` values.
std::string placeholder_row(std::size_t n);
// "INSERT INTO `t` (`a`, `b`) VALUES (?, ?)", or the dialect's row of defaults when `columns`
// is empty.
std::string insert_row_sql(const SqlDialect& dialect, const Table& table,
                           const std::vector<std::size_t>& columns);

// Appends "`k1` = ? AND `k2` = ?" for `record`'s primary key as it is now, and its values to
// `key`: the WHERE of a statement about that one row.
void append_key_condition(const SqlDialect& dialect, const Record& record, std::string& sql,
                          std::vector<Value>& key);
// "`id` = ?" or "`a` = ? AND `b` = ?": one row's primary key, values in key order.
std::string key_condition(const SqlDialect& dialect, const Table& table);
// The WHERE naming `n` rows by primary key: "`id` IN (?, ?)", or for a composite key
// "(`a` = ? AND `b` = ?) OR (...)"; values row by row, each in key order.
std::string keys_condition(const SqlDialect& dialect, const Table& table, std::size_t n);

// "film_actor actor_id = 1, film_id = 23" for messages.
std::string describe_key(const Record& record);

// The index of the table's auto-increment primary key when it is the whole key.
std::optional<std::size_t> auto_increment_key(const Table& table);

}  // namespace tabula::detail

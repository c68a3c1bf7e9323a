// Reading a SQLite schema: sqlite_master joined with the table-valued PRAGMA functions, so every
// kind of catalog fact costs one query for all tables together.

#include "dialect/sqlite/sqlite_reflect.hpp"

#include "detail/catalog.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <charconv>
#include <map>

namespace tabula::dialect::sqlite {
namespace {

using detail::integer;
using detail::text;
using detail::text_or_empty;

// Tables and views of the user, never SQLite's own.
constexpr const char* kUserObjects =
    "m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

// Splits a declared type "NVARCHAR(160)" / "NUMERIC(10,2)" into its name and numbers.
void read_declared_type(Column& c, const std::string& declared) {
  c.column_type = declared;
  auto open = declared.find('(');
  std::string base = declared.substr(0, open);
  while (!base.empty() && base.back() == ' ') base.pop_back();
  c.data_type = detail::ascii_lower(base);
  if (open == std::string::npos) return;
  std::vector<int> numbers;
  std::size_t i = open + 1;
  while (i < declared.size() && declared[i] != ')') {
    while (i < declared.size() && (declared[i] == ' ' || declared[i] == ',')) ++i;
    int value = 0;
    auto [end, ec] = std::from_chars(declared.data() + i, declared.data() + declared.size(), value);
    if (ec != std::errc{}) break;
    numbers.push_back(value);
    i = static_cast<std::size_t>(end - declared.data());
  }
  bool textual = c.data_type.find("char") != std::string::npos ||
                 c.data_type.find("text") != std::string::npos ||
                 c.data_type.find("clob") != std::string::npos ||
                 c.data_type.find("binary") != std::string::npos;
  if (textual && !numbers.empty()) {
    c.max_length = numbers[0];
  } else if (!numbers.empty()) {
    c.precision = numbers[0];
    if (numbers.size() > 1) c.scale = numbers[1];
  }
}

void read_default(Column& c, const std::optional<std::string>& value) {
  if (!value) {
    c.default_kind = c.nullable ? DefaultKind::null : DefaultKind::none;
    return;
  }
  const std::string& v = *value;
  if (detail::ascii_lower(v) == "null") {
    c.default_kind = DefaultKind::null;
  } else if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') {
    c.default_kind = DefaultKind::literal;
    for (std::size_t i = 1; i + 1 < v.size(); ++i) {
      if (v[i] == '\'' && v[i + 1] == '\'') ++i;
      c.default_value += v[i];
    }
    return;
  } else if (detail::is_numeric_literal(v)) {
    c.default_kind = DefaultKind::literal;
  } else {
    c.default_kind = DefaultKind::expression;  // CURRENT_TIMESTAMP, (expr), ...
  }
  c.default_value = v;
}

}  // namespace

Schema reflect(soci::session& sql, const ReflectOptions& options, int& queries) {
  Schema schema;
  schema.dialect = Dialect::sqlite;
  std::map<std::string, Table> tables;
  std::string like = options.pattern.empty() ? "%" : options.pattern;
  auto wanted = [&](const std::string& name) {
    return options.tables.empty() ||
           std::find(options.tables.begin(), options.tables.end(), name) != options.tables.end();
  };

  ++queries;
  soci::rowset<soci::row> table_rows =
      (sql.prepare << std::string("SELECT m.type, m.name, m.sql FROM sqlite_master m WHERE ") +
                          kUserObjects + " AND m.name LIKE :p",
       soci::use(like, "p"));
  for (const soci::row& r : table_rows) {
    Table t;
    t.kind = text_or_empty(r, 0) == "view" ? TableKind::view : TableKind::table;
    t.name = text_or_empty(r, 1);
    if ((t.kind == TableKind::view && !options.include_views) || !wanted(t.name)) continue;
    std::string name = t.name;
    tables.emplace(std::move(name), std::move(t));
  }

  // hidden: 0 ordinary, 1 hidden (virtual tables), 2 generated virtual, 3 generated stored.
  ++queries;
  soci::rowset<soci::row> column_rows =
      (sql.prepare << std::string("SELECT m.name, p.cid, p.name, p.type, p.\"notnull\", "
                                  "p.dflt_value, p.pk, p.hidden FROM sqlite_master m "
                                  "JOIN pragma_table_xinfo(m.name) p WHERE ") +
                          kUserObjects + " AND m.name LIKE :p ORDER BY m.name, p.cid",
       soci::use(like, "p"));
  std::map<std::string, std::vector<std::pair<int, std::string>>> pk_positions;
  for (const soci::row& r : column_rows) {
    Table* table = detail::table_of(tables, r);
    if (table == nullptr) continue;
    auto hidden = integer(r, 7).value_or(0);
    if (hidden == 1) continue;
    Column c;
    c.ordinal = static_cast<int>(table->columns.size()) + 1;
    c.name = text_or_empty(r, 2);
    read_declared_type(c, text_or_empty(r, 3));
    c.nullable = integer(r, 4).value_or(0) == 0;
    if (hidden == 2 || hidden == 3) {
      c.generated = hidden == 3 ? Generated::stored : Generated::virtual_column;
    } else {
      read_default(c, text(r, 5));
    }
    if (auto pk = integer(r, 6).value_or(0); pk > 0) {
      pk_positions[table->name].emplace_back(static_cast<int>(pk), c.name);
    }
    table->columns.push_back(std::move(c));
  }
  for (auto& [name, positions] : pk_positions) {
    Table& t = tables[name];
    std::sort(positions.begin(), positions.end());
    for (auto& [position, column] : positions) t.primary_key.push_back(column);
    // A lone INTEGER PRIMARY KEY is the rowid: the database assigns it, as auto-increment, and
    // it is never NULL (inserting NULL assigns one), whatever PRAGMA table_info says.
    if (t.primary_key.size() == 1) {
      for (Column& c : t.columns) {
        if (c.name == t.primary_key[0] && c.data_type == "integer") {
          c.auto_increment = true;
          c.nullable = false;
          if (c.default_kind == DefaultKind::null) c.default_kind = DefaultKind::none;
        }
      }
    }
  }

  ++queries;
  soci::rowset<soci::row> index_rows =
      (sql.prepare << std::string("SELECT m.name, il.name, il.\"unique\", il.origin, ii.seqno, "
                                  "ii.name, ii.\"desc\" FROM sqlite_master m "
                                  "JOIN pragma_index_list(m.name) il "
                                  "JOIN pragma_index_xinfo(il.name) ii WHERE ") +
                          kUserObjects +
                          " AND m.name LIKE :p AND ii.key = 1 "
                          "ORDER BY m.name, il.name, ii.seqno",
       soci::use(like, "p"));
  for (const soci::row& r : index_rows) {
    Table* table = detail::table_of(tables, r);
    if (table == nullptr) continue;
    Table& t = *table;
    std::string name = text_or_empty(r, 1);
    if (t.indexes.empty() || t.indexes.back().name != name) {
      Index index;
      index.name = name;
      std::string origin = text_or_empty(r, 3);
      index.kind = origin == "pk"                   ? IndexKind::primary
                   : integer(r, 2).value_or(0) != 0 ? IndexKind::unique
                                                    : IndexKind::plain;
      t.indexes.push_back(std::move(index));
    }
    IndexColumn column;
    column.column = text_or_empty(r, 5);  // empty for an expression
    column.descending = integer(r, 6).value_or(0) != 0;
    t.indexes.back().columns.push_back(std::move(column));
  }

  ++queries;
  soci::rowset<soci::row> fk_rows =
      (sql.prepare << std::string("SELECT m.name, fk.id, fk.seq, fk.\"table\", fk.\"from\", "
                                  "fk.\"to\", fk.on_update, fk.on_delete FROM sqlite_master m "
                                  "JOIN pragma_foreign_key_list(m.name) fk WHERE ") +
                          kUserObjects + " AND m.name LIKE :p ORDER BY m.name, fk.id, fk.seq",
       soci::use(like, "p"));
  std::map<std::string, std::int64_t> last_id;
  for (const soci::row& r : fk_rows) {
    Table* table = detail::table_of(tables, r);
    if (table == nullptr) continue;
    Table& t = *table;
    auto id = integer(r, 1).value_or(0);
    auto seen = last_id.find(t.name);
    if (seen == last_id.end() || seen->second != id || t.foreign_keys.empty()) {
      last_id[t.name] = id;
      ForeignKey fk;
      // SQLite keeps no constraint names in the pragma; number them per table.
      fk.name = "fk_" + t.name + "_" + std::to_string(id);
      fk.referenced_table = text_or_empty(r, 3);
      fk.on_update = detail::parse_action(text_or_empty(r, 6));
      fk.on_delete = detail::parse_action(text_or_empty(r, 7));
      t.foreign_keys.push_back(std::move(fk));
    }
    t.foreign_keys.back().columns.push_back(text_or_empty(r, 4));
    t.foreign_keys.back().referenced_columns.push_back(text_or_empty(r, 5));  // "" = parent's PK
  }

  schema.tables.reserve(tables.size());
  for (auto& [name, table] : tables) schema.tables.push_back(std::move(table));
  // A foreign key naming no parent columns refers to the parent's primary key.
  for (Table& t : schema.tables) {
    for (ForeignKey& fk : t.foreign_keys) {
      const Table* parent = schema.table(fk.referenced_table);
      for (std::size_t i = 0; i < fk.referenced_columns.size(); ++i) {
        if (fk.referenced_columns[i].empty() && parent != nullptr &&
            i < parent->primary_key.size()) {
          fk.referenced_columns[i] = parent->primary_key[i];
        }
      }
    }
    std::stable_partition(t.indexes.begin(), t.indexes.end(),
                          [](const Index& i) { return i.kind == IndexKind::primary; });
    // A rowid primary key (INTEGER PRIMARY KEY) has no index of its own in the pragmas; list it
    // like every other primary key.
    if (!t.primary_key.empty() &&
        (t.indexes.empty() || t.indexes.front().kind != IndexKind::primary)) {
      Index primary;
      primary.name = "PRIMARY";
      primary.kind = IndexKind::primary;
      for (const std::string& c : t.primary_key)
        primary.columns.push_back(IndexColumn{c, {}, false});
      t.indexes.insert(t.indexes.begin(), std::move(primary));
    }
  }
  return schema;
}

}  // namespace tabula::dialect::sqlite

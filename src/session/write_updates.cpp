// The UPDATE half of a flush. Changed records are grouped by table and by the set of columns
// they changed, and each group goes in pages of one statement each, keyed by the key each row
// had when read:
//
//   UPDATE `t` SET `qty` = CASE `id` WHEN ? THEN ? WHEN ? THEN ? END WHERE `id` IN (?, ?)
//
// A page that matches fewer rows than it names finds the missing ones and names the first (it
// was deleted, or its key changed, since the session read it). A page the database refuses is
// sent again row by row to name the record at fault. Tables go parents first.

#include <tabula/error.hpp>

#include "connection_access.hpp"
#include "detail/column_rules.hpp"
#include "dialect/read_back.hpp"
#include "dialect/row_sql.hpp"
#include "session/flush_order.hpp"
#include "session/identity.hpp"
#include "session/session_state.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace tabula::detail {
namespace {

constexpr std::size_t kRowsPerPage = 1000;
constexpr std::size_t kMaxPlaceholders = 65'535;

// The changed columns of `t`, in table order.
std::vector<std::size_t> changed_columns(const Tracked& t) {
  std::vector<std::size_t> columns;
  for (const auto& entry : RecordAccess::originals(t.record)) columns.push_back(entry.first);
  std::sort(columns.begin(), columns.end());
  columns.erase(std::unique(columns.begin(), columns.end()), columns.end());
  return columns;
}

// The primary key `t` had when read (before this flush's changes), in key order.
std::vector<Value> original_key(const Tracked& t) {
  const Model& model = t.record.model();
  const RecordAccess::Originals& originals = RecordAccess::originals(t.record);
  std::vector<Value> key;
  for (const std::string& name : model.table().primary_key) {
    std::size_t i = model.column_index(name);
    auto original = std::find_if(originals.begin(), originals.end(),
                                 [i](const auto& e) { return e.first == i; });
    key.push_back(original == originals.end() ? RecordAccess::value(t.record, i)
                                              : original->second);
  }
  return key;
}

std::string key_text(const Table& table, const std::vector<Value>& key) {
  std::string out;
  for (std::size_t k = 0; k < key.size(); ++k) {
    out += (k == 0 ? "" : ", ") + table.primary_key[k] + " = " + key[k].to_string();
  }
  return out;
}

}  // namespace

void SessionState::write_updates(Connection& conn) {
  std::vector<Record*>& changed = unit.changed;
  std::vector<Record*> todo = std::exchange(changed, {});
  std::vector<Tracked*> due;
  std::unordered_set<Tracked*> seen;
  for (std::size_t k = 0; k < todo.size(); ++k) {
    Tracked& t = *RecordAccess::owner(*todo[k]);
    if (t.state != RecordState::persistent || !seen.insert(&t).second) continue;
    try {
      if (!t.links.empty()) resolve_links(t);
    } catch (...) {
      changed.insert(changed.end(), todo.begin() + static_cast<std::ptrdiff_t>(k), todo.end());
      for (Tracked* d : due) changed.push_back(&d->record);
      throw;
    }
    if (t.record.is_modified()) due.push_back(&t);
  }
  if (due.empty()) return;
  // Groups of one table and one set of changed columns, tables parents first.
  struct Group {
    const Model* model;
    std::vector<std::size_t> columns;
    std::vector<Tracked*> rows;
  };
  std::vector<Group> groups;
  std::vector<const Model*> models;
  for (Tracked* t : due) {
    const Model* model = &t->record.model();
    std::vector<std::size_t> columns = changed_columns(*t);
    auto group = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
      return g.model == model && g.columns == columns;
    });
    if (group == groups.end()) {
      group = groups.insert(groups.end(), Group{model, std::move(columns), {}});
      if (std::find(models.begin(), models.end(), model) == models.end()) models.push_back(model);
    }
    group->rows.push_back(t);
  }
  std::vector<const Model*> order = parents_first(models);
  std::stable_sort(groups.begin(), groups.end(), [&](const Group& a, const Group& b) {
    return std::find(order.begin(), order.end(), a.model) <
           std::find(order.begin(), order.end(), b.model);
  });
  tx.begin();  // a no-op but for work flush() judged a single INSERT
  try {
    for (const Group& group : groups) {
      const Table& table = group.model->table();
      if (!group.model->has_primary_key()) {
        throw ValidationError(table.name +
                                  " has no primary key, so a changed row cannot be told apart "
                                  "from its twins: updates of it are refused",
                              table.name, table.columns[group.columns.front()].name);
      }
      // Placeholders per row: each changed column's CASE names the key and the value.
      std::size_t key = table.primary_key.size();
      std::size_t per_row = group.columns.size() * (key + 1) + key;
      std::size_t page =
          std::max<std::size_t>(1, std::min(kRowsPerPage, kMaxPlaceholders / per_row));
      for (std::size_t at = 0; at < group.rows.size(); at += page) {
        std::size_t n = std::min(page, group.rows.size() - at);
        update_page(conn, std::span(group.rows).subspan(at, n), group.columns);
      }
    }
  } catch (...) {
    // What was not journaled is still a change to send: stage it again.
    for (Tracked* t : due) {
      if (t->record.is_modified()) changed.push_back(&t->record);
    }
    throw;
  }
}

// One UPDATE for `rows` (one table, the same changed `columns`).
void SessionState::update_page(Connection& conn, std::span<Tracked* const> rows,
                               const std::vector<std::size_t>& columns) {
  const SqlDialect& dialect = ConnectionAccess::dialect(conn);
  const Model& model = rows.front()->record.model();
  const Table& table = model.table();
  std::vector<std::vector<Value>> keys;
  for (Tracked* t : rows) keys.push_back(original_key(*t));
  std::string sql = "UPDATE " + dialect.quote_identifier(table.name) + " SET ";
  std::vector<Value> params;
  const bool single_key = table.primary_key.size() == 1;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    std::string name = dialect.quote_identifier(table.columns[columns[c]].name);
    sql += (c == 0 ? "" : ", ") + name + " = ";
    if (rows.size() == 1) {
      sql += "?";
      params.push_back(RecordAccess::value(rows.front()->record, columns[c]));
      continue;
    }
    sql += single_key ? "CASE " + dialect.quote_identifier(table.primary_key.front()) : "CASE";
    std::string when =
        single_key ? " WHEN ? THEN ?" : " WHEN " + key_condition(dialect, table) + " THEN ?";
    for (std::size_t r = 0; r < rows.size(); ++r) {
      sql += when;
      params.insert(params.end(), keys[r].begin(), keys[r].end());
      params.push_back(RecordAccess::value(rows[r]->record, columns[c]));
    }
    sql += " END";
  }
  std::string where = rows.size() == 1 ? key_condition(dialect, table)
                                       : keys_condition(dialect, table, rows.size());
  sql += " WHERE " + where;
  for (const std::vector<Value>& key : keys) params.insert(params.end(), key.begin(), key.end());
  ResultSet result;
  try {
    result = run_statement(conn, sql, params);
  } catch (const SqlError& e) {
    if (rows.size() == 1) {
      throw e.with_context("while updating " + table.name + " " + key_text(table, keys.front()));
    }
    if (!e.is_disconnect() && !e.is_retryable()) {
      // Refused as a whole (the server undid the statement): row by row names the one at fault.
      for (Tracked* t : rows) update_page(conn, {&t, 1}, columns);
    }
    throw e.with_context("while updating " + std::to_string(rows.size()) + " rows of " +
                         table.name);
  }
  if (result.matched_rows < rows.size()) {
    // Which ones are gone: the first named.
    std::vector<Value> all_keys;
    for (const std::vector<Value>& key : keys)
      all_keys.insert(all_keys.end(), key.begin(), key.end());
    std::string select = "SELECT ";
    for (std::size_t k = 0; k < table.primary_key.size(); ++k) {
      select += (k == 0 ? "" : ", ") + dialect.quote_identifier(table.primary_key[k]);
    }
    select += " FROM " + dialect.quote_identifier(table.name) + " WHERE " + where;
    ResultSet found = run_statement(conn, select, all_keys);
    std::unordered_set<std::string> present;
    for (std::size_t row = 0; row < found.rows(); ++row) {
      std::vector<Value> key;
      for (std::size_t k = 0; k < table.primary_key.size(); ++k) {
        const Column& c = table.columns[model.column_index(table.primary_key[k])];
        key.push_back(cell_value(family_of(c, conn.dialect()), found, row, k));
      }
      present.insert(identity_of(model, key));
    }
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (!present.contains(identity_of(model, keys[r]))) {
        throw Error("UPDATE of " + table.name + " " + key_text(table, keys[r]) +
                    " found no row: it was deleted, or its key changed, since the session read "
                    "it");
      }
    }
    throw Error("UPDATE of " + std::to_string(rows.size()) + " rows of " + table.name +
                " matched " + std::to_string(result.matched_rows));
  }
  // Journaled before anything else can fail (the read-back below): a failed flush must find the
  // updates in the journal to stage them again.
  std::vector<std::size_t> changes;  // indexes: the journal grows while they are taken
  for (Tracked* t : rows) {
    changes.push_back(journal.updated(*t, RecordAccess::take_originals(t->record)));
  }
  read_back_on_update(conn, rows, columns, changes);
  for (Tracked* t : rows) {
    if (identity_of(t->record) != t->identity) {
      unit.leave_identity(*t);
      unit.enter_identity(*t);
    }
  }
}

void SessionState::read_back_on_update(Connection& conn, std::span<Tracked* const> rows,
                                       const std::vector<std::size_t>& set_columns,
                                       const std::vector<std::size_t>& changes) {
  const Model& model = rows.front()->record.model();
  const Table& table = model.table();
  std::vector<std::size_t> wanted;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    bool set = std::find(set_columns.begin(), set_columns.end(), i) != set_columns.end();
    // ON UPDATE columns, and a system-versioned row's period: an UPDATE starts a new version.
    const Column& c = table.columns[i];
    bool server_changes = !c.on_update.empty() || c.generated == Generated::row_start ||
                          c.generated == Generated::row_end;
    if (server_changes && !set) wanted.push_back(i);
  }
  if (wanted.empty()) return;
  const SqlDialect& dialect = ConnectionAccess::dialect(conn);
  std::vector<std::size_t> selected;  // the key (as it is now), then what is wanted
  for (const std::string& k : table.primary_key) selected.push_back(model.column_index(k));
  selected.insert(selected.end(), wanted.begin(), wanted.end());
  std::string sql = "SELECT " + column_list(dialect, table, selected) + " FROM " +
                    dialect.quote_identifier(table.name) + " WHERE " +
                    (rows.size() == 1 ? key_condition(dialect, table)
                                      : keys_condition(dialect, table, rows.size()));
  std::vector<Value> keys;
  std::unordered_map<std::string, std::size_t> row_of;  // identity now -> index in rows
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (const std::string& k : table.primary_key) keys.push_back(rows[r]->record.get(k));
    row_of.emplace(identity_of(rows[r]->record), r);
  }
  ResultSet result;
  try {
    result = run_statement(conn, sql, keys);
  } catch (const SqlError& e) {
    throw e.with_context(
        "while reading back what the server changed in " + describe_key(rows.front()->record) +
        (rows.size() > 1 ? " and " + std::to_string(rows.size() - 1) + " more" : ""));
  }
  // Every value converted before any is stored: a conversion error leaves the records as they
  // were.
  std::vector<std::pair<std::size_t, std::vector<Value>>> loaded;
  for (std::size_t row = 0; row < result.rows(); ++row) {
    std::vector<Value> values;
    for (std::size_t k = 0; k < selected.size(); ++k) {
      values.push_back(
          cell_value(family_of(table.columns[selected[k]], conn.dialect()), result, row, k));
    }
    std::vector<Value> key(values.begin(),
                           values.begin() + static_cast<std::ptrdiff_t>(table.primary_key.size()));
    auto found = row_of.find(identity_of(model, key));
    if (found != row_of.end()) loaded.emplace_back(found->second, std::move(values));
  }
  for (auto& [r, values] : loaded) {
    Tracked& t = *rows[r];
    for (std::size_t k = 0; k < wanted.size(); ++k) {
      journal.changes[changes[r]].server_changed.emplace_back(
          wanted[k], RecordAccess::value(t.record, wanted[k]));
      RecordAccess::load(t.record, wanted[k], std::move(values[table.primary_key.size() + k]));
    }
  }
}

}  // namespace tabula::detail

// The UPDATE and DELETE halves of a flush: one statement per changed or removed row, keyed by
// the primary key the row had when read; deletes children first.

#include <tabula/error.hpp>

#include "connection_access.hpp"
#include "detail/column_rules.hpp"
#include "dialect/row_sql.hpp"
#include "session/flush_order.hpp"
#include "session/identity.hpp"
#include "session/session_state.hpp"

#include <algorithm>

namespace tabula::detail {

void SessionState::write_updates(Connection& conn) {
  std::vector<Record*>& changed = unit.changed;
  std::vector<Record*> todo = std::exchange(changed, {});
  for (std::size_t k = 0; k < todo.size(); ++k) {
    Tracked& t = *RecordAccess::owner(*todo[k]);
    if (t.state != RecordState::persistent) continue;
    try {
      if (!t.links.empty()) resolve_links(t);
      if (t.record.is_modified()) {
        tx.begin();  // a no-op but for work flush() judged a single INSERT
        update_one(conn, t);
      }
    } catch (...) {
      changed.insert(changed.end(), todo.begin() + static_cast<std::ptrdiff_t>(k), todo.end());
      throw;
    }
  }
}

// UPDATE of the changed columns, keyed by the primary key the row had when read.
void SessionState::update_one(Connection& conn, Tracked& t) {
  const SqlDialect& dialect = ConnectionAccess::dialect(conn);
  const Model& model = t.record.model();
  const Table& table = model.table();
  if (!model.has_primary_key()) {
    throw ValidationError(table.name +
                              " has no primary key, so a changed row cannot be told apart "
                              "from its twins: updates of it are refused",
                          table.name, t.record.modified_columns().front());
  }
  const RecordAccess::Originals& originals = RecordAccess::originals(t.record);
  std::vector<std::size_t> columns;
  for (const auto& entry : originals) columns.push_back(entry.first);
  std::sort(columns.begin(), columns.end());
  std::string sql = "UPDATE " + dialect.quote_identifier(table.name) + " SET ";
  std::vector<Value> params;
  for (std::size_t i : columns) {
    sql += (params.empty() ? "" : ", ") + dialect.quote_identifier(table.columns[i].name) + " = ?";
    params.push_back(RecordAccess::value(t.record, i));
  }
  sql += " WHERE ";
  std::string key_text;
  for (std::size_t k = 0; k < table.primary_key.size(); ++k) {
    std::size_t i = model.column_index(table.primary_key[k]);
    auto original = std::find_if(originals.begin(), originals.end(),
                                 [i](const auto& e) { return e.first == i; });
    const Value& key =
        original == originals.end() ? RecordAccess::value(t.record, i) : original->second;
    sql += (k == 0 ? "" : " AND ") + dialect.quote_identifier(table.primary_key[k]) + " = ?";
    key_text += (k == 0 ? "" : ", ") + table.primary_key[k] + " = " + key.to_string();
    params.push_back(key);
  }
  ResultSet result;
  try {
    result = run_statement(conn, sql, params);
  } catch (const SqlError& e) {
    throw e.with_context("while updating " + table.name + " " + key_text);
  }
  if (result.matched_rows == 0) {
    throw Error("UPDATE of " + table.name + " " + key_text +
                " found no row: it was deleted, or its key changed, since the session read it");
  }
  // Journaled before anything else can fail (the read-back below): a failed flush must find the
  // update in the journal to stage it again.
  JournalEntry& entry = journal.updated(t, RecordAccess::take_originals(t.record));
  entry.server_changed = read_back_on_update(conn, t, columns);
  if (identity_of(t.record) != t.identity) {
    unit.leave_identity(t);
    unit.enter_identity(t);
  }
}

RecordAccess::Originals SessionState::read_back_on_update(
    Connection& conn, Tracked& t, const std::vector<std::size_t>& set_columns) {
  const Table& table = t.record.model().table();
  std::vector<std::size_t> wanted;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    bool set = std::find(set_columns.begin(), set_columns.end(), i) != set_columns.end();
    // ON UPDATE columns, and a system-versioned row's period: an UPDATE starts a new version.
    const Column& c = table.columns[i];
    bool server_changes = !c.on_update.empty() || c.generated == Generated::row_start ||
                          c.generated == Generated::row_end;
    if (server_changes && !set) wanted.push_back(i);
  }
  RecordAccess::Originals before;
  if (wanted.empty()) return before;
  const SqlDialect& dialect = ConnectionAccess::dialect(conn);
  std::string sql = "SELECT ";
  for (std::size_t k = 0; k < wanted.size(); ++k) {
    sql += (k == 0 ? "" : ", ") + dialect.quote_identifier(table.columns[wanted[k]].name);
  }
  sql += " FROM " + dialect.quote_identifier(table.name) + " WHERE ";
  std::vector<Value> key;
  append_key_condition(dialect, t.record, sql, key);
  ResultSet row;
  try {
    row = run_statement(conn, sql, key);
  } catch (const SqlError& e) {
    throw e.with_context("while reading back what the server changed in " + describe_key(t.record));
  }
  if (row.rows() != 1) return before;
  // Every value converted before any is stored: a conversion error leaves the record as it was.
  std::vector<Value> values;
  for (std::size_t k = 0; k < wanted.size(); ++k) {
    std::optional<std::string> text;
    if (row.at(0, k)) text = std::string(*row.at(0, k));
    values.push_back(from_database_text(table.columns[wanted[k]], text, conn.dialect()));
  }
  for (std::size_t k = 0; k < wanted.size(); ++k) {
    before.emplace_back(wanted[k], RecordAccess::value(t.record, wanted[k]));
    RecordAccess::load(t.record, wanted[k], std::move(values[k]));
  }
  return before;
}

void SessionState::write_deletes(Connection& conn) {
  std::vector<Tracked*>& deletes = unit.deletes;
  if (deletes.empty()) return;
  tx.begin();  // a no-op but for work flush() judged a single INSERT
  const SqlDialect& dialect = ConnectionAccess::dialect(conn);
  std::vector<const Model*> staged;
  for (Tracked* t : deletes) {
    const Model* m = &t->record.model();
    if (std::find(staged.begin(), staged.end(), m) == staged.end()) staged.push_back(m);
  }
  std::vector<const Model*> order = parents_first(staged);
  std::reverse(order.begin(), order.end());  // children first
  for (const Model* model : order) {
    const Table& table = model->table();
    std::vector<Tracked*> rows;
    for (Tracked* t : deletes) {
      if (&t->record.model() == model && t->state == RecordState::deleting) rows.push_back(t);
    }
    // Within a self-referencing table, a row goes after the rows that refer to it.
    std::vector<const ForeignKey*> self;
    for (const ForeignKey& fk : table.foreign_keys) {
      if (fk.referenced_table == table.name && fk.referenced_columns == table.primary_key) {
        self.push_back(&fk);
      }
    }
    while (!rows.empty()) {
      std::vector<Tracked*> wave;
      std::vector<Tracked*> later;
      for (Tracked* t : rows) {
        bool referred = std::any_of(rows.begin(), rows.end(), [&](Tracked* other) {
          return other != t && std::any_of(self.begin(), self.end(), [&](const ForeignKey* fk) {
                   return identity_of(other->record, fk->columns) == t->identity;
                 });
        });
        (referred ? later : wave).push_back(t);
      }
      if (wave.empty()) std::swap(wave, later);  // a cycle: staging order
      for (Tracked* t : wave) {
        std::string sql = "DELETE FROM " + dialect.quote_identifier(table.name) + " WHERE ";
        std::vector<Value> key;
        append_key_condition(dialect, t->record, sql, key);
        try {
          run_statement(conn, sql, key);
        } catch (const SqlError& e) {
          throw e.with_context("while deleting " + describe_key(t->record));
        }
        journal.deleted(*t);
        unit.leave_identity(*t);
        t->state = RecordState::detached;
      }
      rows = std::move(later);
    }
  }
  deletes.clear();
}

}  // namespace tabula::detail

// The DELETE half of a flush: tables children first, and within a self-referencing table a row
// after the rows that refer to it; each wave in pages of one statement
// (DELETE FROM `t` WHERE `id` IN (?, ?, ...)). A page the database refuses is sent again row by
// row to name the record at fault.

#include <tabula/error.hpp>

#include "connection_access.hpp"
#include "dialect/row_sql.hpp"
#include "session/flush_order.hpp"
#include "session/identity.hpp"
#include "session/session_state.hpp"

#include <algorithm>
#include <string>
#include <unordered_set>

namespace tabula::detail {
namespace {

constexpr std::size_t kRowsPerPage = 1000;
constexpr std::size_t kMaxPlaceholders = 65'535;

}  // namespace

void SessionState::write_deletes(Connection& conn) {
  std::vector<Tracked*>& deletes = unit.deletes;
  if (deletes.empty()) return;
  tx.begin();  // a no-op but for work flush() judged a single INSERT
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
      // The keys other rows of this wave still refer to (a row referring to itself aside), in
      // one pass: rows go now unless one of them is among these.
      std::unordered_set<std::string> referred;
      for (Tracked* t : rows) {
        for (const ForeignKey* fk : self) {
          std::string target = identity_of(t->record, fk->columns);
          if (!target.empty() && target != t->identity) referred.insert(std::move(target));
        }
      }
      for (Tracked* t : rows) (referred.contains(t->identity) ? later : wave).push_back(t);
      if (wave.empty()) std::swap(wave, later);  // a cycle: staging order
      std::size_t page = std::max<std::size_t>(
          1, std::min(kRowsPerPage, kMaxPlaceholders / table.primary_key.size()));
      for (std::size_t at = 0; at < wave.size(); at += page) {
        delete_page(conn, std::span(wave).subspan(at, std::min(page, wave.size() - at)));
      }
      rows = std::move(later);
    }
  }
  deletes.clear();
}

// One DELETE for `rows` (one table, none referring to another of them).
void SessionState::delete_page(Connection& conn, std::span<Tracked* const> rows) {
  const SqlDialect& dialect = ConnectionAccess::dialect(conn);
  const Table& table = rows.front()->record.model().table();
  std::string sql = "DELETE FROM " + dialect.quote_identifier(table.name) + " WHERE " +
                    (rows.size() == 1 ? key_condition(dialect, table)
                                      : keys_condition(dialect, table, rows.size()));
  std::vector<Value> keys;
  for (Tracked* t : rows) {
    for (const std::string& k : table.primary_key) keys.push_back(t->record.get(k));
  }
  try {
    run_statement(conn, sql, keys);
  } catch (const SqlError& e) {
    if (rows.size() == 1)
      throw e.with_context("while deleting " + describe_key(rows.front()->record));
    if (!e.is_disconnect() && !e.is_retryable()) {
      // Refused as a whole (a row still referred to, say): row by row names the one at fault.
      for (Tracked* t : rows) delete_page(conn, {&t, 1});
    }
    throw e.with_context("while deleting " + std::to_string(rows.size()) + " rows of " +
                         table.name);
  }
  for (Tracked* t : rows) {
    journal.deleted(*t);
    unit.leave_identity(*t);
    t->state = RecordState::detached;
  }
}

}  // namespace tabula::detail

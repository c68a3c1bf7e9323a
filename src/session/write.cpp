// The writing half of a flush: INSERTs (multi-row pages with RETURNING on MariaDB, one row at a
// time elsewhere), UPDATEs of changed columns, DELETEs children first.

#include <tabula/error.hpp>
#include <tabula/log.hpp>

#include "connection_access.hpp"
#include "detail/column_rules.hpp"
#include "dialect/mysql/mysql_statement.hpp"
#include "session/flush_order.hpp"
#include "session/identity.hpp"
#include "session/read_back.hpp"
#include "session/session_state.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>

namespace tabula::detail {
namespace {

// True when the insert sends a value for column `i` (NULL into an auto-increment column means
// "assign one", so it is left to the database).
bool given(const Record& r, std::size_t i) {
  if (!RecordAccess::is_set(r, i)) return false;
  return !(RecordAccess::value(r, i).is_null() && r.model().table().columns[i].auto_increment);
}

std::vector<std::size_t> given_columns(const Record& r) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < r.model().table().columns.size(); ++i) {
    if (given(r, i)) out.push_back(i);
  }
  return out;
}

std::string names(Dialect dialect, const Table& table, const std::vector<std::size_t>& columns) {
  std::string out;
  for (std::size_t i : columns) {
    out += (out.empty() ? "" : ", ") + quote_identifier(dialect, table.columns[i].name);
  }
  return out;
}

std::string all_names(Dialect dialect, const Table& table) {
  std::string out;
  for (const Column& c : table.columns) {
    out += (out.empty() ? "" : ", ") + quote_identifier(dialect, c.name);
  }
  return out;
}

std::string insert_head(Dialect dialect, const Table& table,
                        const std::vector<std::size_t>& columns) {
  std::string sql = "INSERT INTO " + quote_identifier(dialect, table.name);
  if (columns.empty()) return sql + (dialect == Dialect::mysql ? " () VALUES " : " DEFAULT VALUES");
  return sql + " (" + names(dialect, table, columns) + ") VALUES ";
}

std::string placeholders(std::size_t n) {
  std::string out = "(";
  for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out + ")";
}

// "id = 7" / "(actor_id, film_id) = (1, 23)" for messages.
std::string describe_key(const Record& r) {
  const auto& key = r.model().table().primary_key;
  std::string out;
  for (const std::string& c : key)
    out += (out.empty() ? "" : ", ") + c + " = " + r.get(c).to_string();
  return r.model().name() + " " + out;
}

// Appends "`k1` = ? AND `k2` = ?" for `record`'s primary key as it is now, and its values to
// `key`: the WHERE of a statement about that one row.
void append_key_condition(Dialect dialect, const Record& record, std::string& sql,
                          std::vector<Value>& key) {
  for (const std::string& c : record.model().table().primary_key) {
    sql += (key.empty() ? "" : " AND ") + quote_identifier(dialect, c) + " = ?";
    key.push_back(record.get(c));
  }
}

std::vector<std::size_t> union_of_given_columns(const std::vector<Tracked*>& rows) {
  std::vector<std::size_t> columns;
  if (rows.empty()) return columns;
  std::size_t n = rows.front()->record.model().table().columns.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (std::any_of(rows.begin(), rows.end(), [i](Tracked* t) { return given(t->record, i); })) {
      columns.push_back(i);
    }
  }
  return columns;
}

// The index of the table's auto-increment primary key when it is the whole key.
std::optional<std::size_t> auto_increment_key(const Table& table) {
  if (table.primary_key.size() != 1) return std::nullopt;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i].name == table.primary_key.front() && table.columns[i].auto_increment) {
      return i;
    }
  }
  return std::nullopt;
}

// Without RETURNING, the keys of a multi-row INSERT are known only when the server hands out
// consecutive values to one statement: InnoDB's autoinc lock modes 0 and 1 ("traditional",
// "consecutive"; MariaDB's default) guarantee it for inserts whose row count is known, mode 2
// (MySQL 8's default) does not. Then key k of a statement is LAST_INSERT_ID() + k * increment.
// Returns that increment, or nullopt when rows must go one by one. `cache` keeps the server's
// settings for the rest of the flush.
std::optional<std::uint64_t> generated_keys_consecutive(
    Connection& conn, const Model& model, const std::vector<Tracked*>& rows,
    std::optional<std::optional<std::uint64_t>>& cache) {
  if (conn.dialect() != Dialect::mysql || rows.size() < 2) return std::nullopt;
  std::optional<std::size_t> key = auto_increment_key(model.table());
  if (!key) return std::nullopt;
  if (std::any_of(rows.begin(), rows.end(), [&](Tracked* t) { return given(t->record, *key); })) {
    return std::nullopt;
  }
  if (!cache) {
    ResultSet r =
        run_statement(conn, "SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment");
    bool consecutive =
        r.rows() == 1 && r.at(0, 0) && *r.at(0, 0) != "2" && *r.at(0, 0) != "3" && r.at(0, 1);
    cache = consecutive ? std::optional<std::uint64_t>(std::stoull(std::string(*r.at(0, 1))))
                        : std::nullopt;
  }
  return *cache;
}

}  // namespace

void SessionState::resolve_links(Tracked& t) {
  for (const Link& link : t.links) {
    const Record& parent = link.parent->record;
    if (link.parent->state == RecordState::detached) {
      throw Error("cannot write " + t.record.model().name() + ": its " + link.relationship->name +
                  " was removed or rolled back");
    }
    for (std::size_t k = 0; k < link.relationship->columns.size(); ++k) {
      const Value& key = parent.get(link.relationship->target_columns[k]);
      if (key.is_null()) {
        throw Error("cannot write " + t.record.model().name() + ": its " + link.relationship->name +
                    " has no " + link.relationship->target_columns[k] + " yet");
      }
      t.record.set(link.relationship->columns[k], key);
    }
  }
}

void SessionState::finish_insert(Tracked& t, ColumnFlags staged_mask) {
  journal.push_back({JournalEntry::Kind::inserted, &t, std::move(staged_mask), {}, {}, {}});
  t.state = RecordState::persistent;
  RecordAccess::track_changes(t.record);
  // Keyed now, entered into the map when a lookup next needs it: a session that only inserts
  // never pays for the map (a hash insert that misses the cache is most of a row's cost).
  t.identity = identity_of(t.record);
  if (!t.identity.empty()) unindexed.push_back(&t);
}

void SessionState::write_inserts(Connection& conn) {
  if (inserts.empty()) return;
  std::vector<const Model*> staged;
  for (Tracked* t : inserts) {
    const Model* m = &t->record.model();
    if (std::find(staged.begin(), staged.end(), m) == staged.end()) staged.push_back(m);
  }
  bool returning = returning_supported();
  Dialect dialect = conn.dialect();
  std::optional<std::optional<std::uint64_t>> id_step;  // read once per flush when needed
  for (const Model* model : parents_first(staged)) {
    const Table& table = model->table();
    std::vector<Tracked*> rows;
    for (Tracked* t : inserts) {
      if (&t->record.model() == model && t->state == RecordState::pending) rows.push_back(t);
    }
    // Waves: a record whose linked parent (same table) is not inserted yet waits for it.
    while (!rows.empty()) {
      std::vector<Tracked*> wave;
      std::vector<Tracked*> later;
      for (Tracked* t : rows) {
        bool ready = std::all_of(t->links.begin(), t->links.end(), [&](const Link& l) {
          return l.parent == t || l.parent->state != RecordState::pending;
        });
        (ready ? wave : later).push_back(t);
      }
      if (wave.empty()) {
        throw Error("records of " + table.name +
                    " are linked to each other in a cycle; insert one first, or set its "
                    "foreign key to NULL and update it after");
      }
      for (Tracked* t : wave) resolve_links(*t);
      // Outside a transaction only a single statement may go (flush() judged the work one
      // INSERT); anything more begins one first. A no-op inside a transaction.
      if (!returning || wave.size() != inserts.size() ||
          (dialect == Dialect::sqlite && wave.size() > 1)) {
        begin_transaction();
      }
      if (returning && dialect == Dialect::sqlite) {
        for (Tracked* t : wave) insert_page(conn, *model, {t}, given_columns(t->record), {});
      } else if (returning) {
        insert_page(conn, *model, wave, union_of_given_columns(wave), {});
      } else if (std::optional<std::uint64_t> step =
                     generated_keys_consecutive(conn, *model, wave, id_step)) {
        insert_page(conn, *model, wave, union_of_given_columns(wave), step);
      } else {
        for (Tracked* t : wave) insert_one_without_returning(conn, *t);
      }
      rows = std::move(later);
    }
  }
  inserts.clear();
}

// Sends `rows` as INSERT statements: on MySQL/MariaDB as few multi-row statements as fit under
// max_allowed_packet (a column a record leaves unset gets DEFAULT); on SQLite one row (whose
// RETURNING order is not defined for several). Without `id_step`, RETURNING reads every
// column back; with it (MySQL), the keys are LAST_INSERT_ID() + k * id_step and one SELECT per
// statement reads the rows back.
void SessionState::insert_page(Connection& conn, const Model& model,
                               const std::vector<Tracked*>& rows,
                               const std::vector<std::size_t>& columns,
                               std::optional<std::uint64_t> id_step) {
  const Table& table = model.table();
  Dialect dialect = conn.dialect();
  std::string head = insert_head(dialect, table, columns);
  std::vector<Family> families = families_of(table, dialect);
  // SQLite sends one row per statement: everything comes back. MySQL/MariaDB pages read back
  // what the database decided (read_back.hpp).
  std::vector<std::size_t> returned;
  if (dialect == Dialect::mysql && !id_step) {
    std::vector<const Record*> page_records;
    for (Tracked* t : rows) page_records.push_back(&t->record);
    returned = columns_to_read_back(table, families, page_records,
                                    engine->has_before_insert_trigger(conn, table.name));
  } else {
    for (std::size_t i = 0; i < table.columns.size(); ++i) returned.push_back(i);
  }
  // Nothing to read back (a table without a key, every value stored as sent): no RETURNING.
  std::string tail =
      id_step || returned.empty() ? "" : " RETURNING " + names(dialect, table, returned);

  auto load = [&](const std::vector<Tracked*>& page, const ResultSet& result) {
    if (returned.empty()) {
      if (result.affected_rows != page.size()) {
        throw Error("INSERT into " + table.name + " reported " +
                    std::to_string(result.affected_rows) + " rows for " +
                    std::to_string(page.size()));
      }
      for (Tracked* t : page) finish_insert(*t, RecordAccess::set_mask(t->record));
      return;
    }
    if (result.rows() != page.size() || result.columns != returned.size()) {
      throw Error("INSERT ... RETURNING into " + table.name + " returned " +
                  std::to_string(result.rows()) + " rows for " + std::to_string(page.size()));
    }
    for (std::size_t row = 0; row < page.size(); ++row) {
      Tracked& t = *page[row];
      ColumnFlags mask = RecordAccess::set_mask(t.record);
      for (std::size_t k = 0; k < returned.size(); ++k) {
        std::size_t i = returned[k];
        RecordAccess::load(t.record, i, from_database_text(families[i], result.at(row, k)));
      }
      finish_insert(t, std::move(mask));
    }
  };
  // LAST_INSERT_ID() is the first key of the statement; the SELECT reads defaults back.
  auto load_by_keys = [&](const std::vector<Tracked*>& page, const ResultSet& inserted) {
    if (inserted.affected_rows != page.size()) {
      throw Error("INSERT into " + table.name + " reported " +
                  std::to_string(inserted.affected_rows) + " rows for " +
                  std::to_string(page.size()));
    }
    std::size_t key = *auto_increment_key(table);
    std::vector<ColumnFlags> masks;
    std::vector<std::string> keys;  // computed integers: written into the SQL as they are
    std::string select = "SELECT " + all_names(dialect, table) + " FROM " +
                         quote_identifier(dialect, table.name) + " WHERE " +
                         quote_identifier(dialect, table.columns[key].name) + " IN (";
    for (std::size_t k = 0; k < page.size(); ++k) {
      masks.push_back(RecordAccess::set_mask(page[k]->record));
      keys.push_back(std::to_string(inserted.last_insert_id + k * *id_step));
      select += (k == 0 ? "" : ", ") + keys.back();
    }
    ResultSet back = run_statement(conn, select + ")");
    std::unordered_map<std::string, std::size_t> row_of;
    for (std::size_t row = 0; row < back.rows(); ++row) {
      if (back.at(row, key)) row_of[std::string(*back.at(row, key))] = row;
    }
    for (std::size_t k = 0; k < page.size(); ++k) {
      auto found = row_of.find(keys[k]);
      if (found == row_of.end()) {
        throw Error("INSERT into " + table.name + ": the row with generated key " + keys[k] +
                    " cannot be read back");
      }
      load_row(page[k]->record, families, back, found->second);
      finish_insert(*page[k], std::move(masks[k]));
    }
  };
  auto context = [&](const std::vector<Tracked*>& page) {
    return page.size() == 1
               ? "while inserting into " + table.name + ": " + page.front()->record.to_json()
               : "while inserting " + std::to_string(page.size()) + " rows into " + table.name;
  };

  if (dialect == Dialect::sqlite) {
    for (Tracked* t : rows) {
      std::vector<Value> params;
      for (std::size_t i : columns) params.push_back(RecordAccess::value(t->record, i));
      std::string sql = head + (columns.empty() ? "" : placeholders(columns.size())) + tail;
      try {
        load({t}, run_statement(conn, sql, params));
      } catch (const SqlError& e) {
        throw e.with_context(context({t}));
      }
    }
    return;
  }

  // MySQL/MariaDB: escaped literals, multi-row statements under max_allowed_packet. With
  // RETURNING the work is pipelined: while the server runs one page, the client loads the rows
  // of the page before and builds the next one (send, then read before sending again), so most
  // of the client's work hides behind the server's. Pages hold at most a quarter of the rows but
  // at least 1000: smaller ones cost the server more per row than the overlap saves, and a
  // commit of up to 1000 rows stays one statement (flush() may then send it without BEGIN).
  const std::size_t limit =
      std::min<std::size_t>(conn.max_statement_bytes() - 1024, std::size_t{16} << 20);
  const std::size_t max_rows = std::max<std::size_t>(1000, (rows.size() + 3) / 4);
  std::string shape_row = placeholders(columns.size());
  std::vector<Tracked*> in_flight;  // sent, its result not read yet
  auto shape_of = [&](std::size_t n) {
    if (!has_statement_handler()) return std::string();
    std::string shape = head;
    for (std::size_t i = 0; i < n; ++i) shape += (i == 0 ? "" : ", ") + shape_row;
    return shape + tail;
  };
  auto failed = [&](const SqlError& e, const std::vector<Tracked*>& page) {
    if (page.size() > 1 && !e.is_disconnect() && !e.is_retryable()) {
      // The statement failed as a whole; find the record at fault by sending them one by one,
      // in a transaction so that none of them stays.
      begin_transaction();
      for (Tracked* t : page) insert_page(conn, model, {t}, columns, id_step);
    }
    return e.with_context(context(page));
  };
  auto read_in_flight = [&] {
    try {
      return read_literal_result(conn);
    } catch (const SqlError& e) {
      throw failed(e, std::exchange(in_flight, {}));
    }
  };
  auto send = [&](std::vector<Tracked*> page, const std::string& sql) {
    // Outside a transaction (a commit whose work is one statement) only a page holding every
    // row goes alone.
    if (page.size() != rows.size()) begin_transaction();
    std::vector<Tracked*> previous;
    ResultSet previous_result;
    if (!in_flight.empty()) {
      previous_result = read_in_flight();
      previous = std::exchange(in_flight, {});
    }
    if (id_step) {  // a SELECT follows each INSERT: nothing to overlap
      try {
        load_by_keys(page, run_literal_statement(conn, sql, shape_of(page.size()),
                                                 page.size() * columns.size()));
      } catch (const SqlError& e) {
        throw failed(e, page);
      }
      return;
    }
    send_literal_statement(conn, sql, shape_of(page.size()), page.size() * columns.size());
    in_flight = std::move(page);
    if (!previous.empty()) load(previous, previous_result);
  };
  // Rows are written straight into the statement; a row that does not fit moves to the next.
  std::string sql = head;
  std::vector<Tracked*> page;
  for (Tracked* t : rows) {
    std::size_t row_start = sql.size();
    sql += page.empty() ? "(" : ", (";
    for (std::size_t k = 0; k < columns.size(); ++k) {
      if (k > 0) sql += ", ";
      if (given(t->record, columns[k])) {
        dialect::mysql::append_literal(ConnectionAccess::native_handle(conn),
                                       RecordAccess::value(t->record, columns[k]), sql);
      } else {
        sql += "DEFAULT";
      }
    }
    sql += ')';
    if (!page.empty() && (page.size() >= max_rows || sql.size() + tail.size() > limit)) {
      std::string row = sql.substr(row_start + 2);
      sql.resize(row_start);
      sql += tail;
      std::size_t full = sql.size();
      send(std::exchange(page, {}), sql);
      sql = head;
      sql.reserve(full);
      sql += row;
    }
    page.push_back(t);
  }
  if (!page.empty()) {
    sql += tail;
    send(std::move(page), sql);
  }
  if (!in_flight.empty()) {
    ResultSet last = read_in_flight();
    load(std::exchange(in_flight, {}), last);
  }
}

// Without RETURNING (MySQL, or `returning=off`): INSERT, the generated key from
// LAST_INSERT_ID(), then a SELECT by primary key for what the server filled in.
void SessionState::insert_one_without_returning(Connection& conn, Tracked& t) {
  const Table& table = t.record.model().table();
  Dialect dialect = conn.dialect();
  std::vector<std::size_t> columns = given_columns(t.record);
  std::vector<Value> params;
  for (std::size_t i : columns) params.push_back(RecordAccess::value(t.record, i));
  std::string sql = insert_head(dialect, table, columns);
  if (!columns.empty()) {
    sql += placeholders(columns.size());
  } else if (dialect == Dialect::mysql) {
    sql += "()";
  }
  ResultSet result;
  try {
    result = run_statement(conn, sql, params);
  } catch (const SqlError& e) {
    throw e.with_context("while inserting into " + table.name + ": " + t.record.to_json());
  }
  ColumnFlags mask = RecordAccess::set_mask(t.record);
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i].auto_increment && !given(t.record, i)) {
      RecordAccess::load(
          t.record, i,
          from_database_text(table.columns[i], std::to_string(result.last_insert_id), dialect));
    }
  }
  if (!table.primary_key.empty() && !identity_of(t.record).empty()) {
    std::string select = "SELECT " + all_names(dialect, table) + " FROM " +
                         quote_identifier(dialect, table.name) + " WHERE ";
    std::vector<Value> key;
    append_key_condition(dialect, t.record, select, key);
    ResultSet row = run_statement(conn, select, key);
    if (row.rows() == 1) load_row(t.record, families_of(table, dialect), row, 0);
  }
  finish_insert(t, std::move(mask));
}

void SessionState::write_updates(Connection& conn) {
  std::vector<Record*> todo = std::exchange(changed, {});
  for (std::size_t k = 0; k < todo.size(); ++k) {
    Tracked& t = *static_cast<Tracked*>(RecordAccess::owner_entry(*todo[k]));
    if (t.state != RecordState::persistent) continue;
    try {
      if (!t.links.empty()) resolve_links(t);
      if (t.record.is_modified()) {
        begin_transaction();  // a no-op but for work flush() judged a single INSERT
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
  Dialect dialect = conn.dialect();
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
  std::string sql = "UPDATE " + quote_identifier(dialect, table.name) + " SET ";
  std::vector<Value> params;
  for (std::size_t i : columns) {
    sql += (params.empty() ? "" : ", ") + quote_identifier(dialect, table.columns[i].name) + " = ?";
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
    sql += (k == 0 ? "" : " AND ") + quote_identifier(dialect, table.primary_key[k]) + " = ?";
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
  journal.push_back({JournalEntry::Kind::updated,
                     &t,
                     {},
                     RecordAccess::take_originals(t.record),
                     t.identity,
                     {}});
  journal.back().server_changed = read_back_on_update(conn, t, columns);
  std::string now = identity_of(t.record);
  if (now != t.identity) {
    leave_identity(t);
    enter_identity(t);
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
  Dialect dialect = conn.dialect();
  std::string sql = "SELECT ";
  for (std::size_t k = 0; k < wanted.size(); ++k) {
    sql += (k == 0 ? "" : ", ") + quote_identifier(dialect, table.columns[wanted[k]].name);
  }
  sql += " FROM " + quote_identifier(dialect, table.name) + " WHERE ";
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
    values.push_back(from_database_text(table.columns[wanted[k]], text, dialect));
  }
  for (std::size_t k = 0; k < wanted.size(); ++k) {
    before.emplace_back(wanted[k], RecordAccess::value(t.record, wanted[k]));
    RecordAccess::load(t.record, wanted[k], std::move(values[k]));
  }
  return before;
}

void SessionState::write_deletes(Connection& conn) {
  if (deletes.empty()) return;
  begin_transaction();  // a no-op but for work flush() judged a single INSERT
  Dialect dialect = conn.dialect();
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
        std::string sql = "DELETE FROM " + quote_identifier(dialect, table.name) + " WHERE ";
        std::vector<Value> key;
        append_key_condition(dialect, t->record, sql, key);
        try {
          run_statement(conn, sql, key);
        } catch (const SqlError& e) {
          throw e.with_context("while deleting " + describe_key(t->record));
        }
        journal.push_back({JournalEntry::Kind::deleted, t, {}, {}, t->identity, {}});
        leave_identity(*t);
        t->state = RecordState::detached;
      }
      rows = std::move(later);
    }
  }
  deletes.clear();
}

}  // namespace tabula::detail

#include "dialect/sqlite/sqlite_statement.hpp"

#include <sqlite3.h>

#include "connection_access.hpp"

#include <charconv>
#include <cstdio>
#include <limits>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

namespace tabula::dialect::sqlite {
namespace {

[[noreturn]] void throw_error(sqlite3* db, int code) {
  int extended = sqlite3_extended_errcode(db);
  if (extended == 0) extended = code;
  // SQLITE_CONSTRAINT (19) is an integrity violation; other failures have no finer SQLSTATE.
  std::string sqlstate = (extended & 0xFF) == SQLITE_CONSTRAINT ? "23000" : "HY000";
  std::string message = sqlite3_errmsg(db);
  message += " (SQLite error " + std::to_string(extended) + ")";
  int primary = extended & 0xFF;
  throw SqlError(message, extended, sqlstate, false,
                 primary == SQLITE_BUSY || primary == SQLITE_LOCKED);
}

// `value` outlives the statement's run (run_statement's caller holds it, and the bindings are
// cleared before it returns), so its text and bytes are bound in place (SQLITE_STATIC), not
// copied; only text made here (dates, integers beyond SQLite's) is copied.
void bind(sqlite3* db, sqlite3_stmt* stmt, int index, const Value& value) {
  int rc = SQLITE_OK;
  auto bind_text = [&](const std::string& text) {
    return sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()),
                             SQLITE_TRANSIENT);
  };
  auto bind_in_place = [&](const std::string& text) {
    return sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()),
                             SQLITE_STATIC);
  };
  switch (value.kind()) {
    case Value::Kind::null:
      rc = sqlite3_bind_null(stmt, index);
      break;
    case Value::Kind::int64:
      rc = sqlite3_bind_int64(stmt, index, value.get<std::int64_t>());
      break;
    case Value::Kind::uint64: {
      std::uint64_t u = value.get<std::uint64_t>();
      rc = u <= std::uint64_t(std::numeric_limits<sqlite3_int64>::max())
               ? sqlite3_bind_int64(stmt, index, static_cast<sqlite3_int64>(u))
               : bind_text(std::to_string(u));  // beyond SQLite's integers: kept exact as text
      break;
    }
    case Value::Kind::real:
      rc = sqlite3_bind_double(stmt, index, value.get<double>());
      break;
    case Value::Kind::decimal:
      rc = bind_in_place(value.get_if<Decimal>()->str());
      break;
    case Value::Kind::text:
      rc = bind_in_place(*value.get_if<std::string>());
      break;
    case Value::Kind::bytes: {
      const Bytes& bytes = *value.get_if<Bytes>();
      // A null pointer would bind NULL; empty bytes are an empty blob.
      rc = bytes.empty() ? sqlite3_bind_zeroblob(stmt, index, 0)
                         : sqlite3_bind_blob(stmt, index, bytes.data(),
                                             static_cast<int>(bytes.size()), SQLITE_STATIC);
      break;
    }
    case Value::Kind::date:
    case Value::Kind::datetime:
    case Value::Kind::time:
      rc = bind_text(value.to_string());
      break;
  }
  if (rc != SQLITE_OK) throw_error(db, rc);
}

// A connection's prepared statements, least recently used finalized first. SQLite prepares them
// again on its own when the schema changes under them.
class StatementCache final : public detail::ConnectionState {
 public:
  static constexpr std::size_t kCapacity = 64;

  ~StatementCache() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  }

  // The statement for `sql`, prepared on a miss. Throws SqlError.
  sqlite3_stmt* get(sqlite3* db, std::string_view sql) {
    if (auto found = by_sql_.find(sql); found != by_sql_.end()) {
      statements_.splice(statements_.begin(), statements_, found->second);
      return statements_.front().second;
    }
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      throw_error(db, rc);
    }
    ++prepared_;
    if (statements_.size() >= kCapacity) {
      by_sql_.erase(statements_.back().first);
      sqlite3_finalize(statements_.back().second);
      statements_.pop_back();
    }
    statements_.emplace_front(std::string(sql), stmt);
    by_sql_.emplace(statements_.front().first, statements_.begin());
    return stmt;
  }

  std::size_t size() const noexcept { return statements_.size(); }
  std::uint64_t prepared() const noexcept { return prepared_; }

 private:
  std::list<std::pair<std::string, sqlite3_stmt*>> statements_;  // most recently used first
  std::unordered_map<std::string_view, std::list<std::pair<std::string, sqlite3_stmt*>>::iterator>
      by_sql_;
  std::uint64_t prepared_ = 0;
};

StatementCache& cache_of(Connection& connection) {
  std::unique_ptr<detail::ConnectionState>& state =
      detail::ConnectionAccess::dialect_state(connection);
  if (!state) state = std::make_unique<StatementCache>();
  return static_cast<StatementCache&>(*state);
}

// Back to its initial state, bindings cleared, whatever happened: ready for the next run.
struct ResetAfterUse {
  sqlite3_stmt* stmt;
  ~ResetAfterUse() {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
};

}  // namespace

std::size_t cached_statements(Connection& connection) {
  return cache_of(connection).size();
}

std::uint64_t statements_prepared(Connection& connection) {
  return cache_of(connection).prepared();
}

detail::ResultSet run_statement(Connection& connection, std::string_view sql,
                                std::span<const Value> params) {
  auto* db = static_cast<sqlite3*>(detail::ConnectionAccess::native_handle(connection));
  sqlite3_stmt* raw = cache_of(connection).get(db, sql);
  ResetAfterUse reset{raw};
  int rc = SQLITE_OK;
  if (static_cast<std::size_t>(sqlite3_bind_parameter_count(raw)) != params.size()) {
    throw Error("statement has " + std::to_string(sqlite3_bind_parameter_count(raw)) +
                " placeholders but " + std::to_string(params.size()) +
                " values were given: " + std::string(sql));
  }
  for (std::size_t i = 0; i < params.size(); ++i) bind(db, raw, static_cast<int>(i + 1), params[i]);

  detail::ResultSet result;
  result.columns = static_cast<std::size_t>(sqlite3_column_count(raw));
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    for (int i = 0; i < static_cast<int>(result.columns); ++i) {
      int type = sqlite3_column_type(raw, i);
      result.kinds.push_back(type == SQLITE_INTEGER ? detail::CellKind::integer
                             : type == SQLITE_FLOAT ? detail::CellKind::real
                             : type == SQLITE_BLOB  ? detail::CellKind::blob
                             : type == SQLITE_TEXT  ? detail::CellKind::text
                                                    : detail::CellKind::unknown);
      switch (type) {
        case SQLITE_NULL:
          result.cells.emplace_back();
          break;
        case SQLITE_FLOAT: {
          char text[32];
          std::snprintf(text, sizeof text, "%.17g", sqlite3_column_double(raw, i));
          result.cells.emplace_back(result.copies.emplace_back(text));
          break;
        }
        case SQLITE_BLOB: {
          const void* data = sqlite3_column_blob(raw, i);
          int n = sqlite3_column_bytes(raw, i);
          result.cells.emplace_back(result.copies.emplace_back(static_cast<const char*>(data),
                                                               static_cast<std::size_t>(n)));
          break;
        }
        case SQLITE_INTEGER: {  // written here: SQLite's own text of it costs an allocation
          char text[24];
          auto end = std::to_chars(text, text + sizeof text, sqlite3_column_int64(raw, i)).ptr;
          result.cells.emplace_back(
              result.copies.emplace_back(text, static_cast<std::size_t>(end - text)));
          break;
        }
        default: {  // TEXT
          const unsigned char* text = sqlite3_column_text(raw, i);
          int n = sqlite3_column_bytes(raw, i);
          result.cells.emplace_back(result.copies.emplace_back(reinterpret_cast<const char*>(text),
                                                               static_cast<std::size_t>(n)));
        }
      }
    }
  }
  if (rc != SQLITE_DONE) throw_error(db, rc);
  result.affected_rows = static_cast<std::uint64_t>(sqlite3_changes(db));
  result.matched_rows = result.affected_rows;
  result.last_insert_id = static_cast<std::uint64_t>(sqlite3_last_insert_rowid(db));
  return result;
}

}  // namespace tabula::dialect::sqlite

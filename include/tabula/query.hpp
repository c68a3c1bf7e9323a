#pragma once

// A query on one table through a Session (Session::query). Results join the session's identity
// map: a row already in the session comes back as the same Record object, unchanged.
//
//   std::vector<tabula::Record*> big = session.query("orders")
//                                          .where("qty > ? AND customer <> ?", 3, "ada")
//                                          .order_by("id desc")
//                                          .limit(10)
//                                          .all();
//
// where() takes a SQL condition written by the programmer, with `?` for every value; values are
// always sent bound (never pasted into the SQL), so user input belongs in the values, never in
// the condition text. filter() and order_by() take column names, checked against the reflected
// table and quoted. Staged work is flushed before a query runs, so it sees the session's changes.
// A Query belongs to the session that made it and must not outlive it.

#include <tabula/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tabula {

class Model;
class Record;
namespace detail {
struct SessionState;
}

class Query {
 public:
  // Adds a condition (ANDed with the others); `values` fill its `?` placeholders in order.
  // Throws Error when the counts differ.
  template <class... Values>
  Query& where(std::string_view condition, Values&&... values) {
    return where_values(condition, {Value(std::forward<Values>(values))...});
  }
  Query& where_values(std::string_view condition, std::vector<Value> values);

  // column = value (IS NULL for NULL); the column is checked (ValidationError naming the
  // closest names) and the value admitted as for Record::set.
  Query& filter(std::string_view column, Value value);

  // "column", "column asc" or "column desc"; checked against the table. Calls add up.
  Query& order_by(std::string_view column);
  Query& limit(std::uint64_t rows);
  Query& offset(std::uint64_t rows);

  // The matching records, as the session's objects. Flushes the session's staged work first, and
  // throws what that flush throws (ValidationError, SqlError; see Session::flush). Then throws
  // SqlError when the SELECT fails (a bad where() condition; a lost connection, which marks it
  // broken: roll the session back or let it go), PoolTimeout or ConnectError when the session
  // has no connection yet and none can be had. Records already in the session are unchanged.
  std::vector<Record*> all();
  // The first matching record (LIMIT 1), or nullptr. Throws as all() does.
  Record* first();
  // SELECT COUNT(*) with the conditions (limit and offset apply). Throws as all() does.
  std::uint64_t count();

  // The SELECT this query sends, with `?` for values.
  std::string sql() const;

 private:
  friend class Session;
  Query(detail::SessionState& state, const Model& model) : state_(&state), model_(&model) {}
  std::string from_where() const;

  detail::SessionState* state_;
  const Model* model_;
  std::vector<std::string> conditions_;
  std::vector<Value> values_;
  std::vector<std::string> order_;
  std::optional<std::uint64_t> limit_;
  std::optional<std::uint64_t> offset_;
};

}  // namespace tabula

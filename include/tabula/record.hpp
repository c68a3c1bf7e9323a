#pragma once

// A Record is one row of one table: a Value per column, checked against the column's type as it
// is set, so a bad value is refused before any SQL is sent.
//
//   tabula::Record film = models.at("film").make({{"title", "ALIEN CENTER"}, {"language_id", 1}});
//   film.set("rental_rate", tabula::Decimal("2.99"));
//   film.set("rating", "XXX");   // ValidationError: 'XXX' is not a member of film.rating
//
// Records are values (copyable); they refer to their Model, which must outlive them (Models keeps
// every Model alive for its own lifetime). Not thread-safe: one thread at a time per record.

#include <tabula/detail/column_flags.hpp>
#include <tabula/value.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tabula {

class Model;
namespace detail {
struct RecordAccess;
struct Tracked;
}  // namespace detail

class Record {
 public:
  // Copies are plain values: a copy of a session's record belongs to no session.
  Record(const Record& other);
  Record& operator=(const Record& other);
  // A moved record, like a copy, belongs to no session. Inline: a record moves several times on
  // its way from make() into a session.
  Record(Record&& other) noexcept
      : model_(other.model_), values_(std::move(other.values_)), set_(std::move(other.set_)) {}
  Record& operator=(Record&& other) noexcept;
  ~Record() = default;

  // The value of `column` (NULL when never set). Throws ValidationError for an unknown column,
  // suggesting the closest name.
  const Value& get(std::string_view column) const;
  // The value as T (Value::get<T>); a mismatch throws ValueError naming table and column.
  template <class T>
  T get(std::string_view column) const;
  bool is_null(std::string_view column) const { return get(column).is_null(); }
  // True when the column was given a value (by make, set or a load), NULL included.
  bool is_set(std::string_view column) const;

  // Checks `value` against the column and stores it; throws ValidationError (naming table,
  // column and value) and leaves the record unchanged when the column cannot take it. On a
  // record a Session loaded or inserted, the change is remembered: the next flush sends an
  // UPDATE of the changed columns only (setting a column back to what it was undoes that).
  void set(std::string_view column, Value value);

  // The same by position in the table's columns (0 .. columns - 1, Model::table() order), for
  // code that walks every column (typed models): no lookup by name. Throws Error for an index
  // past the last column.
  const Value& value_at(std::size_t index) const;
  bool is_set_at(std::size_t index) const;
  void set_at(std::size_t index, Value value);

  // True when a record from the database has changes not yet flushed.
  bool is_modified() const noexcept { return !originals_.empty(); }
  // The names of the changed columns, in table order.
  std::vector<std::string> modified_columns() const;

  // Throws ValidationError when a column that must be given for an INSERT is not: NOT NULL, no
  // default, not auto-increment, not generated. Columns in `filled_later` count as given (a
  // Session fills foreign keys from linked parents).
  void check_insertable(const std::vector<std::string>& filled_later = {}) const;

  // The record as a JSON object of the columns that are set (docs/automap.md: exact decimals
  // and integers beyond 2^53 as strings, dates as ISO text, bytes as base64).
  std::string to_json() const;

  const Model& model() const noexcept { return *model_; }

 private:
  friend class Model;
  friend struct detail::RecordAccess;
  explicit Record(const Model& model);
  // Stores a value read from the database, unchecked.
  void load(std::size_t index, Value value) {
    values_[index] = std::move(value);
    set_.set(index);
  }
  // For a Session: from now on set() remembers the value each changed column had.
  void track_changes() noexcept { tracking_ = true; }
  void stop_tracking() noexcept {
    tracking_ = false;
    originals_.clear();
  }
  void note_change() {
    if (change_log_ != nullptr) change_log_->push_back(this);
  }
  std::size_t index_of(std::string_view column) const;
  std::size_t checked_index(std::size_t index) const;
  [[noreturn]] void rethrow_for(std::string_view column, const ValueError& error) const;

  const Model* model_;
  std::vector<Value> values_;
  detail::ColumnFlags set_;
  bool tracking_ = false;
  // The database's value of each changed column (column index, value), in the order of change.
  std::vector<std::pair<std::size_t, Value>> originals_;
  // Set by the Session that owns the record: its bookkeeping entry (defined in the session's
  // internals), and the list where set() reports the record's first change since a flush, so a
  // flush visits changed records only.
  detail::Tracked* owner_ = nullptr;
  std::vector<Record*>* change_log_ = nullptr;
};

template <class T>
T Record::get(std::string_view column) const {
  const Value& value = get(column);
  try {
    return value.template get<T>();
  } catch (const ValueError& e) {
    rethrow_for(column, e);
  }
}

}  // namespace tabula

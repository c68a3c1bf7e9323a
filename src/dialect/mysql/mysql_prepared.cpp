#include "dialect/mysql/mysql_prepared.hpp"

#include <tabula/error.hpp>

#include "connection_access.hpp"
#include "dialect/mysql/mysql_dialect.hpp"
#include "dialect/mysql/mysql_nonblocking.hpp"
#include "dialect/mysql/mysql_statement.hpp"

#include <mysql.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

namespace tabula::dialect::mysql {
namespace {

constexpr unsigned kNeedReprepare = 1615;  // ER_NEED_REPREPARE

MYSQL_STMT* handle(void* stmt) {
  return static_cast<MYSQL_STMT*>(stmt);
}

[[noreturn]] void throw_stmt_error(MYSQL_STMT* stmt) {
  throw_error(mysql_stmt_errno(stmt), mysql_stmt_sqlstate(stmt), mysql_stmt_error(stmt));
}

// What a finished run reports besides its rows: the rows it changed (matched, for an INSERT) and
// the last generated key.
void read_counts(MYSQL_STMT* stmt, detail::ResultSet& result) {
  result.affected_rows = mysql_stmt_affected_rows(stmt);
  result.matched_rows = result.affected_rows;
  result.last_insert_id = mysql_stmt_insert_id(stmt);
}

MYSQL_TIME date_time(const Date& d) {
  MYSQL_TIME t{};
  t.year = static_cast<unsigned>(static_cast<int>(d.year()));
  t.month = static_cast<unsigned>(d.month());
  t.day = static_cast<unsigned>(d.day());
  t.time_type = MYSQL_TIMESTAMP_DATE;
  return t;
}

// Hours, minutes, seconds and microseconds of a non-negative duration.
void split(std::chrono::microseconds us, MYSQL_TIME& t) {
  std::int64_t n = us.count();
  t.second_part = static_cast<unsigned long>(n % 1'000'000);
  n /= 1'000'000;
  t.second = static_cast<unsigned>(n % 60);
  n /= 60;
  t.minute = static_cast<unsigned>(n % 60);
  t.hour = static_cast<unsigned>(n / 60);
}

MYSQL_TIME date_time(const DateTime& dt) {
  MYSQL_TIME t = date_time(dt.date);
  split(dt.time_of_day, t);
  t.time_type = MYSQL_TIMESTAMP_DATETIME;
  return t;
}

MYSQL_TIME date_time(const Time& time) {
  MYSQL_TIME t{};
  t.neg = time.value.count() < 0;
  split(t.neg ? -time.value : time.value, t);
  t.time_type = MYSQL_TIMESTAMP_TIME;
  return t;
}

// BIT columns arrive as big-endian bytes; tabula reads them as numbers.
void append_bit_text(const char* data, unsigned long length, std::string& out) {
  std::uint64_t n = 0;
  for (unsigned long i = 0; i < length; ++i) n = (n << 8) | static_cast<unsigned char>(data[i]);
  out += std::to_string(n);
}

// Where bytes are bound from: never null, since Connector/C sends a null buffer as NULL and an
// empty vector's data() may be null; empty bytes are an empty value, not NULL.
const void* bytes_data(const Bytes& bytes) noexcept {
  static const std::byte none{};
  return bytes.empty() ? &none : static_cast<const void*>(bytes.data());
}

// The protocol type a value of `kind` is sent as.
enum_field_types wire_type(Value::Kind kind) noexcept {
  switch (kind) {
    case Value::Kind::null:
      return MYSQL_TYPE_NULL;
    case Value::Kind::int64:
    case Value::Kind::uint64:
      return MYSQL_TYPE_LONGLONG;
    case Value::Kind::real:
      return MYSQL_TYPE_DOUBLE;
    case Value::Kind::decimal:
      return MYSQL_TYPE_NEWDECIMAL;
    case Value::Kind::text:
      return MYSQL_TYPE_STRING;
    case Value::Kind::bytes:
      return MYSQL_TYPE_BLOB;
    case Value::Kind::date:
      return MYSQL_TYPE_DATE;
    case Value::Kind::datetime:
      return MYSQL_TYPE_DATETIME;
    case Value::Kind::time:
      return MYSQL_TYPE_TIME;
  }
  return MYSQL_TYPE_NULL;
}

}  // namespace

// A run's values where the client library reads them, each in a place of its own that stays put
// from one run to the next: numbers and times copied into cells, text, decimals and bytes into
// strings (up to kCopied bytes; longer ones are read where the Value holds them). The library is
// given the places (mysql_stmt_bind_param) only when one of them, or a value's kind, changed, or
// after a failed run. A statement keeps its binding while it is cached: about 200 bytes a
// placeholder, besides the library's own 112.
class RunBinding {
 public:
  // Values longer than this are not copied: the library reads them from the Value (and the
  // places of a statement's short texts stay small).
  static constexpr std::size_t kCopied = 64;

  // Puts `params`' values in their places. Throws ValueError for a double MySQL cannot store.
  void bind(std::span<const Value* const> params) {
    if (binds_.size() != params.size()) {
      binds_.assign(params.size(), MYSQL_BIND{});
      cells_.assign(params.size(), Cell{});
      texts_.assign(params.size(), std::string());
      lengths_.assign(params.size(), 0);
      nulls_.assign(params.size(), 0);
      for (std::size_t i = 0; i < params.size(); ++i) {
        binds_[i].length = &lengths_[i];
        binds_[i].is_null = &nulls_[i];
      }
      changed_ = true;
    }
    for (std::size_t i = 0; i < params.size(); ++i) place(i, *params[i]);
  }

  // Gives the places to `stmt` when they changed since it was last given them.
  void give_to(MYSQL_STMT* stmt) {
    if (!changed_) return;
    if (!binds_.empty() && mysql_stmt_bind_param(stmt, binds_.data()) != 0) throw_stmt_error(stmt);
    changed_ = false;
  }
  // Give the places again next time: the statement was given other places (an array run), or a
  // run failed, and the library may have stopped sending the kinds of the values (it stops once
  // it has built a request that carries them, whether or not the request reached the server).
  void forget_given() noexcept { changed_ = true; }

 private:
  union Cell {
    std::int64_t integer;
    std::uint64_t natural;
    double real;
    MYSQL_TIME time;
  };

  void place(std::size_t i, const Value& v) {
    MYSQL_BIND& b = binds_[i];
    Cell& cell = cells_[i];
    enum_field_types type = wire_type(v.kind());
    void* buffer = nullptr;
    switch (v.kind()) {
      case Value::Kind::null:
        // Sent as NULL through the indicator, in the place and kind the column had before.
        nulls_[i] = 1;
        if (b.buffer_type != MYSQL_TYPE_NULL && b.buffer != nullptr) return;
        break;
      case Value::Kind::int64:
        cell.integer = *v.get_if<std::int64_t>();
        buffer = &cell.integer;
        break;
      case Value::Kind::uint64:
        cell.natural = *v.get_if<std::uint64_t>();
        buffer = &cell.natural;
        break;
      case Value::Kind::real:
        if (!std::isfinite(*v.get_if<double>())) {
          throw ValueError("MySQL cannot store " + v.to_string());
        }
        cell.real = *v.get_if<double>();
        buffer = &cell.real;
        break;
      case Value::Kind::decimal:
        buffer = text(i, v.get_if<Decimal>()->str());
        break;
      case Value::Kind::text:
        buffer = text(i, *v.get_if<std::string>());
        break;
      case Value::Kind::bytes: {
        const Bytes& bytes = *v.get_if<Bytes>();
        buffer =
            text(i, std::string_view(static_cast<const char*>(bytes_data(bytes)), bytes.size()));
        break;
      }
      case Value::Kind::date:
        cell.time = date_time(*v.get_if<Date>());
        buffer = &cell.time;
        break;
      case Value::Kind::datetime:
        cell.time = date_time(*v.get_if<DateTime>());
        buffer = &cell.time;
        break;
      case Value::Kind::time:
        cell.time = date_time(*v.get_if<Time>());
        buffer = &cell.time;
        break;
    }
    nulls_[i] = v.is_null() ? 1 : 0;
    bool is_unsigned = v.kind() == Value::Kind::uint64;
    if (b.buffer_type != type || b.buffer != buffer || b.is_unsigned != is_unsigned) {
      b.buffer_type = type;
      b.buffer = buffer;
      b.is_unsigned = is_unsigned;
      changed_ = true;
    }
  }

  // Text of param `i`: copied into its string when short enough (the string only grows, so its
  // place moves only then; the length says how much of it is the value), else read where it is.
  // Where the library reads it.
  void* text(std::size_t i, std::string_view value) {
    lengths_[i] = value.size();
    if (value.size() > kCopied) return const_cast<char*>(value.data());
    std::string& place = texts_[i];
    if (place.size() < value.size()) place.resize(value.size());
    if (!value.empty()) std::memcpy(place.data(), value.data(), value.size());
    // Never null: the library sends a null buffer as NULL, and empty text is not NULL.
    return place.data();
  }

  std::vector<MYSQL_BIND> binds_;
  std::vector<Cell> cells_;
  std::vector<std::string> texts_;
  std::vector<unsigned long> lengths_;
  std::vector<my_bool> nulls_;
  bool changed_ = true;  // the places changed since the statement was last given them
};

struct PreparedStatement::Buffers {
  RunBinding run;  // what bind() bound
  // For array runs:
  std::vector<MYSQL_BIND> binds;
  std::vector<MYSQL_TIME> times;
  // Array binding, column after column (rows values each): numbers in place, everything else by
  // pointer, with lengths and null indicators.
  std::vector<std::int64_t> integers;
  std::vector<double> reals;
  std::vector<const void*> pointers;
  std::vector<unsigned long> lengths;
  std::vector<char> indicators;
  bool arrays = false;  // STMT_ATTR_ARRAY_SIZE was set by the last run
};

PreparedStatement::PreparedStatement(void* native, std::string sql)
    : native_(native),
      stmt_(mysql_stmt_init(static_cast<MYSQL*>(native))),
      sql_(std::move(sql)),
      buffers_(std::make_unique<Buffers>()) {
  if (stmt_ == nullptr) throw SqlError("out of memory preparing a statement", 2008, "HY000");
  if (mysql_stmt_prepare(handle(stmt_), sql_.data(), sql_.size()) != 0) {
    try {
      throw_stmt_error(handle(stmt_));
    } catch (...) {
      mysql_stmt_close(handle(stmt_));
      throw;
    }
  }
  parameters_ = mysql_stmt_param_count(handle(stmt_));
}

PreparedStatement::~PreparedStatement() {
  mysql_stmt_close(handle(stmt_));  // COM_STMT_CLOSE: no reply to wait for
}

detail::ResultSet PreparedStatement::execute(std::span<const Value* const> params) {
  bind(params);
  start();
  return finish();
}

std::uint64_t PreparedStatement::bind(std::span<const Value* const> params) {
  static std::atomic<std::uint64_t> stamps{0};
  if (params.size() != parameters_) {
    throw Error("statement has " + std::to_string(parameters_) + " placeholders but " +
                std::to_string(params.size()) + " values were given: " + sql_);
  }
  bound_ = 0;  // a bind that throws leaves nothing bound
  buffers_->run.bind(params);
  bound_ = ++stamps;
  return bound_;
}

void PreparedStatement::start() {
  MYSQL_STMT* stmt = handle(stmt_);
  if (bound_ == 0) {
    throw Error("statement run without values bound: " + sql_);
  }
  if (buffers_->arrays) {
    unsigned int none = 0;  // a run of one row again
    mysql_stmt_attr_set(stmt, STMT_ATTR_ARRAY_SIZE, &none);
    buffers_->arrays = false;
  }
  buffers_->run.give_to(stmt);
  started_result_ = 0;
  started_status_ = mysql_stmt_execute_start(&started_result_, stmt);
}

detail::ResultSet PreparedStatement::finish() {
  MYSQL_STMT* stmt = handle(stmt_);
  int status = std::exchange(started_status_, 0);
  if (status != 0) {
    bool done = finish_nonblocking(
        static_cast<MYSQL*>(native_), status, std::chrono::steady_clock::time_point::max(),
        [&](int events) { return mysql_stmt_execute_cont(&started_result_, stmt, events); });
    if (!done) {
      buffers_->run.forget_given();
      throw SqlError("lost the connection while waiting for the server to run a statement", 2013,
                     "HY000", true);
    }
  }
  if (started_result_ != 0) {
    buffers_->run.forget_given();
    throw_stmt_error(stmt);
  }
  if (mysql_stmt_field_count(stmt) != 0) return read_rows();
  detail::ResultSet result;
  read_counts(stmt, result);
  return result;
}

bool PreparedStatement::server_takes_arrays(void* native) noexcept {
  MYSQL* mysql = static_cast<MYSQL*>(native);
  unsigned long extended = 0;
  if (mariadb_get_infov(mysql, MARIADB_CONNECTION_EXTENDED_SERVER_CAPABILITIES, &extended) != 0) {
    return false;
  }
  unsigned long basic = 0;
  mariadb_get_infov(mysql, MARIADB_CONNECTION_SERVER_CAPABILITIES, &basic);
  // A MariaDB server (CLIENT_MYSQL clear) that announces bulk operations.
  return (basic & CLIENT_MYSQL) == 0 &&
         (extended & (MARIADB_CLIENT_STMT_BULK_OPERATIONS >> 32)) != 0;
}

bool PreparedStatement::fits_arrays(std::span<const Value* const> params,
                                    std::size_t rows) noexcept {
  if (rows == 0 || params.size() % rows != 0) return false;
  const std::size_t columns = params.size() / rows;
  for (std::size_t c = 0; c < columns; ++c) {
    Value::Kind kind = Value::Kind::null;
    for (std::size_t r = 0; r < rows; ++r) {
      Value::Kind k = params[r * columns + c]->kind();
      if (k == Value::Kind::null) continue;
      if (kind == Value::Kind::null) kind = k;
      if (k != kind) return false;
    }
  }
  return true;
}

std::optional<detail::ResultSet> PreparedStatement::execute_array(
    std::span<const Value* const> params, std::size_t rows) {
  MYSQL_STMT* stmt = handle(stmt_);
  const std::size_t columns = parameters_;
  if (rows == 0 || columns == 0 || params.size() != rows * columns) {
    throw Error("statement has " + std::to_string(parameters_) + " placeholders but " +
                std::to_string(params.size()) + " values were given for " + std::to_string(rows) +
                " rows: " + sql_);
  }
  if (!fits_arrays(params, rows)) return std::nullopt;
  Buffers& b = *buffers_;
  b.binds.assign(columns, MYSQL_BIND{});
  b.integers.resize(rows * columns);
  b.reals.resize(rows * columns);
  b.pointers.assign(rows * columns, nullptr);
  b.lengths.assign(rows * columns, 0);
  b.indicators.assign(rows * columns, STMT_INDICATOR_NONE);
  b.times.resize(rows * columns);
  for (std::size_t c = 0; c < columns; ++c) {
    const std::size_t base = c * rows;
    MYSQL_BIND& bind = b.binds[c];
    bind.u.indicator = &b.indicators[base];
    bind.length = &b.lengths[base];
    // The column's kind: its non-null values' (fits_arrays), text for a column of NULLs only.
    Value::Kind kind = Value::Kind::text;
    for (std::size_t r = 0; r < rows; ++r) {
      const Value& v = *params[r * columns + c];
      const std::size_t i = base + r;
      if (!v.is_null()) kind = v.kind();
      switch (v.kind()) {
        case Value::Kind::null:
          b.indicators[i] = STMT_INDICATOR_NULL;
          break;
        case Value::Kind::int64:
          b.integers[i] = *v.get_if<std::int64_t>();
          break;
        case Value::Kind::uint64:
          b.integers[i] = static_cast<std::int64_t>(*v.get_if<std::uint64_t>());
          break;
        case Value::Kind::real:
          if (!std::isfinite(*v.get_if<double>())) {
            throw ValueError("MySQL cannot store " + v.to_string());
          }
          b.reals[i] = *v.get_if<double>();
          break;
        case Value::Kind::decimal: {
          const std::string& text = v.get_if<Decimal>()->str();
          b.pointers[i] = text.data();
          b.lengths[i] = text.size();
          break;
        }
        case Value::Kind::text: {
          const std::string& text = *v.get_if<std::string>();
          b.pointers[i] = text.data();
          b.lengths[i] = text.size();
          break;
        }
        case Value::Kind::bytes: {
          const Bytes& bytes = *v.get_if<Bytes>();
          b.pointers[i] = bytes_data(bytes);
          b.lengths[i] = bytes.size();
          break;
        }
        case Value::Kind::date:
          b.times[i] = date_time(*v.get_if<Date>());
          b.pointers[i] = &b.times[i];
          break;
        case Value::Kind::datetime:
          b.times[i] = date_time(*v.get_if<DateTime>());
          b.pointers[i] = &b.times[i];
          break;
        case Value::Kind::time:
          b.times[i] = date_time(*v.get_if<Time>());
          b.pointers[i] = &b.times[i];
          break;
      }
    }
    // Fixed-size types are read from one array; the others through an array of pointers.
    bind.buffer_type = wire_type(kind);
    bind.is_unsigned = kind == Value::Kind::uint64;
    bind.buffer = kind == Value::Kind::int64 || kind == Value::Kind::uint64
                      ? static_cast<void*>(&b.integers[base])
                  : kind == Value::Kind::real ? static_cast<void*>(&b.reals[base])
                                              : static_cast<void*>(&b.pointers[base]);
  }
  bound_ = 0;
  b.run.forget_given();  // the array binds take the statement's places
  unsigned int size = static_cast<unsigned int>(rows);
  if (mysql_stmt_attr_set(stmt, STMT_ATTR_ARRAY_SIZE, &size) != 0) throw_stmt_error(stmt);
  b.arrays = true;
  if (mysql_stmt_bind_param(stmt, b.binds.data()) != 0) throw_stmt_error(stmt);
  if (mysql_stmt_execute(stmt) != 0) throw_stmt_error(stmt);
  detail::ResultSet result;
  result.affected_rows = mysql_stmt_affected_rows(stmt);
  result.matched_rows = result.affected_rows;
  return result;
}

namespace {

// read_rows() where every column is an integer (the keys a page reads back): each cell takes
// at most 20 characters, so room for all of them is made at once and the cells point into it as
// they are written.
void read_integer_rows(MYSQL_STMT* stmt, const std::string& sql,
                       const std::vector<MYSQL_BIND>& binds,
                       const std::vector<std::uint64_t>& integers,
                       const std::vector<my_bool>& nulls, detail::ResultSet& result) {
  constexpr std::size_t kWidest = 20;  // -9223372036854775808, 18446744073709551615
  const std::size_t columns = binds.size();
  const std::size_t cells = columns * mysql_stmt_num_rows(stmt);
  auto text = std::make_shared<std::string>(cells * kWidest, '\0');
  char* out = text->data();
  result.cells.reserve(cells);
  result.integers.reserve(cells);
  for (const MYSQL_BIND& b : binds) result.unsigned_columns.push_back(b.is_unsigned != 0);
  for (;;) {
    int rc = mysql_stmt_fetch(stmt);
    if (rc == MYSQL_NO_DATA) break;
    if (rc == 1) throw_stmt_error(stmt);
    if (result.cells.size() + columns > cells) {
      throw Error("the server sent more rows than it announced: " + sql);
    }
    for (std::size_t i = 0; i < columns; ++i) {
      result.integers.push_back(nulls[i] ? 0 : integers[i]);
      if (nulls[i]) {
        result.cells.emplace_back();
        continue;
      }
      std::to_chars_result end =
          binds[i].is_unsigned
              ? std::to_chars(out, out + kWidest, integers[i])
              : std::to_chars(out, out + kWidest, static_cast<std::int64_t>(integers[i]));
      result.cells.emplace_back(std::string_view(out, static_cast<std::size_t>(end.ptr - out)));
      out = end.ptr;
    }
  }
  result.buffer = std::move(text);
}

}  // namespace

// Every cell as the text protocol would have sent it (the client library converts numbers,
// dates and times to text; BIT's bytes become a number), in one buffer the cells point into.
detail::ResultSet PreparedStatement::read_rows() {
  MYSQL_STMT* stmt = handle(stmt_);
  std::unique_ptr<MYSQL_RES, void (*)(MYSQL_RES*)> meta(mysql_stmt_result_metadata(stmt),
                                                        mysql_free_result);
  if (!meta) throw_stmt_error(stmt);
  struct FreeResult {
    MYSQL_STMT* stmt;
    ~FreeResult() { mysql_stmt_free_result(stmt); }
  } free_result{stmt};
  if (mysql_stmt_store_result(stmt) != 0) throw_stmt_error(stmt);
  const std::size_t columns = mysql_num_fields(meta.get());
  const MYSQL_FIELD* fields = mysql_fetch_fields(meta.get());
  constexpr std::size_t kCell = 64;  // longer values are fetched again, whole
  std::vector<char> cells(columns * kCell);
  std::vector<unsigned long> lengths(columns);
  std::vector<my_bool> nulls(columns);
  std::vector<my_bool> truncated(columns);
  std::vector<MYSQL_BIND> binds(columns);
  // Integers (the keys a page reads back) arrive as numbers and are written as text here:
  // the client library's own conversion to a string goes through snprintf.
  std::vector<std::uint64_t> integers(columns);
  std::vector<bool> integer(columns);
  for (std::size_t i = 0; i < columns; ++i) {
    switch (fields[i].type) {
      case MYSQL_TYPE_TINY:
      case MYSQL_TYPE_SHORT:
      case MYSQL_TYPE_INT24:
      case MYSQL_TYPE_LONG:
      case MYSQL_TYPE_LONGLONG:
        integer[i] = true;
        binds[i].buffer_type = MYSQL_TYPE_LONGLONG;
        binds[i].buffer = &integers[i];
        binds[i].is_unsigned = (fields[i].flags & UNSIGNED_FLAG) != 0;
        break;
      default:
        binds[i].buffer_type = MYSQL_TYPE_STRING;
        binds[i].buffer = cells.data() + i * kCell;
        binds[i].buffer_length = kCell;
        break;
    }
    binds[i].length = &lengths[i];
    binds[i].is_null = &nulls[i];
    binds[i].error = &truncated[i];
  }
  if (mysql_stmt_bind_result(stmt, binds.data()) != 0) throw_stmt_error(stmt);
  detail::ResultSet result;
  result.columns = columns;
  if (std::all_of(integer.begin(), integer.end(), [](bool b) { return b; })) {
    read_integer_rows(stmt, sql_, binds, integers, nulls, result);
    read_counts(stmt, result);
    return result;
  }

  auto text = std::make_shared<std::string>();
  std::vector<std::pair<std::size_t, std::size_t>> spans;  // (offset, length); npos: NULL
  spans.reserve(columns * mysql_stmt_num_rows(stmt));
  std::string whole;
  for (;;) {
    int rc = mysql_stmt_fetch(stmt);
    if (rc == MYSQL_NO_DATA) break;
    if (rc == 1) throw_stmt_error(stmt);
    for (std::size_t i = 0; i < columns; ++i) {
      if (nulls[i]) {
        spans.emplace_back(std::string::npos, 0);
        continue;
      }
      if (integer[i]) {
        char digits[24];
        std::to_chars_result end = binds[i].is_unsigned
                                       ? std::to_chars(digits, digits + sizeof digits, integers[i])
                                       : std::to_chars(digits, digits + sizeof digits,
                                                       static_cast<std::int64_t>(integers[i]));
        spans.emplace_back(text->size(), static_cast<std::size_t>(end.ptr - digits));
        text->append(digits, end.ptr);
        continue;
      }
      const char* data = cells.data() + i * kCell;
      if (lengths[i] > kCell) {
        whole.resize(lengths[i]);
        MYSQL_BIND b{};
        unsigned long length = 0;
        b.buffer_type = MYSQL_TYPE_STRING;
        b.buffer = whole.data();
        b.buffer_length = whole.size();
        b.length = &length;
        if (mysql_stmt_fetch_column(stmt, &b, static_cast<unsigned>(i), 0) != 0) {
          throw_stmt_error(stmt);
        }
        data = whole.data();
      }
      std::size_t at = text->size();
      if (fields[i].type == MYSQL_TYPE_BIT) {
        append_bit_text(data, lengths[i], *text);
      } else {
        text->append(data, lengths[i]);
      }
      spans.emplace_back(at, text->size() - at);
    }
  }
  result.cells.reserve(spans.size());
  for (const auto& [at, length] : spans) {
    if (at == std::string::npos) {
      result.cells.emplace_back();
    } else {
      result.cells.emplace_back(std::string_view(*text).substr(at, length));
    }
  }
  result.buffer = std::move(text);
  read_counts(stmt, result);
  return result;
}

PreparedStatement& StatementCache::get(void* native, const std::string& sql) {
  if (auto found = by_sql_.find(sql); found != by_sql_.end()) {
    statements_.splice(statements_.begin(), statements_, found->second);
    return statements_.front();
  }
  while (!statements_.empty() && statements_.size() >= capacity_) {
    by_sql_.erase(statements_.back().sql());
    statements_.pop_back();
  }
  statements_.emplace_front(native, sql);
  ++prepares_;
  by_sql_.emplace(statements_.front().sql(), statements_.begin());
  return statements_.front();
}

PreparedStatement* StatementCache::find(const std::string& sql) noexcept {
  auto found = by_sql_.find(sql);
  return found == by_sql_.end() ? nullptr : &*found->second;
}

void StatementCache::forget(const std::string& sql) noexcept {
  auto found = by_sql_.find(sql);
  if (found == by_sql_.end()) return;
  std::list<PreparedStatement>::iterator statement = found->second;
  by_sql_.erase(found);
  statements_.erase(statement);
}

StatementCache& statement_cache(Connection& connection, std::size_t capacity) {
  std::unique_ptr<detail::ConnectionState>& state =
      detail::ConnectionAccess::dialect_state(connection);
  if (!state) state = std::make_unique<StatementCache>(capacity);
  return static_cast<StatementCache&>(*state);
}

bool needs_reprepare(const SqlError& error) noexcept {
  return error.code() == static_cast<int>(kNeedReprepare);
}

}  // namespace tabula::dialect::mysql

// session_bench: rows inserted per second through a tabula Session, side by side with the raw
// client doing the same work in the same run against the same table:
//
//   tabula_session      Session::add per row, commit() and clear() every batch (keys and what
//                       the server decided read back)
//   tabula_write_behind the same with SessionOptions::write_behind: each page is sent as it
//                       fills, while the next records are made
//   tabula_typed        Session::add<T> of a typed object per row (a struct as tabula-gen
//                       writes it), commit() and clear() every batch
//   tabula_typed_write_behind  the same with write_behind
//   raw_multirow        libmysqlclient, multi-row INSERT text of 1000 rows
//   raw_multirow_ret    the same with RETURNING id, read and dropped
//   raw_prepared_pages  libmysqlclient, a prepared INSERT of 1000 rows re-executed with bound
//                       values (binary protocol): the fastest hand-written SQL
//   raw_prepared_ret    the same with RETURNING id, read and dropped: what a session asks of
//                       the server on MariaDB (the ceiling for tabula's own overhead)
//   raw_array_binding   libmysqlclient, MariaDB's array binding: one row's prepared INSERT run
//                       with a page of values bound as arrays, keys given (ids 1..N), nothing
//                       read back
//   tabula_session_keys Session::add per row with the key given: nothing to read back, so its
//                       pages go as array binding
//   raw_prepared_row    libmysqlclient, one prepared statement executed per row
//   soci_prepared_row   SOCI, one prepared statement executed per row
//   user_story          engine.insert(table, json) per row: a session and a commit per row
//                       (fewer rows; for the record, no ratio)
// and for --changes rows (default 20,000) already in the table, loaded into a session before
// the clock starts:
//   tabula_update       set() on each record, commit() every batch (UPDATE pages)
//   raw_update_row      a prepared UPDATE ... WHERE id = ? per row
//   raw_update_case     text pages: UPDATE ... SET qty = CASE id WHEN .. END WHERE id IN (..)
//   tabula_delete       remove() on each record, commit() every batch (DELETE pages)
//   raw_delete_row      a prepared DELETE ... WHERE id = ? per row
//
// Every method commits at the same boundaries: every --batch rows (default 1000; 0: once per
// run). Every method runs twice in the same run: on the server as a user starts it
// (innodb_flush_log_at_trx_commit=1, every commit reaches the disk) and relaxed (=2, as the test
// suite runs it), set with SET GLOBAL (the user needs SUPER or SYSTEM_VARIABLES_ADMIN). The paged
// methods run on both settings before the per-row ones, the updates and the deletes.
//
//   session_bench [mysql://user:pass@host:port/db] [--rows N] [--rounds N] [--paged-rounds N]
//                 [--only METHOD,...] [--batch ROWS_PER_COMMIT] [--changes N]
//
// Without a URL it starts its own throwaway MariaDB. Every method's rows are checksummed against
// the raw multi-row reference (count, sums, and the sum of every row's CRC32: a sum, not an XOR,
// since XORs of CRCs cancel out), and the session's
// records are checked against the rows their keys name. Each method's best run counts: best of
// --paged-rounds (default 7) for the paged methods, which take a third of a second each and whose
// single runs this shared machine moves by up to a fifth, and of --rounds (default 3) for the
// slow per-row ones, the updates and the deletes.
// It ends with, for the durable server and then the relaxed one (names ending in _relaxed):
//   ratio: session_insert_vs_raw_multirow = <tabula rows/s / raw multi-row text rows/s>
//   ratio: session_insert_vs_raw_prepared_returning = <tabula rows/s / raw_prepared_ret rows/s>
//   ratio: session_insert_vs_raw_per_row = <tabula rows/s / raw prepared-per-row rows/s>
//   ratio: write_behind_insert_vs_raw_multirow, write_behind_insert_vs_raw_prepared_returning
//          (the session with SessionOptions::write_behind)
//   ratio: typed_insert_vs_raw_multirow, typed_write_behind_insert_vs_raw_multirow,
//          typed_write_behind_insert_vs_raw_prepared_returning (typed objects)
//   ratio: session_keys_insert_vs_raw_array_binding, session_keys_insert_vs_raw_multirow,
//          raw_array_binding_vs_raw_multirow (keys given)
//   ratio: session_update_vs_raw_per_row, session_update_vs_raw_case_pages,
//          session_delete_vs_raw_per_row

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/session.hpp>
#include <tabula/typed_session.hpp>

#include "bench_server.hpp"
#include "raw_connect.hpp"

#include <mysql.h>
#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// bench_row as tabula-gen writes it (docs/codegen.md), for the typed methods.
namespace bench {
struct BenchRow {
  std::int64_t id{};
  std::optional<std::string> name{};
  std::optional<std::int32_t> qty{};
  std::optional<tabula::Decimal> price{};
  std::optional<tabula::DateTime> created{};
};
}  // namespace bench

template <>
struct tabula::table_traits<bench::BenchRow> {
  static constexpr std::string_view name = "bench_row";
  static constexpr std::array<std::string_view, 5> columns{"id", "name", "qty", "price", "created"};
  static constexpr std::array<std::size_t, 1> primary_key{0};
  static constexpr std::optional<std::size_t> auto_increment = 0;
  static constexpr bool is_view = false;
  static constexpr bool read_only = false;
};

namespace {

using Clock = std::chrono::steady_clock;

int batch_rows = 1000;           // rows per commit (--batch; 0 or less: one commit per run)
constexpr int kPageRows = 1000;  // rows per multi-row statement

// True when row `i` (counting from 0) ends a batch of a run of `rows`.
bool ends_batch(int i, int rows) {
  return i + 1 == rows || (batch_rows > 0 && (i + 1) % batch_rows == 0);
}
constexpr const char* kCreated = "2026-11-25 12:34:56";

std::string name_of(int i) {
  return "name-" + std::to_string(i);
}
int qty_of(int i) {
  return i % 1000;
}
std::string price_of(int i) {
  char text[32];
  std::snprintf(text, sizeof text, "%d.%02d", (i % 10000) / 100, i % 100);
  return text;
}

using tabula::bench::RawConnection;

// COMMIT, and BEGIN again unless the run is done.
void commit_and_begin(RawConnection& raw, bool last) {
  raw.query("COMMIT");
  if (!last) raw.query("BEGIN");
}

void raw_multirow(RawConnection& raw, int rows, bool returning = false) {
  raw.query("BEGIN");
  std::string sql;
  std::vector<char> escaped(256);
  for (int i = 0; i < rows;) {
    sql = "INSERT INTO bench_row (name, qty, price, created) VALUES ";
    bool commit = false;
    for (int k = 0; k < kPageRows && i < rows && !commit; ++k, ++i) {
      std::string name = name_of(i);
      unsigned long n =
          mysql_real_escape_string(raw.get(), escaped.data(), name.data(), name.size());
      sql += k == 0 ? "('" : ", ('";
      sql.append(escaped.data(), n);
      sql += "', " + std::to_string(qty_of(i)) + ", " + price_of(i) + ", '" + kCreated + "')";
      commit = ends_batch(i, rows);
    }
    if (returning) sql += " RETURNING id";
    raw.query(sql);
    if (returning) mysql_free_result(mysql_store_result(raw.get()));
    if (commit) commit_and_begin(raw, i == rows);
  }
}

// A prepared statement on the raw connection (closed by the caller).
MYSQL_STMT* prepare(RawConnection& raw, const char* sql) {
  MYSQL_STMT* stmt = mysql_stmt_init(raw.get());
  if (mysql_stmt_prepare(stmt, sql, std::strlen(sql)) != 0) {
    throw std::runtime_error(std::string("prepare: ") + mysql_stmt_error(stmt));
  }
  return stmt;
}

// kCreated as the binary protocol sends it.
MYSQL_TIME created_time() {
  MYSQL_TIME t{};
  t.year = 2026;
  t.month = 11;
  t.day = 25;
  t.hour = 12;
  t.minute = 34;
  t.second = 56;
  t.time_type = MYSQL_TIMESTAMP_DATETIME;
  return t;
}

// A prepared multi-row INSERT of `n` rows, re-executed with values bound in binary form.
class PreparedPage {
 public:
  PreparedPage(MYSQL* conn, int n, bool returning) : stmt_(mysql_stmt_init(conn)), n_(n) {
    std::string sql = "INSERT INTO bench_row (name, qty, price, created) VALUES ";
    for (int k = 0; k < n; ++k) sql += k == 0 ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)";
    if (returning) sql += " RETURNING id";
    if (mysql_stmt_prepare(stmt_, sql.data(), sql.size()) != 0) {
      throw std::runtime_error(std::string("prepare: ") + mysql_stmt_error(stmt_));
    }
    names_.resize(n);
    prices_.resize(n);
    qty_.resize(n);
    binds_.resize(4 * static_cast<std::size_t>(n));
    std::memset(binds_.data(), 0, binds_.size() * sizeof(MYSQL_BIND));
    created_ = created_time();
  }
  ~PreparedPage() { mysql_stmt_close(stmt_); }
  int rows() const { return n_; }

  // Rows first .. first + rows() - 1.
  void run(int first) {
    for (int k = 0; k < n_; ++k) {
      int i = first + k;
      names_[k] = name_of(i);
      prices_[k] = price_of(i);
      qty_[k] = qty_of(i);
      MYSQL_BIND* b = &binds_[4 * static_cast<std::size_t>(k)];
      b[0].buffer_type = MYSQL_TYPE_STRING;
      b[0].buffer = names_[k].data();
      b[0].buffer_length = names_[k].size();
      b[1].buffer_type = MYSQL_TYPE_LONG;
      b[1].buffer = &qty_[k];
      b[2].buffer_type = MYSQL_TYPE_NEWDECIMAL;
      b[2].buffer = prices_[k].data();
      b[2].buffer_length = prices_[k].size();
      b[3].buffer_type = MYSQL_TYPE_DATETIME;
      b[3].buffer = &created_;
    }
    if (mysql_stmt_bind_param(stmt_, binds_.data()) != 0 || mysql_stmt_execute(stmt_) != 0) {
      throw std::runtime_error(std::string("execute: ") + mysql_stmt_error(stmt_));
    }
    if (mysql_stmt_field_count(stmt_) != 0) {
      mysql_stmt_store_result(stmt_);  // the keys come back; read and dropped
      mysql_stmt_free_result(stmt_);
    }
  }

 private:
  MYSQL_STMT* stmt_;
  int n_;
  std::vector<std::string> names_;
  std::vector<std::string> prices_;
  std::vector<int> qty_;
  std::vector<MYSQL_BIND> binds_;
  MYSQL_TIME created_{};
};

// Pages of kPageRows rows, a page of its own size where a batch ends early.
void raw_prepared_pages(RawConnection& raw, int rows, bool returning) {
  raw.query("BEGIN");
  std::map<int, std::unique_ptr<PreparedPage>> pages;
  for (int i = 0; i < rows;) {
    int n = std::min(kPageRows, rows - i);
    if (batch_rows > 0) n = std::min(n, batch_rows - i % batch_rows);
    std::unique_ptr<PreparedPage>& page = pages[n];
    if (!page) page = std::make_unique<PreparedPage>(raw.get(), n, returning);
    page->run(i);
    i += n;
    if (ends_batch(i - 1, rows)) commit_and_begin(raw, i == rows);
  }
}

// MariaDB's array binding (COM_STMT_BULK_EXECUTE): one row's INSERT, prepared once, run with
// each column's values for a page bound as arrays; the keys given (ids 1..rows), nothing read
// back. Column-wise: numbers in one array, strings and the DATETIME through arrays of pointers.
void raw_array_binding(RawConnection& raw, int rows) {
  raw.query("BEGIN");
  MYSQL_STMT* stmt =
      prepare(raw, "INSERT INTO bench_row (id, name, qty, price, created) VALUES (?, ?, ?, ?, ?)");
  MYSQL_TIME created = created_time();
  std::vector<long long> ids(kPageRows);
  std::vector<int> qty(kPageRows);
  std::vector<std::string> names(kPageRows);
  std::vector<std::string> prices(kPageRows);
  std::vector<const char*> name_ptrs(kPageRows);
  std::vector<const char*> price_ptrs(kPageRows);
  std::vector<unsigned long> name_lengths(kPageRows);
  std::vector<unsigned long> price_lengths(kPageRows);
  std::vector<const MYSQL_TIME*> created_ptrs(kPageRows, &created);
  for (int i = 0; i < rows;) {
    int n = std::min(kPageRows, rows - i);
    if (batch_rows > 0) n = std::min(n, batch_rows - i % batch_rows);
    for (int k = 0; k < n; ++k) {
      ids[k] = i + k + 1;
      qty[k] = qty_of(i + k);
      names[k] = name_of(i + k);
      prices[k] = price_of(i + k);
      name_ptrs[k] = names[k].data();
      name_lengths[k] = names[k].size();
      price_ptrs[k] = prices[k].data();
      price_lengths[k] = prices[k].size();
    }
    MYSQL_BIND bind[5];
    std::memset(bind, 0, sizeof bind);
    bind[0].buffer_type = MYSQL_TYPE_LONGLONG;
    bind[0].buffer = ids.data();
    bind[1].buffer_type = MYSQL_TYPE_STRING;
    bind[1].buffer = name_ptrs.data();
    bind[1].length = name_lengths.data();
    bind[2].buffer_type = MYSQL_TYPE_LONG;
    bind[2].buffer = qty.data();
    bind[3].buffer_type = MYSQL_TYPE_NEWDECIMAL;
    bind[3].buffer = price_ptrs.data();
    bind[3].length = price_lengths.data();
    bind[4].buffer_type = MYSQL_TYPE_DATETIME;
    bind[4].buffer = created_ptrs.data();
    unsigned int size = static_cast<unsigned int>(n);
    if (mysql_stmt_attr_set(stmt, STMT_ATTR_ARRAY_SIZE, &size) != 0 ||
        mysql_stmt_bind_param(stmt, bind) != 0 || mysql_stmt_execute(stmt) != 0) {
      throw std::runtime_error(std::string("array execute: ") + mysql_stmt_error(stmt));
    }
    i += n;
    if (ends_batch(i - 1, rows)) commit_and_begin(raw, i == rows);
  }
  mysql_stmt_close(stmt);
}

void raw_prepared_row(RawConnection& raw, int rows) {
  raw.query("BEGIN");
  MYSQL_STMT* stmt =
      prepare(raw, "INSERT INTO bench_row (name, qty, price, created) VALUES (?, ?, ?, ?)");
  char name[64];
  char price[32];
  char created[32];
  std::strcpy(created, kCreated);
  unsigned long name_length = 0;
  unsigned long price_length = 0;
  unsigned long created_length = std::strlen(created);
  int qty = 0;
  MYSQL_BIND bind[4];
  std::memset(bind, 0, sizeof bind);
  bind[0].buffer_type = MYSQL_TYPE_STRING;
  bind[0].buffer = name;
  bind[0].length = &name_length;
  bind[1].buffer_type = MYSQL_TYPE_LONG;
  bind[1].buffer = &qty;
  bind[2].buffer_type = MYSQL_TYPE_STRING;
  bind[2].buffer = price;
  bind[2].length = &price_length;
  bind[3].buffer_type = MYSQL_TYPE_STRING;
  bind[3].buffer = created;
  bind[3].length = &created_length;
  mysql_stmt_bind_param(stmt, bind);
  for (int i = 0; i < rows; ++i) {
    std::string n = name_of(i);
    std::string p = price_of(i);
    std::memcpy(name, n.data(), n.size());
    name_length = n.size();
    std::memcpy(price, p.data(), p.size());
    price_length = p.size();
    qty = qty_of(i);
    if (mysql_stmt_execute(stmt) != 0) {
      throw std::runtime_error(std::string("execute: ") + mysql_stmt_error(stmt));
    }
    if (ends_batch(i, rows)) commit_and_begin(raw, i + 1 == rows);
  }
  mysql_stmt_close(stmt);
}

void soci_prepared_row(soci::session& sql, int rows) {
  sql.begin();
  std::string name;
  int qty = 0;
  std::string price;
  std::string created = kCreated;
  soci::statement st = (sql.prepare << "INSERT INTO bench_row (name, qty, price, created) "
                                       "VALUES (:n, :q, :p, :c)",
                        soci::use(name), soci::use(qty), soci::use(price), soci::use(created));
  for (int i = 0; i < rows; ++i) {
    name = name_of(i);
    qty = qty_of(i);
    price = price_of(i);
    st.execute(true);
    if (ends_batch(i, rows)) {
      sql.commit();
      if (i + 1 < rows) sql.begin();
    }
  }
}

// Returns the records' ids with the names they were given, to check after the run.
// One session for the run, committed every batch_rows rows and then cleared: a batch job keeps
// no records it is done with (docs/session.md). Every 997th record's key is kept to be checked.
std::vector<std::pair<std::int64_t, int>> tabula_session(tabula::Engine& engine, int rows,
                                                         bool write_behind = false) {
  const tabula::Model& model = engine.models().at("bench_row");
  tabula::DateTime created{
      std::chrono::year{2026} / 11 / 25,
      std::chrono::hours{12} + std::chrono::minutes{34} + std::chrono::seconds{56}};
  tabula::Session session = engine.session({.write_behind = write_behind});
  std::vector<std::pair<tabula::Record*, int>> watched;
  std::vector<std::pair<std::int64_t, int>> sample;
  auto commit = [&] {
    session.commit();
    for (auto [record, i] : watched) sample.emplace_back(record->get<std::int64_t>("id"), i);
    watched.clear();
    session.clear();
  };
  for (int i = 0; i < rows; ++i) {
    tabula::Record& r = session.add(model.make({{"name", name_of(i)},
                                                {"qty", qty_of(i)},
                                                {"price", tabula::Decimal(price_of(i))},
                                                {"created", created}}));
    if (i % 997 == 0) watched.emplace_back(&r, i);
    if (ends_batch(i, rows)) commit();
  }
  return sample;
}

// The same with typed objects; the sample as tabula_session's.
std::vector<std::pair<std::int64_t, int>> tabula_typed(tabula::Engine& engine, int rows,
                                                       bool write_behind) {
  tabula::DateTime created{
      std::chrono::year{2026} / 11 / 25,
      std::chrono::hours{12} + std::chrono::minutes{34} + std::chrono::seconds{56}};
  tabula::Session session = engine.session({.write_behind = write_behind});
  std::vector<std::pair<bench::BenchRow*, int>> watched;
  std::vector<std::pair<std::int64_t, int>> sample;
  for (int i = 0; i < rows; ++i) {
    bench::BenchRow& r = session.add(bench::BenchRow{.name = name_of(i),
                                                     .qty = qty_of(i),
                                                     .price = tabula::Decimal(price_of(i)),
                                                     .created = created});
    if (i % 997 == 0) watched.emplace_back(&r, i);
    if (ends_batch(i, rows)) {
      session.commit();
      for (auto [object, k] : watched) sample.emplace_back(object->id, k);
      watched.clear();
      session.clear();
    }
  }
  return sample;
}

// The same with every key given (ids 1..rows): nothing to read back, so each page goes as array
// binding.
void tabula_session_keys(tabula::Engine& engine, int rows) {
  const tabula::Model& model = engine.models().at("bench_row");
  tabula::DateTime created{
      std::chrono::year{2026} / 11 / 25,
      std::chrono::hours{12} + std::chrono::minutes{34} + std::chrono::seconds{56}};
  tabula::Session session = engine.session();
  for (int i = 0; i < rows; ++i) {
    session.add(model.make({{"id", i + 1},
                            {"name", name_of(i)},
                            {"qty", qty_of(i)},
                            {"price", tabula::Decimal(price_of(i))},
                            {"created", created}}));
    if (ends_batch(i, rows)) {
      session.commit();
      session.clear();
    }
  }
}

void user_story(tabula::Engine& engine, int rows) {
  for (int i = 0; i < rows; ++i) {
    engine.insert("bench_row", R"({"name": ")" + name_of(i) + R"(", "qty": )" +
                                   std::to_string(qty_of(i)) + R"(, "price": ")" + price_of(i) +
                                   R"(", "created": ")" + kCreated + R"("})");
  }
}

// --- Updates and deletes: `rows` existing rows (ids 1..rows), each changed or removed ---------

// The new qty of row `id` in the update runs.
int new_qty(std::int64_t id) {
  return static_cast<int>((id * 7) % 1000) + 1;
}

// One prepared `UPDATE ... WHERE id = ?` per row.
void raw_update_row(RawConnection& raw, int rows) {
  raw.query("BEGIN");
  MYSQL_STMT* stmt = prepare(raw, "UPDATE bench_row SET qty = ? WHERE id = ?");
  int qty = 0;
  long long id = 0;
  MYSQL_BIND bind[2];
  std::memset(bind, 0, sizeof bind);
  bind[0].buffer_type = MYSQL_TYPE_LONG;
  bind[0].buffer = &qty;
  bind[1].buffer_type = MYSQL_TYPE_LONGLONG;
  bind[1].buffer = &id;
  mysql_stmt_bind_param(stmt, bind);
  for (int i = 0; i < rows; ++i) {
    id = i + 1;
    qty = new_qty(id);
    if (mysql_stmt_execute(stmt) != 0) {
      throw std::runtime_error(std::string("execute: ") + mysql_stmt_error(stmt));
    }
    if (ends_batch(i, rows)) commit_and_begin(raw, i + 1 == rows);
  }
  mysql_stmt_close(stmt);
}

// Text pages of 1000: UPDATE ... SET qty = CASE id WHEN .. THEN .. END WHERE id IN (..).
void raw_update_case(RawConnection& raw, int rows) {
  raw.query("BEGIN");
  for (int i = 0; i < rows;) {
    std::string cases;
    std::string ids;
    bool commit = false;
    for (int k = 0; k < kPageRows && i < rows && !commit; ++k, ++i) {
      std::string id = std::to_string(i + 1);
      cases += " WHEN " + id + " THEN " + std::to_string(new_qty(i + 1));
      ids += (k == 0 ? "" : ", ") + id;
      commit = ends_batch(i, rows);
    }
    raw.query("UPDATE bench_row SET qty = CASE id" + cases + " END WHERE id IN (" + ids + ")");
    if (commit) commit_and_begin(raw, i == rows);
  }
}

// One prepared `DELETE ... WHERE id = ?` per row.
void raw_delete_row(RawConnection& raw, int rows) {
  raw.query("BEGIN");
  MYSQL_STMT* stmt = prepare(raw, "DELETE FROM bench_row WHERE id = ?");
  long long id = 0;
  MYSQL_BIND bind[1];
  std::memset(bind, 0, sizeof bind);
  bind[0].buffer_type = MYSQL_TYPE_LONGLONG;
  bind[0].buffer = &id;
  mysql_stmt_bind_param(stmt, bind);
  for (int i = 0; i < rows; ++i) {
    id = i + 1;
    if (mysql_stmt_execute(stmt) != 0) {
      throw std::runtime_error(std::string("execute: ") + mysql_stmt_error(stmt));
    }
    if (ends_batch(i, rows)) commit_and_begin(raw, i + 1 == rows);
  }
  mysql_stmt_close(stmt);
}

// The session's records of every row, loaded before the clock starts.
struct LoadedRows {
  tabula::Session session;
  std::vector<tabula::Record*> records;
};
LoadedRows load_rows(tabula::Engine& engine) {
  LoadedRows loaded{engine.session(), {}};
  loaded.records = loaded.session.query("bench_row").order_by("id").all();
  loaded.session.commit();  // the records stay; the connection goes back
  return loaded;
}

// Each record changed, a commit every batch.
void tabula_update(LoadedRows& loaded) {
  int rows = static_cast<int>(loaded.records.size());
  for (int i = 0; i < rows; ++i) {
    tabula::Record& r = *loaded.records[i];
    r.set("qty", new_qty(r.get<std::int64_t>("id")));
    if (ends_batch(i, rows)) loaded.session.commit();
  }
}

void tabula_delete(LoadedRows& loaded) {
  int rows = static_cast<int>(loaded.records.size());
  for (int i = 0; i < rows; ++i) {
    loaded.session.remove(*loaded.records[i]);
    if (ends_batch(i, rows)) loaded.session.commit();
  }
}

// The k-th of n methods in round `round`: each round walks them from another start with another
// stride (one coprime to n), so a method follows a different one from round to round. (A rotation
// alone would keep every method right after the same one, in the state that one leaves.)
std::size_t order(std::size_t n, int round, std::size_t k) {
  std::vector<std::size_t> strides;
  for (std::size_t s = 1; s < std::max<std::size_t>(n, 2); ++s) {
    if (std::gcd(s, n) == 1) strides.push_back(s);
  }
  std::size_t r = static_cast<std::size_t>(round);
  return (r + k * strides[r % strides.size()]) % n;
}

const char* kChecksum =
    "SELECT COUNT(*), SUM(qty), SUM(price), "
    "SUM(CRC32(CONCAT_WS('|', id, name, qty, price, created))) FROM bench_row";

}  // namespace

int main(int argc, char** argv) {
  try {
    tabula::bench::BenchServer server(argc, argv);
    int rows = 100'000;
    int rounds = 3;
    int paged_rounds = 7;
    int changes = 20'000;  // rows updated and deleted (--changes)
    // --only NAME[,NAME...]: run these methods (for profiling, or two methods compared); only the
    // ratios between methods that ran are printed then.
    std::vector<std::string> only;
    for (int i = 1; i + 1 < argc; ++i) {
      if (std::strcmp(argv[i], "--only") == 0) {
        std::string list = argv[i + 1];
        for (std::size_t at = 0; at <= list.size();) {
          std::size_t comma = std::min(list.find(',', at), list.size());
          only.push_back(list.substr(at, comma - at));
          at = comma + 1;
        }
      }
      if (std::strcmp(argv[i], "--batch") == 0) batch_rows = std::stoi(argv[i + 1]);
      if (std::strcmp(argv[i], "--rows") == 0) rows = std::stoi(argv[i + 1]);
      if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::stoi(argv[i + 1]);
      if (std::strcmp(argv[i], "--paged-rounds") == 0) paged_rounds = std::stoi(argv[i + 1]);
      if (std::strcmp(argv[i], "--changes") == 0) changes = std::stoi(argv[i + 1]);
    }
    auto selected = [&](const std::string& method) {
      return only.empty() || std::find(only.begin(), only.end(), method) != only.end();
    };
    tabula::Url url(server.url());
    std::cerr << "bench: database " << url << ", " << rows << " rows, best of " << paged_rounds
              << " (paged methods) and of " << rounds << " (the others)\n";

    RawConnection raw(url);
    raw.query("DROP TABLE IF EXISTS bench_row");
    raw.query(
        "CREATE TABLE bench_row (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64), "
        "qty INT, price DECIMAL(10,2), created DATETIME) ENGINE=InnoDB");
    soci::session soci_sql(*soci::factory_mysql(), tabula::bench::soci_connect_string(url));
    tabula::Engine engine(url, {.max_connections = 2});
    engine.models();  // reflect once, outside the timings

    std::map<std::string, double> best;  // rows per second, by method and configuration
    std::vector<std::string> reference;
    std::string suffix;  // "" on the durable server, "_relaxed" on the relaxed one
    auto measure = [&](const std::string& method, int n, const std::function<void()>& work,
                       bool check) {
      if (!selected(method)) return;
      std::string name = method + suffix;
      raw.query("TRUNCATE TABLE bench_row");
      auto start = Clock::now();
      work();
      double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      double rate = n / seconds;
      best[name] = std::max(best[name], rate);
      std::printf("%-28s %8d rows %8.3f s %10.0f rows/s\n", name.c_str(), n, seconds, rate);
      std::fflush(stdout);
      std::vector<std::string> sum = raw.row(kChecksum);
      if (check) {
        if (reference.empty()) reference = sum;
        if (sum != reference) throw std::runtime_error(name + ": rows differ from the reference");
      } else if (sum.empty() || sum[0] != std::to_string(n)) {
        throw std::runtime_error(name + ": row count differs");
      }
    };
    std::string flush_setting = raw.row("SELECT @@GLOBAL.innodb_flush_log_at_trx_commit")[0];
    std::printf("batch: a commit every %s rows\n",
                batch_rows > 0 ? std::to_string(batch_rows).c_str() : "run (one per run)");
    // The paged methods first, on both server settings, all rounds, in an order changed each
    // round (order()): a method that follows another leaves the server busy with background
    // work (purge, page flushing), so no method always runs right after the same one. The slow
    // per-row ones, the updates and the deletes after them all (their hundreds of thousands of
    // commits leave the server flushing long after), again on both settings.
    for (const bool paged_stage : {true, false})
      for (const char* setting : {"1", "2"}) {
        suffix = std::string(setting) == "1" ? "" : "_relaxed";
        raw.query(std::string("SET GLOBAL innodb_flush_log_at_trx_commit = ") + setting);
        std::printf("server: innodb_flush_log_at_trx_commit = %s (%s)\n", setting,
                    suffix.empty() ? "durable, as a server starts by default" : "relaxed");
        // The session's (key, row number) samples.
        std::vector<std::pair<std::int64_t, int>> sample;
        struct Method {
          const char* name;
          int rows;
          std::function<void()> work;
          bool check;  // rows checksummed against the others (false: only counted)
        };
        const std::vector<Method> paged = {
            {"raw_multirow", rows, [&] { raw_multirow(raw, rows); }, true},
            {"raw_multirow_ret", rows, [&] { raw_multirow(raw, rows, true); }, true},
            {"raw_prepared_pages", rows, [&] { raw_prepared_pages(raw, rows, false); }, true},
            {"raw_prepared_ret", rows, [&] { raw_prepared_pages(raw, rows, true); }, true},
            {"tabula_session", rows, [&] { sample = tabula_session(engine, rows); }, true},
            {"tabula_write_behind", rows, [&] { sample = tabula_session(engine, rows, true); },
             true},
            {"tabula_typed", rows, [&] { sample = tabula_typed(engine, rows, false); }, true},
            {"tabula_typed_write_behind", rows, [&] { sample = tabula_typed(engine, rows, true); },
             true},
            {"raw_array_binding", rows, [&] { raw_array_binding(raw, rows); }, true},
            {"tabula_session_keys", rows, [&] { tabula_session_keys(engine, rows); }, true},
        };
        const int few = std::max(1, rows / 50);
        const std::vector<Method> per_row = {
            {"raw_prepared_row", rows, [&] { raw_prepared_row(raw, rows); }, true},
            {"soci_prepared_row", rows, [&] { soci_prepared_row(soci_sql, rows); }, true},
            {"user_story", few, [&] { user_story(engine, few); }, false},
        };
        if (paged_stage) {
          for (int round = 0; round < paged_rounds; ++round) {
            for (std::size_t k = 0; k < paged.size(); ++k) {
              const Method& m = paged[order(paged.size(), round, k)];
              measure(m.name, m.rows, m.work, m.check);
              for (auto [id, i] : sample) {  // each record's key names the row with its values
                std::vector<std::string> r =
                    raw.row("SELECT name, qty FROM bench_row WHERE id = " + std::to_string(id));
                if (r.size() != 2 || r[0] != name_of(i) || r[1] != std::to_string(qty_of(i))) {
                  throw std::runtime_error("tabula_session: record " + std::to_string(i) +
                                           " has a key that names another row");
                }
              }
              sample.clear();
            }
          }
          continue;
        }
        for (int round = 0; round < rounds; ++round) {
          for (const Method& m : per_row) measure(m.name, m.rows, m.work, m.check);
        }
        // Updates and deletes of `changes` rows, each method on the same fresh table.
        auto fill = [&] {
          raw.query("TRUNCATE TABLE bench_row");
          raw_multirow(raw, changes);
        };
        auto timed = [&](const std::string& method, const std::function<void()>& prepare,
                         const std::function<void()>& work, const std::string& check_sql,
                         const std::string& expected) {
          if (!selected(method)) return;
          std::string name = method + suffix;
          prepare();
          auto start = Clock::now();
          work();
          double seconds = std::chrono::duration<double>(Clock::now() - start).count();
          best[name] = std::max(best[name], changes / seconds);
          std::printf("%-28s %8d rows %8.3f s %10.0f rows/s\n", name.c_str(), changes, seconds,
                      changes / seconds);
          std::vector<std::string> got = raw.row(check_sql);
          if (got.empty() || got[0] != expected) {
            throw std::runtime_error(name + ": " + check_sql + " gave " +
                                     (got.empty() ? "nothing" : got[0]) + ", expected " + expected);
          }
        };
        long long qty_sum = 0;
        for (int id = 1; id <= changes; ++id) qty_sum += new_qty(id);
        const std::string sum_sql = "SELECT SUM(qty) FROM bench_row";
        const std::string count_sql = "SELECT COUNT(*) FROM bench_row";
        std::optional<LoadedRows> loaded;
        for (int round = 0; round < rounds; ++round) {
          timed(
              "raw_update_row", fill, [&] { raw_update_row(raw, changes); }, sum_sql,
              std::to_string(qty_sum));
          timed(
              "raw_update_case", fill, [&] { raw_update_case(raw, changes); }, sum_sql,
              std::to_string(qty_sum));
          timed(
              "tabula_update",
              [&] {
                fill();
                loaded.emplace(load_rows(engine));
              },
              [&] { tabula_update(*loaded); }, sum_sql, std::to_string(qty_sum));
          loaded.reset();
          timed(
              "raw_delete_row", fill, [&] { raw_delete_row(raw, changes); }, count_sql, "0");
          timed(
              "tabula_delete",
              [&] {
                fill();
                loaded.emplace(load_rows(engine));
              },
              [&] { tabula_delete(*loaded); }, count_sql, "0");
          loaded.reset();
        }
      }
    raw.query("SET GLOBAL innodb_flush_log_at_trx_commit = " + flush_setting);
    if (!reference.empty()) {
      std::printf("checksums: every method landed the same %s rows (sum of row CRCs %s)\n",
                  reference[0].c_str(), reference[3].c_str());
    }
    for (std::string config : {"", "_relaxed"}) {
      struct Ratio {
        const char* name;
        const char* ours;
        const char* theirs;
        int digits = 2;
      };
      const Ratio ratios[] = {
          {"session_insert_vs_raw_multirow", "tabula_session", "raw_multirow"},
          {"session_insert_vs_raw_prepared_returning", "tabula_session", "raw_prepared_ret"},
          {"session_insert_vs_raw_prepared_pages", "tabula_session", "raw_prepared_pages"},
          {"session_insert_vs_raw_per_row", "tabula_session", "raw_prepared_row"},
          {"write_behind_insert_vs_raw_multirow", "tabula_write_behind", "raw_multirow"},
          {"write_behind_insert_vs_raw_prepared_returning", "tabula_write_behind",
           "raw_prepared_ret"},
          {"typed_insert_vs_raw_multirow", "tabula_typed", "raw_multirow"},
          {"typed_write_behind_insert_vs_raw_multirow", "tabula_typed_write_behind",
           "raw_multirow"},
          {"typed_write_behind_insert_vs_raw_prepared_returning", "tabula_typed_write_behind",
           "raw_prepared_ret"},
          {"raw_prepared_returning_vs_raw_multirow", "raw_prepared_ret", "raw_multirow"},
          {"session_keys_insert_vs_raw_array_binding", "tabula_session_keys", "raw_array_binding"},
          {"session_keys_insert_vs_raw_multirow", "tabula_session_keys", "raw_multirow"},
          {"raw_array_binding_vs_raw_multirow", "raw_array_binding", "raw_multirow"},
          {"soci_per_row_vs_raw_multirow", "soci_prepared_row", "raw_multirow"},
          {"user_story_vs_raw_multirow", "user_story", "raw_multirow", 4},
          {"session_update_vs_raw_per_row", "tabula_update", "raw_update_row"},
          {"session_update_vs_raw_case_pages", "tabula_update", "raw_update_case"},
          {"session_delete_vs_raw_per_row", "tabula_delete", "raw_delete_row"},
      };
      for (const Ratio& r : ratios) {
        if (!best.contains(r.ours + config) || !best.contains(r.theirs + config)) continue;
        std::printf("ratio: %s%s = %.*f\n", r.name, config.c_str(), r.digits,
                    best[r.ours + config] / best[r.theirs + config]);
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "session_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

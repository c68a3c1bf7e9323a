// session_bench: rows inserted per second through a tabula Session, side by side with the raw
// client doing the same work in the same run against the same table:
//
//   tabula_session      Session::add per row, commit() and clear() every 1000 rows (keys and
//                       what the server decided read back)
//   raw_multirow        libmysqlclient, multi-row INSERT text of 1000 rows, one transaction
//   raw_multirow_ret    the same with RETURNING every column, read and dropped: what a session
//                       asks of the server on MariaDB (the ceiling for tabula's own overhead)
//   raw_prepared_row    libmysqlclient, one prepared statement executed per row, one transaction
//   soci_prepared_row   SOCI, one prepared statement executed per row, one transaction
//   user_story          engine.insert(table, json) per row: a session and a commit per row
//                       (fewer rows; for the record, no ratio)
//
//   session_bench [mysql://user:pass@host:port/db] [--rows N] [--rounds N] [--only METHOD]
//                 [--batch ROWS_PER_COMMIT]
//
// Without a URL it starts its own throwaway MariaDB. Every method's rows are checksummed against
// the raw multi-row reference (count, sums, and the sum of every row's CRC32: a sum, not an XOR,
// since XORs of CRCs cancel out), and the session's
// records are checked against the rows their keys name. Best of --rounds (default 3) per method.
// It ends with:
//   ratio: session_insert_vs_raw_multirow = <tabula rows/s / raw multi-row rows/s>
//   ratio: session_insert_vs_raw_per_row = <tabula rows/s / raw prepared-per-row rows/s>

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/session.hpp>

#include "bench_server.hpp"
#include "raw_connect.hpp"

#include <mysql.h>
#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int batch_rows = 1000;  // rows per commit (--batch)
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

void raw_multirow(RawConnection& raw, int rows, bool returning = false) {
  raw.query("BEGIN");
  std::string sql;
  std::vector<char> escaped(256);
  for (int i = 0; i < rows;) {
    sql = "INSERT INTO bench_row (name, qty, price, created) VALUES ";
    for (int k = 0; k < batch_rows && i < rows; ++k, ++i) {
      std::string name = name_of(i);
      unsigned long n =
          mysql_real_escape_string(raw.get(), escaped.data(), name.data(), name.size());
      sql += k == 0 ? "('" : ", ('";
      sql.append(escaped.data(), n);
      sql += "', " + std::to_string(qty_of(i)) + ", " + price_of(i) + ", '" + kCreated + "')";
    }
    if (returning) sql += " RETURNING id, name, qty, price, created";
    raw.query(sql);
    if (returning) mysql_free_result(mysql_store_result(raw.get()));
  }
  raw.query("COMMIT");
}

void raw_prepared_row(RawConnection& raw, int rows) {
  raw.query("BEGIN");
  MYSQL_STMT* stmt = mysql_stmt_init(raw.get());
  const char* sql = "INSERT INTO bench_row (name, qty, price, created) VALUES (?, ?, ?, ?)";
  if (mysql_stmt_prepare(stmt, sql, std::strlen(sql)) != 0) {
    throw std::runtime_error(std::string("prepare: ") + mysql_stmt_error(stmt));
  }
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
  }
  mysql_stmt_close(stmt);
  raw.query("COMMIT");
}

void soci_prepared_row(soci::session& sql, int rows) {
  soci::transaction tr(sql);
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
  }
  tr.commit();
}

// Returns the records' ids with the names they were given, to check after the run.
// One session for the run, committed every batch_rows rows and then cleared: a batch job keeps
// no records it is done with (docs/session.md). Every 997th record's key is kept to be checked.
std::vector<std::pair<std::int64_t, int>> tabula_session(tabula::Engine& engine, int rows) {
  const tabula::Model& model = engine.models().at("bench_row");
  tabula::DateTime created{
      std::chrono::year{2026} / 11 / 25,
      std::chrono::hours{12} + std::chrono::minutes{34} + std::chrono::seconds{56}};
  tabula::Session session = engine.session();
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
    if ((i + 1) % batch_rows == 0) commit();
  }
  commit();
  return sample;
}

void user_story(tabula::Engine& engine, int rows) {
  for (int i = 0; i < rows; ++i) {
    engine.insert("bench_row", R"({"name": ")" + name_of(i) + R"(", "qty": )" +
                                   std::to_string(qty_of(i)) + R"(, "price": ")" + price_of(i) +
                                   R"(", "created": ")" + kCreated + R"("})");
  }
}

const char* kChecksum =
    "SELECT COUNT(*), SUM(qty), SUM(price), "
    "SUM(CRC32(CONCAT_WS('|', name, qty, price, created))) FROM bench_row";

}  // namespace

int main(int argc, char** argv) {
  try {
    tabula::bench::BenchServer server(argc, argv);
    int rows = 100'000;
    int rounds = 3;
    std::string only;  // --only NAME: run one method (for profiling); no ratios then
    for (int i = 1; i + 1 < argc; ++i) {
      if (std::strcmp(argv[i], "--only") == 0) only = argv[i + 1];
      if (std::strcmp(argv[i], "--batch") == 0) batch_rows = std::stoi(argv[i + 1]);
      if (std::strcmp(argv[i], "--rows") == 0) rows = std::stoi(argv[i + 1]);
      if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::stoi(argv[i + 1]);
    }
    tabula::Url url(server.url());
    std::cerr << "bench: database " << url << ", " << rows << " rows, best of " << rounds << "\n";

    RawConnection raw(url);
    raw.query("DROP TABLE IF EXISTS bench_row");
    raw.query(
        "CREATE TABLE bench_row (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64), "
        "qty INT, price DECIMAL(10,2), created DATETIME) ENGINE=InnoDB");
    soci::session soci_sql(*soci::factory_mysql(), tabula::bench::soci_connect_string(url));
    tabula::Engine engine(url, {.max_connections = 2});
    engine.models();  // reflect once, outside the timings

    std::map<std::string, double> best;  // rows per second
    std::vector<std::string> reference;
    auto measure = [&](const std::string& name, int n, const std::function<void()>& work,
                       bool check) {
      if (!only.empty() && name != only) return;
      raw.query("TRUNCATE TABLE bench_row");
      auto start = Clock::now();
      work();
      double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      double rate = n / seconds;
      best[name] = std::max(best[name], rate);
      std::printf("%-20s %8d rows %8.3f s %10.0f rows/s\n", name.c_str(), n, seconds, rate);
      std::vector<std::string> sum = raw.row(kChecksum);
      if (check) {
        if (reference.empty()) reference = sum;
        if (sum != reference) throw std::runtime_error(name + ": rows differ from the reference");
      } else if (sum.empty() || sum[0] != std::to_string(n)) {
        throw std::runtime_error(name + ": row count differs");
      }
    };
    for (int round = 0; round < rounds; ++round) {
      measure(
          "raw_multirow", rows, [&] { raw_multirow(raw, rows); }, true);
      measure(
          "raw_multirow_ret", rows, [&] { raw_multirow(raw, rows, true); }, true);
      measure(
          "raw_prepared_row", rows, [&] { raw_prepared_row(raw, rows); }, true);
      measure(
          "soci_prepared_row", rows, [&] { soci_prepared_row(soci_sql, rows); }, true);
      std::vector<std::pair<std::int64_t, int>> sample;
      measure(
          "tabula_session", rows, [&] { sample = tabula_session(engine, rows); }, true);
      for (auto [id, i] : sample) {  // each record's key names the row with its values
        std::vector<std::string> r =
            raw.row("SELECT name, qty FROM bench_row WHERE id = " + std::to_string(id));
        if (r.size() != 2 || r[0] != name_of(i) || r[1] != std::to_string(qty_of(i))) {
          throw std::runtime_error("tabula_session: record " + std::to_string(i) +
                                   " has a key that names another row");
        }
      }
      int few = std::max(1, rows / 50);
      measure(
          "user_story", few, [&] { user_story(engine, few); }, false);
    }
    if (!only.empty()) return 0;
    std::printf("checksums: every method landed the same %s rows (sum of row CRCs %s)\n",
                reference[0].c_str(), reference[3].c_str());
    std::printf("ratio: session_insert_vs_raw_multirow = %.2f\n",
                best["tabula_session"] / best["raw_multirow"]);
    std::printf("ratio: session_insert_vs_raw_per_row = %.2f\n",
                best["tabula_session"] / best["raw_prepared_row"]);
    std::printf("ratio: soci_per_row_vs_raw_multirow = %.2f\n",
                best["soci_prepared_row"] / best["raw_multirow"]);
    std::printf("ratio: user_story_vs_raw_multirow = %.4f\n",
                best["user_story"] / best["raw_multirow"]);
  } catch (const std::exception& e) {
    std::cerr << "session_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

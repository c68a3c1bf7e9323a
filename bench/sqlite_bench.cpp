// sqlite_bench: rows inserted per second through a tabula Session on SQLite, beside a raw sqlite3
// loop doing the same work in the same run: one prepared INSERT ... RETURNING executed per row
// (what a session asks of SQLite), commits at the same boundaries.
//
//   sqlite_bench [sqlite:///path/to/file.db] [--rows N] [--rounds N] [--batch ROWS_PER_COMMIT]
//
// Without a URL it uses a fresh file in a temporary directory (SQLite's default journal). Both
// methods' rows are checked to be the same (count and sums). Best of --rounds (default 3). It
// ends with:
//   ratio: session_insert_vs_raw_sqlite = <tabula rows/s / raw sqlite3 rows/s>

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/session.hpp>

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

int batch_rows = 1000;  // rows per commit (--batch; 0 or less: one commit per run)

bool ends_batch(int i, int rows) {
  return i + 1 == rows || (batch_rows > 0 && (i + 1) % batch_rows == 0);
}

std::string name_of(int i) {
  return "name-" + std::to_string(i);
}

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error(std::string(sql) + ": " + message);
  }
}

void raw_sqlite(sqlite3* db, int rows) {
  sqlite3_stmt* stmt = nullptr;
  const char* sql = "INSERT INTO bench_row (name, qty, price) VALUES (?, ?, ?) RETURNING id";
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(db));
  }
  exec(db, "BEGIN");
  for (int i = 0; i < rows; ++i) {
    std::string name = name_of(i);
    sqlite3_bind_text(stmt, 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int(stmt, 2, i % 1000);
    sqlite3_bind_double(stmt, 3, (i % 10000) / 100.0);
    if (sqlite3_step(stmt) != SQLITE_ROW) {
      throw std::runtime_error(std::string("step: ") + sqlite3_errmsg(db));
    }
    volatile sqlite3_int64 id = sqlite3_column_int64(stmt, 0);  // the key, read as a session does
    (void)id;
    sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (ends_batch(i, rows)) {
      exec(db, "COMMIT");
      if (i + 1 < rows) exec(db, "BEGIN");
    }
  }
  sqlite3_finalize(stmt);
}

void tabula_session(tabula::Engine& engine, int rows) {
  const tabula::Model& model = engine.models().at("bench_row");
  tabula::Session session = engine.session();
  for (int i = 0; i < rows; ++i) {
    session.add(
        model.make({{"name", name_of(i)}, {"qty", i % 1000}, {"price", (i % 10000) / 100.0}}));
    if (ends_batch(i, rows)) {
      session.commit();
      session.clear();
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string url;
    std::filesystem::path scratch;
    if (argc > 1 && argv[1][0] != '-') {
      url = argv[1];
    } else {
      char pattern[] = "/tmp/tabula-sqlite-bench.XXXXXX";
      if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
      scratch = pattern;
      url = "sqlite://" + (scratch / "bench.db").string();
    }
    int rows = 100'000;
    int rounds = 3;
    for (int i = 1; i + 1 < argc; ++i) {
      if (std::strcmp(argv[i], "--rows") == 0) rows = std::stoi(argv[i + 1]);
      if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::stoi(argv[i + 1]);
      if (std::strcmp(argv[i], "--batch") == 0) batch_rows = std::stoi(argv[i + 1]);
    }
    tabula::Engine engine(url);
    engine.execute("DROP TABLE IF EXISTS bench_row");
    engine.execute(
        "CREATE TABLE bench_row (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(64), "
        "qty INT, price REAL)");
    engine.models();
    sqlite3* db = nullptr;
    std::string path = tabula::Url(url).database();
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("open " + path);
    sqlite3_busy_timeout(db, 5000);
    std::cerr << "bench: " << url << ", " << rows << " rows, best of " << rounds
              << ", a commit every "
              << (batch_rows > 0 ? std::to_string(batch_rows) : std::string("run")) << "\n";

    std::map<std::string, double> best;
    std::string reference;
    auto checksum = [&] {
      sqlite3_stmt* stmt = nullptr;
      sqlite3_prepare_v2(db,
                         "SELECT COUNT(*) || '/' || SUM(qty) || '/' || SUM(price) FROM bench_row",
                         -1, &stmt, nullptr);
      std::string out;
      if (sqlite3_step(stmt) == SQLITE_ROW) {
        out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      }
      sqlite3_finalize(stmt);
      return out;
    };
    auto measure = [&](const std::string& name, const std::function<void()>& work) {
      exec(db, "DELETE FROM bench_row");
      exec(db, "DELETE FROM sqlite_sequence");
      auto start = Clock::now();
      work();
      double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      best[name] = std::max(best[name], rows / seconds);
      std::printf("%-16s %8d rows %8.3f s %10.0f rows/s\n", name.c_str(), rows, seconds,
                  rows / seconds);
      std::string sum = checksum();
      if (reference.empty()) reference = sum;
      if (sum != reference) throw std::runtime_error(name + ": rows differ (" + sum + ")");
    };
    for (int round = 0; round < rounds; ++round) {
      measure("raw_sqlite", [&] { raw_sqlite(db, rows); });
      measure("tabula_session", [&] { tabula_session(engine, rows); });
    }
    sqlite3_close(db);
    if (!scratch.empty()) std::filesystem::remove_all(scratch);
    std::printf("checksums: both methods landed the same rows (%s)\n", reference.c_str());
    std::printf("ratio: session_insert_vs_raw_sqlite = %.2f\n",
                best["tabula_session"] / best["raw_sqlite"]);
  } catch (const std::exception& e) {
    std::cerr << "sqlite_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

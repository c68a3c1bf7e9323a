#pragma once

// MariaDB's fast insert path: each page of rows is one server-side prepared multi-row
// INSERT ... RETURNING (what must be read back), its values bound in binary form, the statement
// kept in the connection's StatementCache for the next page and the next flush.
//
// Rows are grouped by the columns they give (a bound value cannot say DEFAULT). A page holds
// 1000 rows, fewer for wide tables (65,535 placeholders per statement) or long values
// (max_allowed_packet). The last rows of a flush go as one statement when they are 16 or fewer,
// else as statements of 512, 256, ... rows: shapes that later flushes use again, so a table and
// column set needs few statements in the cache.
//
// Pages are pipelined: while the server runs one, the next is made ready (what it reads back
// and its values bound, decided from its own rows) and the one before is loaded into its
// records. One statement runs at a time (PreparedStatement::start/finish).

#include <tabula/automap.hpp>
#include <tabula/connection.hpp>

#include "dialect/insert_writer.hpp"
#include "dialect/mysql/mysql_prepared.hpp"

#include <memory>
#include <span>
#include <vector>

namespace tabula::dialect::mysql {

// The pages of one connection's inserts. send() may leave its last page running at the server
// and return, so that the caller's next work overlaps it (a session sending pages ahead of its
// flush, SessionOptions::write_behind); the next send() or land() waits for it and reports its
// rows. Destroying a pipeline with a page running abandons it (its outcome is not reported).
// The rows in a full page of a statement giving `columns` values per row.
std::size_t rows_per_page(std::size_t columns);

class PagePipeline {
 public:
  PagePipeline(Connection& connection, detail::InsertTarget& target, StatementCache& cache);
  ~PagePipeline();
  PagePipeline(const PagePipeline&) = delete;
  PagePipeline& operator=(const PagePipeline&) = delete;

  // Sends `rows` (records of `model`) as pages, each reported to the target as it lands, except
  // the last, which may be left running. `alone`: see InsertWriter::insert. With
  // `whole_pages_only`, rows of a column set too few for a full page are not sent: they are
  // returned. Throws as insert_prepared_pages does, with nothing left running.
  std::vector<Record*> send(const Model& model, std::span<Record* const> rows, bool alone,
                            bool whole_pages_only = false);
  // Waits for the page left running, if any, and reports its rows. Throws as send().
  void land();
  // Waits for the page left running without reporting it (its transaction is being rolled
  // back); a connection left mid-operation is marked broken.
  void abandon() noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Inserts `rows` (records of `model`) as prepared pages. `alone`: see InsertWriter::insert.
// Throws SqlError naming the table, and the record at fault when a page is refused (its rows are
// then sent one by one to find it; nothing of the page stays).
void insert_prepared_pages(Connection& connection, detail::InsertTarget& target,
                           StatementCache& cache, const Model& model, std::span<Record* const> rows,
                           bool alone);

}  // namespace tabula::dialect::mysql

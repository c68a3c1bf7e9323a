#include "dialect/mysql/mysql_prepared_insert.hpp"

#include <tabula/error.hpp>
#include <tabula/log.hpp>

#include "connection_access.hpp"
#include "detail/column_rules.hpp"
#include "dialect/read_back.hpp"
#include "dialect/row_sql.hpp"
#include "record_access.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <list>
#include <optional>
#include <type_traits>
#include <utility>

namespace tabula::dialect::mysql {
namespace {

using detail::ColumnFlags;
using detail::RecordAccess;
using detail::ResultSet;

constexpr std::size_t kRowsPerPage = 1000;
constexpr std::size_t kMaxPlaceholders = 65'535;
constexpr std::size_t kExactTail = 16;

// Rows giving the same columns.
struct Group {
  ColumnFlags given;
  std::vector<std::size_t> columns;
  std::vector<Record*> rows;
};
// Pages point into a group's rows while more groups are added: a move keeps them where they are.
static_assert(std::is_nothrow_move_constructible_v<Group>);

// Sorts `rows` (records of `model`) into groups of the same given columns, in order of first
// appearance, as far as asked: a flush's first page goes before its last row is looked at, and
// each row is looked at right before its page is made (its record in cache then).
class RowGrouper {
 public:
  RowGrouper(const Model& model, std::span<Record* const> rows, std::vector<Group>& groups)
      : mask_of_(model.table()), rows_(rows), groups_(groups) {}

  // Scans until the first group holds `wanted` rows or every row is scanned. The first group's
  // rows never move (room for all is made at once), so pages may point into them meanwhile.
  void scan_first_group_to(std::size_t wanted) {
    while (next_ < rows_.size() && (groups_.empty() || groups_.front().rows.size() < wanted)) {
      Record* r = rows_[next_++];
      ColumnFlags given = mask_of_(*r);
      if (groups_.empty() || !(groups_[last_].given == given)) {  // most often the last row's
        auto group = std::find_if(groups_.begin(), groups_.end(),
                                  [&](const Group& g) { return g.given == given; });
        if (group == groups_.end()) {
          group = groups_.insert(groups_.end(), Group{given, detail::given_columns(*r), {}});
          if (groups_.size() == 1) group->rows.reserve(rows_.size());
        }
        last_ = static_cast<std::size_t>(group - groups_.begin());
      }
      groups_[last_].rows.push_back(r);
    }
  }
  bool done() const noexcept { return next_ == rows_.size(); }

 private:
  const detail::GivenMask mask_of_;
  std::span<Record* const> rows_;
  std::vector<Group>& groups_;
  std::size_t next_ = 0;  // the first row not scanned
  std::size_t last_ = 0;  // the group of the row scanned last
};

// What a value adds to the execute packet, roughly (the null bitmap and types aside).
std::size_t packet_bytes(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::null:
      return 0;
    case Value::Kind::text:
      return v.get_if<std::string>()->size() + 9;
    case Value::Kind::bytes:
      return v.get_if<Bytes>()->size() + 9;
    case Value::Kind::decimal:
      return v.get_if<Decimal>()->str().size() + 9;
    default:
      return 13;
  }
}

class PageWriter;

// A page made ready to send: its rows, what it reads back, its statement and its values bound.
// Made while the page before it runs at the server.
struct ReadyPage {
  PageWriter* writer = nullptr;
  std::span<Record* const> rows;
  std::vector<std::size_t> returned;
  bool as_arrays = false;  // goes as one array run (then sql and binding are not made)
  std::string sql;
  std::vector<const Value*> params;
  // The statement its values were bound to, and the stamp of that bind(): bound while the page
  // before runs when its statement is prepared already, else when it starts.
  PreparedStatement* bound_to = nullptr;
  std::uint64_t stamp = 0;
  PreparedStatement* statement = nullptr;  // once started
};

// Writes rows of one table giving the same columns, page after page; kept for the next rows of
// that shape (pages sent ahead come a thousand at a time). Everything a page needs from its records
// (how many fit, what comes back, the values) is read while the page's records are in cache, right
// before the page is sent: a flush of 100k records walks them once, not once per step.
class PageWriter {
 public:
  PageWriter(Connection& connection, detail::InsertTarget& target, StatementCache& cache,
             const Model& model, const std::vector<std::size_t>& columns)
      : connection_(connection),
        target_(target),
        cache_(cache),
        table_(model.table()),
        model_(&model),
        columns_(columns),
        dialect_(detail::ConnectionAccess::dialect(connection)),
        families_(detail::families_of(table_, connection.dialect())),
        trigger_(target.has_before_insert_trigger(table_)),
        full_(rows_per_page(columns.size())),
        limit_(
            std::min<std::size_t>(connection.max_statement_bytes() - 1024, std::size_t{16} << 20)) {
    head_ = "INSERT INTO " + dialect_.quote_identifier(table_.name) + " (" +
            detail::column_list(dialect_, table_, columns) + ") VALUES ";
    row_ = detail::placeholder_row(columns.size());
    std::vector<std::size_t> every(table_.columns.size());
    for (std::size_t i = 0; i < every.size(); ++i) every[i] = i;
    longest_tail_ =
        std::string(" RETURNING ").size() + detail::column_list(dialect_, table_, every).size();
  }

  // Rows in a full page.
  std::size_t full() const noexcept { return full_; }

  // True when this writer writes rows of `model` giving `columns`.
  bool writes(const Model& model, const std::vector<std::size_t>& columns) const noexcept {
    return model_ == &model && columns_ == columns;
  }

  // The rows of `rest` the next statement takes: a full page, or fewer where the packet limit
  // cuts it; the last rows of the group go as one statement of their own size when they are
  // up to 16, and in powers of two when more (shapes that later flushes use again).
  std::span<Record* const> next_page(std::span<Record* const> rest) const {
    std::size_t n = 0;
    std::size_t bytes = head_.size() + longest_tail_;
    bool cut = false;  // by the packet limit
    while (n < rest.size() && n < full_) {
      std::size_t row = 0;
      for (std::size_t i : columns_) {
        row += packet_bytes(RecordAccess::value(*rest[n], i)) + 3;
      }
      if (n > 0 && bytes + row > limit_) {
        cut = true;
        break;
      }
      bytes += row;
      ++n;
    }
    if (!cut && n < full_ && n > kExactTail) n = std::bit_floor(n);
    return rest.first(n);
  }

  // Makes `page` ready to send into `out`. What it reads back is decided for the page's own
  // rows: the columns no record gave, and those one of them gave in a form the column may store
  // otherwise. Touches no connection; throws ValueError for a value the server cannot take.
  void make_ready(std::span<Record* const> page, bool arrays_allowed, ReadyPage& out) {
    out.writer = this;
    out.rows = page;
    out.statement = nullptr;
    out.returned = detail::columns_to_read_back(dialect_, table_, families_, page, trigger_);
    values_of(page, out.params);
    out.as_arrays = arrays_allowed && out.returned.empty() && page.size() > 1 &&
                    PreparedStatement::fits_arrays(out.params, page.size());
    if (out.as_arrays) return;
    out.sql = page_sql(page.size(), out.returned);
    out.bound_to = cache_.find(out.sql);
    out.stamp = out.bound_to != nullptr ? out.bound_to->bind(out.params) : 0;
  }

  // Sends a page made ready and returns without waiting for the server; finish() or abandon()
  // must follow before anything else uses the connection. An array page is sent and finished
  // here (nothing is left running).
  void start(ReadyPage& page) {
    if (page.as_arrays) {
      if (send_as_arrays(page)) return;
      make_ready(page.rows, false, page);  // it did not fit one array run after all
    }
    report_statement(page.sql, page.params.size());
    void* native = detail::ConnectionAccess::native_handle(connection_);
    try {
      page.statement = &cache_.get(native, page.sql);
      bind_if_needed(page, *page.statement);
      page.statement->start();
    } catch (const SqlError& e) {
      fail(page, e);
    }
  }

  // Waits for a started page and returns what it read back (load() puts that into its records).
  // Throws SqlError naming the table and, when the server refused a row, the record at fault
  // (found by sending the page's rows one by one, in a transaction so that none of them stays).
  ResultSet finish(ReadyPage& page) {
    if (page.statement == nullptr) return {};  // an array page, finished when started
    PreparedStatement* statement = std::exchange(page.statement, nullptr);
    try {
      return again_if_stale(
          page.sql, [&] { return statement->finish(); },
          [&](PreparedStatement& again) {
            bind_if_needed(page, again);
            again.start();
            return again.finish();
          });
    } catch (const SqlError& e) {
      fail(page, e);
    }
  }

  // Reports the page's rows inserted, with what finish() returned for them.
  void load(const ReadyPage& page, const ResultSet& result) {
    if (page.as_arrays) return;  // loaded when sent
    detail::load_inserted(target_, table_, families_, page.returned, page.rows, result);
  }

  // Finishes a started page whose flush is failing for another reason, keeping quiet about its
  // outcome (the failed flush rolls it back); a connection left mid-operation is not reused.
  void abandon(ReadyPage& page) noexcept {
    PreparedStatement* statement = std::exchange(page.statement, nullptr);
    if (statement == nullptr) return;
    try {
      statement->finish();
    } catch (const SqlError& e) {
      cache_.forget(page.sql);
      if (e.is_disconnect()) detail::ConnectionAccess::mark_broken(connection_);
    } catch (...) {
      detail::ConnectionAccess::mark_broken(connection_);
    }
  }

  // Sends `page` as one statement and waits for it.
  void send(std::span<Record* const> page, bool arrays_allowed) {
    ReadyPage ready;
    make_ready(page, arrays_allowed, ready);
    start(ready);
    ResultSet result = finish(ready);
    load(ready, result);
  }

 private:
  // Binds `page`'s values to `statement` unless they are what it holds: another page may have
  // been bound to it since, or it was prepared afresh.
  static void bind_if_needed(ReadyPage& page, PreparedStatement& statement) {
    if (page.bound_to != &statement || statement.bound() != page.stamp) {
      page.stamp = statement.bind(page.params);
      page.bound_to = &statement;
    }
  }

  // The statement for a page of `rows` rows reading back `returned`; the last one is kept, as
  // most pages of a flush are alike.
  const std::string& page_sql(std::size_t rows, const std::vector<std::size_t>& returned) {
    if (rows == sql_rows_ && returned == sql_returned_) return sql_;
    sql_ = head_;
    sql_.reserve(head_.size() + rows * (row_.size() + 2) + longest_tail_);
    for (std::size_t k = 0; k < rows; ++k) {
      if (k > 0) sql_ += ", ";
      sql_ += row_;
    }
    if (!returned.empty()) {
      sql_ += " RETURNING " + detail::column_list(dialect_, table_, returned);
    }
    sql_rows_ = rows;
    sql_returned_ = returned;
    return sql_;
  }

  // `first()`, and when the server says the tables under the cached statement for `sql` changed
  // (1615), `again()` on that statement prepared afresh.
  template <class First, class Again>
  auto again_if_stale(const std::string& sql, First first, Again again) -> decltype(first()) {
    try {
      return first();
    } catch (const SqlError& e) {
      if (!needs_reprepare(e)) throw;
      cache_.forget(sql);
      return again(cache_.get(detail::ConnectionAccess::native_handle(connection_), sql));
    }
  }

  // A failed page: its statement is closed (a failed run may keep the failure's state in the
  // client library), a lost connection is not reused, and a refused row is named.
  [[noreturn]] void fail(ReadyPage& page, const SqlError& e) {
    cache_.forget(page.sql);
    if (e.is_disconnect()) detail::ConnectionAccess::mark_broken(connection_);
    if (page.rows.size() > 1 && !e.is_disconnect() && !e.is_retryable()) {
      // The statement failed as a whole; find the record at fault by sending them one by one,
      // in a transaction so that none of them stays.
      target_.begin_transaction();
      for (Record* r : page.rows) send({&r, 1}, false);
    }
    throw e.with_context(detail::insert_context(table_, page.rows));
  }

  // The page's values, row after row, in the writer's column order.
  void values_of(std::span<Record* const> page, std::vector<const Value*>& params) const {
    params.clear();
    params.reserve(page.size() * columns_.size());
    for (Record* r : page) {
      for (std::size_t i : columns_) params.push_back(&RecordAccess::value(*r, i));
    }
  }

  // Sends a page made ready as one array run and loads it. False, having sent nothing, when its
  // values do not fit one run after all.
  bool send_as_arrays(ReadyPage& page) {
    std::string sql = head_ + row_;
    report_statement(sql, page.params.size());
    void* native = detail::ConnectionAccess::native_handle(connection_);
    std::optional<ResultSet> result;
    auto run = [&](PreparedStatement& statement) {
      return statement.execute_array(page.params, page.rows.size());
    };
    try {
      result = again_if_stale(
          sql, [&] { return run(cache_.get(native, sql)); }, run);
    } catch (const SqlError& e) {
      page.sql = sql;
      fail(page, e);
    }
    if (!result) return false;
    detail::load_inserted(target_, table_, families_, page.returned, page.rows, *result);
    return true;
  }

  Connection& connection_;
  detail::InsertTarget& target_;
  StatementCache& cache_;
  const Table& table_;
  const Model* model_;
  std::vector<std::size_t> columns_;  // the columns every row gives, in table order
  const detail::SqlDialect& dialect_;
  std::vector<detail::Family> families_;
  bool trigger_;              // the table has a BEFORE INSERT trigger: every column comes back
  std::size_t full_;          // rows in a full page
  std::size_t limit_;         // bytes a statement may take
  std::size_t longest_tail_;  // the longest RETURNING clause there may be
  std::string head_;
  std::string row_;
  std::string sql_;  // the last page's statement, for sql_rows_ rows
  std::size_t sql_rows_ = 0;
  std::vector<std::size_t> sql_returned_;
};

}  // namespace

std::size_t rows_per_page(std::size_t columns) {
  return std::max<std::size_t>(
      1, std::min(kRowsPerPage, kMaxPlaceholders / std::max<std::size_t>(1, columns)));
}

struct PagePipeline::State {
  // One send's rows by shape; kept while a page of theirs may be running.
  struct Batch {
    std::vector<Group> groups;
  };
  State(Connection& c, detail::InsertTarget& t, StatementCache& sc)
      : connection(c),
        target(t),
        cache(sc),
        arrays(PreparedStatement::server_takes_arrays(detail::ConnectionAccess::native_handle(c))) {
  }

  Connection& connection;
  detail::InsertTarget& target;
  StatementCache& cache;
  bool arrays;  // the server takes array runs
  std::list<Batch> batches;
  std::list<PageWriter> writers;  // one per table and column set, for every send
  std::array<ReadyPage, 2> slots;
  std::size_t next_slot = 0;
  ReadyPage* running = nullptr;  // started, not finished
  bool in_transaction = false;
};

PagePipeline::PagePipeline(Connection& connection, detail::InsertTarget& target,
                           StatementCache& cache)
    : state_(std::make_unique<State>(connection, target, cache)) {}

PagePipeline::~PagePipeline() {
  abandon();
}

// Each page is made ready before the one running is waited for, and the one that landed is
// loaded after the next one started. Rows are sorted into groups as pages need them.
std::vector<Record*> PagePipeline::send(const Model& model, std::span<Record* const> rows,
                                        bool alone, bool whole_pages_only) {
  std::vector<Record*> kept;
  if (rows.empty()) return kept;
  State& s = *state_;
  State::Batch& batch = s.batches.emplace_back();
  std::vector<Group>& groups = batch.groups;
  RowGrouper grouper(model, rows, groups);
  grouper.scan_first_group_to(1);
  bool started = false;  // a page of this send went (so the one running before it has landed)
  try {
    // The first group's pages go as its rows are scanned; when it is done, every row is.
    for (std::size_t g = 0; g < groups.size(); ++g) {
      auto known = std::find_if(s.writers.begin(), s.writers.end(), [&](const PageWriter& w) {
        return w.writes(model, groups[g].columns);
      });
      PageWriter& writer =
          known != s.writers.end()
              ? *known
              : s.writers.emplace_back(s.connection, s.target, s.cache, model, groups[g].columns);
      for (std::size_t sent = 0;;) {
        // A full page and a row more, so that a page taking every row scanned is not taken for
        // the last while rows are still to come.
        if (g == 0) grouper.scan_first_group_to(sent + writer.full() + 1);
        std::span<Record* const> rest = std::span<Record* const>(groups[g].rows).subspan(sent);
        if (rest.empty()) break;
        if (whole_pages_only && rest.size() < writer.full()) {
          kept.insert(kept.end(), rest.begin(), rest.end());
          break;
        }
        std::span<Record* const> page = writer.next_page(rest);
        sent += page.size();
        rest = rest.subspan(page.size());
        // Outside a transaction only a single statement goes alone (this is the first page:
        // nothing is running).
        if (!s.in_transaction &&
            (!alone || !grouper.done() || groups.size() > 1 || !rest.empty())) {
          s.target.begin_transaction();
          s.in_transaction = true;
        }
        ReadyPage& ready = s.slots[s.next_slot];
        s.next_slot ^= 1;
        writer.make_ready(page, s.arrays, ready);
        ReadyPage* landed = std::exchange(s.running, nullptr);
        ResultSet result;
        if (landed != nullptr) result = landed->writer->finish(*landed);
        writer.start(ready);
        started = true;
        if (!ready.as_arrays) s.running = &ready;
        if (landed != nullptr) landed->writer->load(*landed, result);
      }
    }
  } catch (...) {
    abandon();
    throw;
  }
  if (started) {
    // The sends before this one have nothing running any more.
    while (s.batches.size() > 1) s.batches.pop_front();
  } else {
    // Nothing of this send went; the page running, if any, is an earlier send's and keeps its
    // rows.
    s.batches.pop_back();
  }
  return kept;
}

void PagePipeline::land() {
  State& s = *state_;
  if (ReadyPage* last = std::exchange(s.running, nullptr)) {
    try {
      ResultSet result = last->writer->finish(*last);
      last->writer->load(*last, result);
    } catch (...) {
      s.batches.clear();
      throw;
    }
  }
  s.batches.clear();
}

void PagePipeline::abandon() noexcept {
  State& s = *state_;
  if (ReadyPage* running = std::exchange(s.running, nullptr)) running->writer->abandon(*running);
  s.batches.clear();
}

void insert_prepared_pages(Connection& connection, detail::InsertTarget& target,
                           StatementCache& cache, const Model& model, std::span<Record* const> rows,
                           bool alone) {
  PagePipeline pipeline(connection, target, cache);
  pipeline.send(model, rows, alone);
  pipeline.land();
}

}  // namespace tabula::dialect::mysql

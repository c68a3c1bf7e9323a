#include <tabula/session.hpp>

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/log.hpp>

#include "detail/catalog.hpp"
#include "detail/column_rules.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <map>
#include <set>

namespace tabula {
namespace {

std::string quote_identifier(Dialect dialect, const std::string& name) {
  char q = dialect == Dialect::mysql ? '`' : '"';
  std::string out(1, q);
  for (char c : name) {
    if (c == q) out += q;
    out += c;
  }
  return out + q;
}

// What RETURNING asks for each column. MySQL dates, times and decimals come back as text (SOCI
// would turn dates into std::tm and lose fractional seconds); BIT as a number.
std::string returned_expression(Dialect dialect, const Column& c) {
  std::string name = quote_identifier(dialect, c.name);
  if (dialect != Dialect::mysql) return name;
  const std::string& t = c.data_type;
  if (t == "date" || t == "datetime" || t == "timestamp" || t == "time" || t == "decimal") {
    return "CAST(" + name + " AS CHAR)";
  }
  if (t == "bit") return "CAST(" + name + " AS UNSIGNED)";
  return name;
}

// Owns the bound values of one statement: SOCI keeps references to them until it executes.
class Binder {
 public:
  explicit Binder(soci::statement& statement) : statement_(statement) {}

  void bind(const Value& v) {
    indicators_.push_back(v.is_null() ? soci::i_null : soci::i_ok);
    soci::indicator& ind = indicators_.back();
    switch (v.kind()) {
      case Value::Kind::int64:
        ints_.push_back(v.get<std::int64_t>());
        statement_.exchange(soci::use(ints_.back(), ind));
        return;
      case Value::Kind::uint64:
        uints_.push_back(v.get<std::uint64_t>());
        statement_.exchange(soci::use(uints_.back(), ind));
        return;
      case Value::Kind::real:
        doubles_.push_back(v.get<double>());
        statement_.exchange(soci::use(doubles_.back(), ind));
        return;
      case Value::Kind::null:
        strings_.emplace_back();
        break;
      case Value::Kind::decimal:
        strings_.push_back(v.get<Decimal>().str());
        break;
      case Value::Kind::text:
        strings_.push_back(v.get<std::string>());
        break;
      case Value::Kind::bytes: {
        const Bytes& b = v.get<Bytes>();
        strings_.emplace_back(reinterpret_cast<const char*>(b.data()), b.size());
        break;
      }
      case Value::Kind::date:
      case Value::Kind::datetime:
      case Value::Kind::time:
        strings_.push_back(v.to_string());  // ISO text both servers read
        break;
    }
    statement_.exchange(soci::use(strings_.back(), ind));
  }

 private:
  soci::statement& statement_;
  std::deque<soci::indicator> indicators_;
  std::deque<long long> ints_;
  std::deque<unsigned long long> uints_;
  std::deque<double> doubles_;
  std::deque<std::string> strings_;
};

// Tables of the pending records, parents before children (foreign keys inside the set), ties in
// the order the tables were first staged. Self-references and cycles keep staging order.
std::vector<const Model*> insert_order(const std::vector<Record*>& pending) {
  std::vector<const Model*> staged;
  for (Record* r : pending) {
    if (std::find(staged.begin(), staged.end(), &r->model()) == staged.end()) {
      staged.push_back(&r->model());
    }
  }
  std::vector<const Model*> ordered;
  std::set<const Model*> done;
  while (ordered.size() < staged.size()) {
    bool progressed = false;
    for (const Model* m : staged) {
      if (done.count(m)) continue;
      bool ready =
          std::all_of(m->table().foreign_keys.begin(), m->table().foreign_keys.end(),
                      [&](const ForeignKey& fk) {
                        if (fk.referenced_table == m->name()) return true;
                        return std::none_of(staged.begin(), staged.end(), [&](const Model* other) {
                          return other->name() == fk.referenced_table && !done.count(other);
                        });
                      });
      if (ready) {
        ordered.push_back(m);
        done.insert(m);
        progressed = true;
      }
    }
    if (!progressed) {  // a cycle: the rest in staging order
      for (const Model* m : staged) {
        if (done.insert(m).second) ordered.push_back(m);
      }
    }
  }
  return ordered;
}

}  // namespace

Session::~Session() {
  rollback();
}

Session::Session(Session&& other) noexcept
    : engine_(other.engine_),
      where_(other.where_),
      lease_(std::move(other.lease_)),
      in_transaction_(std::exchange(other.in_transaction_, false)),
      records_(std::move(other.records_)),
      pending_(std::move(other.pending_)) {
  other.lease_.reset();
}

Session& Session::operator=(Session&& other) noexcept {
  if (this != &other) {
    rollback();
    engine_ = other.engine_;
    where_ = other.where_;
    lease_ = std::move(other.lease_);
    other.lease_.reset();
    in_transaction_ = std::exchange(other.in_transaction_, false);
    records_ = std::move(other.records_);
    pending_ = std::move(other.pending_);
  }
  return *this;
}

Connection& Session::connection() {
  if (!lease_) lease_.emplace(engine_->pool().checkout(where_));
  if (!in_transaction_) {
    (*lease_)->execute("BEGIN");
    in_transaction_ = true;
  }
  return **lease_;
}

Record& Session::add(Record record) {
  record.check_insertable();
  records_.push_back(std::move(record));
  pending_.push_back(&records_.back());
  return records_.back();
}

void Session::insert(Record& record) {
  const Model& model = record.model();
  const Table& table = model.table();
  Dialect dialect = engine_->dialect();
  Connection& conn = connection();
  if (dialect == Dialect::mysql && !conn.is_mariadb()) {
    throw Error(
        "inserting through a Session needs INSERT ... RETURNING (MariaDB 10.5+ or "
        "SQLite 3.35+); MySQL's LAST_INSERT_ID() path is not built yet");
  }
  std::string columns;
  std::string placeholders;
  std::vector<const Value*> values;
  for (const Column& c : table.columns) {
    if (!record.is_set(c.name)) continue;
    const Value& v = record.get(c.name);
    if (v.is_null() && c.auto_increment) continue;  // NULL means "assign one"
    columns += (columns.empty() ? "" : ", ") + quote_identifier(dialect, c.name);
    placeholders += (placeholders.empty() ? ":v" : ", :v") + std::to_string(values.size());
    values.push_back(&v);
  }
  std::string returning;
  for (const Column& c : table.columns) {
    returning += (returning.empty() ? "" : ", ") + returned_expression(dialect, c);
  }
  std::string sql = "INSERT INTO " + quote_identifier(dialect, table.name);
  if (columns.empty()) {
    sql += dialect == Dialect::mysql ? " () VALUES ()" : " DEFAULT VALUES";
  } else {
    sql += " (" + columns + ") VALUES (" + placeholders + ")";
  }
  sql += " RETURNING " + returning;

  std::vector<std::optional<std::string>> returned;
  try {
    conn.run([&](soci::session& s) {
      soci::statement statement(s);
      Binder binder(statement);
      for (const Value* v : values) binder.bind(*v);
      soci::row row;
      statement.exchange(soci::into(row));
      statement.alloc();
      statement.prepare(sql);
      statement.define_and_bind();
      if (statement.execute(true)) {
        for (std::size_t i = 0; i < row.size(); ++i) returned.push_back(detail::text(row, i));
      }
    });
  } catch (const SqlError& e) {
    throw SqlError(std::string(e.what()) + " (while inserting into " + table.name + ": " +
                       record.to_json() + ")",
                   e.code(), e.sqlstate(), e.is_disconnect());
  }
  if (returned.size() == table.columns.size()) {
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      record.load(i, detail::from_database_text(table.columns[i], returned[i], dialect));
    }
  }
}

void Session::flush() {
  if (pending_.empty()) return;
  try {
    for (const Model* model : insert_order(pending_)) {
      for (Record* record : pending_) {
        if (&record->model() == model) insert(*record);
      }
    }
  } catch (...) {
    // Nothing half-sent survives: roll the transaction back, keep the records staged.
    std::vector<Record*> keep = pending_;
    rollback();
    pending_ = std::move(keep);
    throw;
  }
  pending_.clear();
}

void Session::commit() {
  flush();
  if (lease_ && in_transaction_) {
    (*lease_)->execute("COMMIT");
    in_transaction_ = false;
  }
  lease_.reset();
}

void Session::rollback() noexcept {
  pending_.clear();
  if (lease_ && in_transaction_) {
    try {
      (*lease_)->execute("ROLLBACK");
    } catch (const Error& e) {
      // The pool closes a connection it cannot reset; nothing was committed either way.
      log(LogLevel::warning, std::string("session rollback failed: ") + e.what());
    }
  }
  in_transaction_ = false;
  lease_.reset();
}

}  // namespace tabula

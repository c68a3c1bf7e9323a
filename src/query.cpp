#include <tabula/query.hpp>

#include <tabula/automap.hpp>
#include <tabula/error.hpp>

#include "detail/placeholders.hpp"
#include "dialect/sql_dialect.hpp"
#include "session/session_state.hpp"

#include <algorithm>
#include <cctype>

namespace tabula {

using detail::UseCheck;

namespace {

const detail::SqlDialect& dialect_of(const detail::SessionState& state) {
  return detail::sql_dialect(state.engine().dialect());
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

Query& Query::where_values(std::string_view condition, std::vector<Value> values) {
  // Counted here for an error that names the condition. The connection's own modes decide when
  // the statement runs (MySQL's NO_BACKSLASH_ESCAPES: 'C:\' is a whole string there), so a
  // count that fits either way of reading a backslash is taken.
  detail::SqlLexicon lexicon = dialect_of(*state_).lexicon();
  std::size_t holes = detail::placeholder_positions(condition, lexicon).size();
  if (holes != values.size() && lexicon.backslash_escapes) {
    lexicon.backslash_escapes = false;
    std::size_t literal_backslashes = detail::placeholder_positions(condition, lexicon).size();
    if (literal_backslashes == values.size()) holes = literal_backslashes;
  }
  if (holes != values.size()) {
    throw Error("where(\"" + std::string(condition) + "\"): " + std::to_string(holes) +
                " placeholder(s) but " + std::to_string(values.size()) + " value(s)");
  }
  conditions_.push_back("(" + std::string(condition) + ")");
  for (Value& v : values) values_.push_back(std::move(v));
  return *this;
}

Query& Query::filter(std::string_view column, Value value) {
  std::size_t i = model_->column_index(column);
  std::string name = dialect_of(*state_).quote_identifier(model_->table().columns[i].name);
  if (value.is_null()) {
    conditions_.push_back(name + " IS NULL");
  } else {
    conditions_.push_back(name + " = ?");
    // Checked and brought into the column's form like a value being set; a generated column
    // cannot be set, but it can be compared.
    bool generated = model_->table().columns[i].generated != Generated::none;
    values_.push_back(generated ? std::move(value) : model_->admit(i, std::move(value)));
  }
  return *this;
}

Query& Query::order_by(std::string_view spec) {
  std::string_view column = spec;
  std::string direction;
  if (auto space = spec.find_last_of(' '); space != std::string_view::npos) {
    std::string word = lowercase(spec.substr(space + 1));
    if (word == "asc" || word == "desc") {
      direction = word == "desc" ? " DESC" : " ASC";
      column = spec.substr(0, space);
      column = column.substr(0, column.find_last_not_of(' ') + 1);
    }
  }
  std::size_t i = model_->column_index(column);  // ValidationError with the closest names
  order_.push_back(dialect_of(*state_).quote_identifier(model_->table().columns[i].name) +
                   direction);
  return *this;
}

Query& Query::limit(std::uint64_t rows) {
  limit_ = rows;
  return *this;
}

Query& Query::offset(std::uint64_t rows) {
  offset_ = rows;
  return *this;
}

std::string Query::from_where() const {
  std::string sql = " FROM " + dialect_of(*state_).quote_identifier(model_->table().name);
  for (std::size_t k = 0; k < conditions_.size(); ++k) {
    sql += (k == 0 ? " WHERE " : " AND ") + conditions_[k];
  }
  return sql;
}

std::string Query::sql() const {
  const detail::SqlDialect& dialect = dialect_of(*state_);
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < model_->table().columns.size(); ++i) {
    sql += (i == 0 ? "" : ", ") + dialect.quote_identifier(model_->table().columns[i].name);
  }
  sql += from_where();
  for (std::size_t k = 0; k < order_.size(); ++k) sql += (k == 0 ? " ORDER BY " : ", ") + order_[k];
  if (limit_ || offset_) {
    // MySQL and SQLite want a LIMIT before an OFFSET.
    sql += " LIMIT " + (limit_ ? std::to_string(*limit_) : std::string(dialect.no_row_limit()));
  }
  if (offset_) sql += " OFFSET " + std::to_string(*offset_);
  return sql;
}

std::vector<Record*> Query::all() {
  UseCheck use(*state_);
  state_->flush();  // the query sees the session's own changes
  detail::ResultSet result = detail::run_statement(state_->tx.connection(), sql(), values_);
  std::vector<Record*> records;
  records.reserve(result.rows());
  std::vector<detail::Family> families =
      detail::families_of(model_->table(), state_->engine().dialect());
  for (std::size_t row = 0; row < result.rows(); ++row) {
    records.push_back(state_->unit.adopt(*model_, families, result, row));
  }
  return records;
}

Record* Query::first() {
  std::optional<std::uint64_t> saved = limit_;
  limit_ = 1;
  std::vector<Record*> records;
  try {
    records = all();
  } catch (...) {
    limit_ = saved;
    throw;
  }
  limit_ = saved;
  return records.empty() ? nullptr : records.front();
}

std::uint64_t Query::count() {
  UseCheck use(*state_);
  state_->flush();
  std::string sql;
  if (limit_ || offset_) {
    sql = "SELECT COUNT(*) FROM (" + this->sql() + ") AS counted";
  } else {
    sql = "SELECT COUNT(*)" + from_where();
  }
  detail::ResultSet result = detail::run_statement(state_->tx.connection(), sql, values_);
  return result.rows() == 1 && result.at(0, 0) ? std::stoull(std::string(*result.at(0, 0))) : 0;
}

}  // namespace tabula

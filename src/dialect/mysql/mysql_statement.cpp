#include "dialect/mysql/mysql_statement.hpp"

#include "detail/iso_text.hpp"
#include "detail/placeholders.hpp"
#include "dialect/mysql/mysql_dialect.hpp"

#include <mysql.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace tabula::dialect::mysql {
namespace {

[[noreturn]] void throw_last_error(MYSQL* conn) {
  throw_error(mysql_errno(conn), mysql_sqlstate(conn), mysql_error(conn));
}

// BIT columns arrive as big-endian bytes in the text protocol; tabula reads them as numbers.
std::string bit_text(const char* data, unsigned long length) {
  std::uint64_t n = 0;
  for (unsigned long i = 0; i < length; ++i) n = (n << 8) | static_cast<unsigned char>(data[i]);
  return std::to_string(n);
}

// "Rows matched: 3  Changed: 1  Warnings: 0" (mysql_info after an UPDATE).
std::uint64_t rows_matched(MYSQL* conn, std::uint64_t affected) {
  const char* info = mysql_info(conn);
  if (info == nullptr) return affected;
  const char* matched = std::strstr(info, "matched: ");
  return matched == nullptr ? affected : std::strtoull(matched + 9, nullptr, 10);
}

// The result of the statement just run: its rows as text, or the counts of a statement without
// rows.
detail::ResultSet read_stored(MYSQL* conn) {
  detail::ResultSet result;
  std::shared_ptr<MYSQL_RES> res(mysql_store_result(conn), [](MYSQL_RES* r) {
    if (r != nullptr) mysql_free_result(r);
  });
  if (!res) {
    if (mysql_field_count(conn) != 0) throw_last_error(conn);  // rows expected, none read
    result.affected_rows = mysql_affected_rows(conn);
    result.matched_rows = rows_matched(conn, result.affected_rows);
    result.last_insert_id = mysql_insert_id(conn);
    return result;
  }
  result.columns = mysql_num_fields(res.get());
  MYSQL_FIELD* fields = mysql_fetch_fields(res.get());
  result.cells.reserve(result.columns * mysql_num_rows(res.get()));
  while (MYSQL_ROW row = mysql_fetch_row(res.get())) {
    unsigned long* lengths = mysql_fetch_lengths(res.get());
    for (std::size_t i = 0; i < result.columns; ++i) {
      if (row[i] == nullptr) {
        result.cells.emplace_back();
      } else if (fields[i].type == MYSQL_TYPE_BIT) {
        result.cells.emplace_back(result.copies.emplace_back(bit_text(row[i], lengths[i])));
      } else {
        result.cells.emplace_back(std::in_place, row[i], lengths[i]);
      }
    }
  }
  if (mysql_errno(conn) != 0) throw_last_error(conn);
  result.affected_rows = mysql_affected_rows(conn);
  result.matched_rows = result.affected_rows;
  result.buffer = std::move(res);  // the cells point into it
  return result;
}

template <class Integer>
void append_integer(std::string& out, Integer n) {
  char text[24];
  out.append(text, std::to_chars(text, text + sizeof text, n).ptr);
}

}  // namespace

void throw_error(unsigned code, const char* sqlstate, const char* message) {
  int n = static_cast<int>(code);
  std::string text = message;
  text += " (MySQL error " + std::to_string(n) + ", SQLSTATE " + sqlstate + ")";
  throw SqlError(text, n, sqlstate, is_disconnect_code(n), is_retryable_code(n));
}

void append_literal(void* native, const Value& value, std::string& out) {
  auto* conn = static_cast<MYSQL*>(native);
  switch (value.kind()) {
    case Value::Kind::null:
      out += "NULL";
      return;
    case Value::Kind::int64:
      append_integer(out, value.get<std::int64_t>());
      return;
    case Value::Kind::uint64:
      append_integer(out, value.get<std::uint64_t>());
      return;
    case Value::Kind::real: {
      double d = value.get<double>();
      if (!std::isfinite(d)) throw ValueError("MySQL cannot store " + value.to_string());
      char text[32];
      std::snprintf(text, sizeof text, "%.17g", d);
      out += text;
      return;
    }
    case Value::Kind::decimal:
      out += value.get_if<Decimal>()->str();  // checked syntax: sign, digits, point
      return;
    case Value::Kind::bytes: {
      static constexpr char hex[] = "0123456789ABCDEF";
      const Bytes& bytes = *value.get_if<Bytes>();
      out += "X'";
      for (std::byte b : bytes) {
        out += hex[std::to_integer<unsigned>(b) >> 4];
        out += hex[std::to_integer<unsigned>(b) & 0xF];
      }
      out += '\'';
      return;
    }
    case Value::Kind::text: {
      const std::string& text = *value.get_if<std::string>();
      std::size_t start = out.size();
      out.resize(start + 2 * text.size() + 3);
      out[start] = '\'';
      unsigned long n =
          mysql_real_escape_string(conn, out.data() + start + 1, text.data(), text.size());
      out.resize(start + 1 + n);
      out += '\'';
      return;
    }
    case Value::Kind::date:
    case Value::Kind::datetime:
    case Value::Kind::time:
      out += '\'';
      detail::append_iso_text(out, value);  // digits, '-', ':', '.', ' '
      out += '\'';
      return;
  }
}

detail::ResultSet run_statement(void* native, std::string_view sql, std::span<const Value> params) {
  auto* conn = static_cast<MYSQL*>(native);
  std::string text;
  if (params.empty()) {
    text = sql;
  } else {
    // The connection's sql_mode decides whether a backslash escapes a quote; the server says
    // (as it does to mysql_real_escape_string, which writes the values).
    bool no_backslash_escapes = (conn->server_status & SERVER_STATUS_NO_BACKSLASH_ESCAPES) != 0;
    std::vector<std::size_t> holes =
        detail::placeholder_positions(sql, detail::mysql_lexicon(no_backslash_escapes));
    if (holes.size() != params.size()) {
      throw Error("statement has " + std::to_string(holes.size()) + " placeholders but " +
                  std::to_string(params.size()) + " values were given: " + std::string(sql));
    }
    text.reserve(sql.size() + params.size() * 16);
    std::size_t from = 0;
    for (std::size_t i = 0; i < holes.size(); ++i) {
      text.append(sql.substr(from, holes[i] - from));
      append_literal(conn, params[i], text);
      from = holes[i] + 1;
    }
    text.append(sql.substr(from));
  }
  if (mysql_real_query(conn, text.data(), text.size()) != 0) throw_last_error(conn);
  return read_stored(conn);
}

void send_statement(void* native, std::string_view text) {
  auto* conn = static_cast<MYSQL*>(native);
  if (mysql_send_query(conn, text.data(), text.size()) != 0) throw_last_error(conn);
}

detail::ResultSet read_result(void* native) {
  auto* conn = static_cast<MYSQL*>(native);
  if (mysql_read_query_result(conn) != 0) throw_last_error(conn);
  return read_stored(conn);
}

std::size_t max_allowed_packet(void* native) {
  detail::ResultSet r = run_statement(native, "SELECT @@max_allowed_packet", {});
  if (r.rows() != 1 || !r.at(0, 0)) return 16 * 1024 * 1024;
  return static_cast<std::size_t>(std::stoull(std::string(*r.at(0, 0))));
}

}  // namespace tabula::dialect::mysql

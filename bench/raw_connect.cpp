#include "raw_connect.hpp"

#include <charconv>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace tabula::bench {
namespace {

constexpr unsigned kDefaultConnectTimeoutSeconds = 10;  // tabula's default
constexpr const char* kDefaultCharset = "utf8mb4";      // tabula's default

// `name`'s value in whole seconds, rounded up (at least 1), as tabula reads durations: a number
// with an optional unit ms, s, m (or min) or h; a bare number is seconds.
std::optional<unsigned> seconds_option(const Url& url, std::string_view name) {
  std::optional<std::string> text = url.option(name);
  if (!text) return std::nullopt;
  auto invalid = [&] {
    return std::runtime_error("option '" + std::string(name) + "' = '" + *text +
                              "' is not a duration");
  };
  std::uint64_t value = 0;
  const char* begin = text->data();
  const char* last = text->data() + text->size();
  auto [end, ec] = std::from_chars(begin, last, value);
  if (ec != std::errc{} || end == begin) throw invalid();
  std::string_view unit(end, static_cast<std::size_t>(last - end));
  std::uint64_t ms_per_unit = 0;
  if (unit.empty() || unit == "s") {
    ms_per_unit = 1000;
  } else if (unit == "ms") {
    ms_per_unit = 1;
  } else if (unit == "m" || unit == "min") {
    ms_per_unit = 60'000;
  } else if (unit == "h") {
    ms_per_unit = 3'600'000;
  } else {
    throw invalid();
  }
  if (value > (UINT64_MAX - 999) / ms_per_unit) throw invalid();
  std::uint64_t seconds = (value * ms_per_unit + 999) / 1000;
  if (seconds > 0xffff'ffffU) throw invalid();
  return seconds == 0 ? 1U : static_cast<unsigned>(seconds);
}

// SOCI's connect-string quoting: single quotes, a backslash before ' and \.
std::string quoted(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

const char* or_null(const std::string& text) {
  return text.empty() ? nullptr : text.c_str();
}

}  // namespace

std::string soci_connect_string(const Url& url) {
  std::string out;
  auto add = [&out](std::string_view name, std::string_view value) {
    out += std::string(name) + "=" + quoted(value) + " ";
  };
  if (!url.user().empty()) add("user", url.user());
  if (url.has_password()) add("password", url.password());
  if (!url.host().empty()) add("host", url.host());
  if (!url.host().empty() || url.port()) add("port", std::to_string(url.effective_port()));
  if (!url.socket().empty()) add("unix_socket", url.socket());
  if (!url.database().empty()) add("db", url.database());
  add("charset", url.option("charset").value_or(kDefaultCharset));
  add("connect_timeout",
      std::to_string(
          seconds_option(url, "connect_timeout").value_or(kDefaultConnectTimeoutSeconds)));
  for (std::string_view name : {"read_timeout", "write_timeout"}) {
    if (auto seconds = seconds_option(url, name)) add(name, std::to_string(*seconds));
  }
  for (std::string_view name : {"sslca", "sslcert", "sslkey"}) {
    if (auto value = url.option(name)) add(name, *value);
  }
  return out;
}

RawConnection::RawConnection(const Url& url) : conn_(mysql_init(nullptr)) {
  if (conn_ == nullptr) throw std::runtime_error("raw connect: mysql_init failed");
  std::string charset = url.option("charset").value_or(kDefaultCharset);
  unsigned connect_timeout =
      seconds_option(url, "connect_timeout").value_or(kDefaultConnectTimeoutSeconds);
  std::optional<unsigned> read_timeout = seconds_option(url, "read_timeout");
  std::optional<unsigned> write_timeout = seconds_option(url, "write_timeout");
  mysql_options(conn_, MYSQL_SET_CHARSET_NAME, charset.c_str());
  mysql_options(conn_, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  if (read_timeout) mysql_options(conn_, MYSQL_OPT_READ_TIMEOUT, &*read_timeout);
  if (write_timeout) mysql_options(conn_, MYSQL_OPT_WRITE_TIMEOUT, &*write_timeout);
  std::optional<std::string> ca = url.option("sslca");
  std::optional<std::string> cert = url.option("sslcert");
  std::optional<std::string> key = url.option("sslkey");
  if (ca || cert || key) {
    mysql_ssl_set(conn_, key ? key->c_str() : nullptr, cert ? cert->c_str() : nullptr,
                  ca ? ca->c_str() : nullptr, nullptr, nullptr);
  }
  // As SOCI does for tabula: the port matters only over TCP, the socket only on localhost.
  unsigned port = !url.host().empty() || url.port() ? url.effective_port() : 0;
  if (mysql_real_connect(conn_, or_null(url.host()), or_null(url.user()),
                         url.has_password() ? url.password().c_str() : nullptr,
                         or_null(url.database()), port, or_null(url.socket()), 0) == nullptr) {
    std::string error = mysql_error(conn_);
    mysql_close(conn_);
    throw std::runtime_error("raw connect to " + url.to_string() + ": " + error);
  }
}

RawConnection::~RawConnection() {
  mysql_close(conn_);
}

void RawConnection::query(const std::string& sql) {
  if (mysql_real_query(conn_, sql.data(), sql.size()) != 0) {
    throw std::runtime_error("raw query: " + std::string(mysql_error(conn_)));
  }
}

std::vector<std::string> RawConnection::row(const std::string& sql) {
  query(sql);
  MYSQL_RES* res = mysql_store_result(conn_);
  std::vector<std::string> out;
  if (res == nullptr) return out;
  if (MYSQL_ROW r = mysql_fetch_row(res)) {
    for (unsigned i = 0; i < mysql_num_fields(res); ++i) out.emplace_back(r[i] ? r[i] : "NULL");
  }
  mysql_free_result(res);
  return out;
}

}  // namespace tabula::bench

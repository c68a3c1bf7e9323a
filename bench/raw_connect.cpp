#include "raw_connect.hpp"

#include "detail/duration.hpp"
#include "dialect/mysql/mysql_dialect.hpp"
#include "dialect/mysql/mysql_tls.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace tabula::bench {
namespace {

// A duration option in whole seconds, rounded up (at least 1), read as tabula reads it.
std::optional<unsigned> seconds_option(const Url& url, std::string_view name) {
  std::optional<std::string> text = url.option(name);
  if (!text) return std::nullopt;
  auto ms = detail::parse_duration(*text, "option '" + std::string(name) + "'");
  return static_cast<unsigned>(std::max<std::int64_t>(1, (ms.count() + 999) / 1000));
}

const char* or_null(const std::string& text) {
  return text.empty() ? nullptr : text.c_str();
}

}  // namespace

std::string soci_connect_string(const Url& url) {
  return dialect::mysql::connect_string(url, std::nullopt);
}

RawConnection::RawConnection(const Url& url) {
  // Every option is read (and may be refused) before there is a handle to leak.
  std::string charset = url.option("charset").value_or("utf8mb4");  // tabula's default
  unsigned connect_timeout = seconds_option(url, "connect_timeout").value_or(10);  // likewise
  std::optional<unsigned> read_timeout = seconds_option(url, "read_timeout");
  std::optional<unsigned> write_timeout = seconds_option(url, "write_timeout");
  // TLS as tabula's connections have it: the same settings, set by the same function.
  dialect::mysql::TlsSettings tls = dialect::mysql::tls_settings(url);  // UrlError when bad
  conn_ = mysql_init(nullptr);
  if (conn_ == nullptr) throw std::runtime_error("raw connect: mysql_init failed");
  mysql_options(conn_, MYSQL_SET_CHARSET_NAME, charset.c_str());
  mysql_options(conn_, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  if (read_timeout) mysql_options(conn_, MYSQL_OPT_READ_TIMEOUT, &*read_timeout);
  if (write_timeout) mysql_options(conn_, MYSQL_OPT_WRITE_TIMEOUT, &*write_timeout);
  if (dialect::mysql::uses_tls(url, tls) && !dialect::mysql::apply_tls_options(conn_, tls)) {
    mysql_close(conn_);
    throw std::runtime_error("raw connect to " + url.to_string() +
                             ": Connector/C refused the TLS options");
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
  // Connector/C falls back to plaintext when the server offers no TLS; the levels that promise
  // TLS refuse that, as tabula does.
  if (tls.mode >= dialect::mysql::SslMode::required && dialect::mysql::tls_cipher(conn_).empty()) {
    mysql_close(conn_);
    throw std::runtime_error("raw connect to " + url.to_string() +
                             ": TLS missing: the server does not offer TLS (ssl_mode=" +
                             std::string(dialect::mysql::to_string(tls.mode)) + ")");
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

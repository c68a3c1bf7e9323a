#pragma once

// The comparison clients' connections, made from the same tabula::Url that tabula is given, so a
// benchmark measures both sides against the same server over the same transport. Every part of
// the URL that tabula honours and the client can take is passed on, with tabula's defaults: user,
// password, host, port, unix socket (`?socket=`), database, and the options charset (default
// utf8mb4), connect_timeout (default 10s), read_timeout, write_timeout, and TLS as tabula reads
// it (ssl_mode, sslca, sslcapath, sslcert, sslkey, sslcrl, tls_version; tabula's own function
// sets them on the handle).
// Durations are written as tabula takes them (250ms, 5s, 2m, 1h, or seconds) and rounded up to
// whole seconds, as tabula does. Options only tabula understands (returning, pool sizes) are left
// out.
//
//   tabula::Url url("mysql://root@localhost/bench?socket=/tmp/db/mysqld.sock");
//   tabula::bench::RawConnection raw(url);                       // libmysqlclient
//   raw.query("TRUNCATE TABLE t");
//   soci::session sql(*soci::factory_mysql(), tabula::bench::soci_connect_string(url));

#include <tabula/url.hpp>

#include <mysql.h>

#include <string>
#include <vector>

namespace tabula::bench {

// The SOCI MySQL connect string for `url`: the one tabula's MySQL dialect gives SOCI. Throws
// tabula::UrlError when an option's value is not a duration where one is needed.
std::string soci_connect_string(const Url& url);

// A libmysqlclient (MariaDB Connector/C) connection, open for the object's lifetime and closed by
// its destructor. Neither copyable nor movable; not thread-safe (one thread at a time).
class RawConnection {
 public:
  // Connects as `url` says. Throws std::runtime_error naming the URL (password hidden) and the
  // client's error when it cannot, tabula::UrlError for a bad duration option.
  explicit RawConnection(const Url& url);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  MYSQL* get() { return conn_; }
  // Runs `sql`, leaving any result set unread. Throws std::runtime_error with the server's error.
  void query(const std::string& sql);
  // Runs `sql` and returns its first row as text ("NULL" for NULL), or nothing when it has none.
  std::vector<std::string> row(const std::string& sql);

 private:
  MYSQL* conn_ = nullptr;
};

}  // namespace tabula::bench

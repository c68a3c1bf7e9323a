#pragma once

// Database URLs: where to connect and how.
//
//   mysql://user:pass@host:port/db?opt=val     TCP; port defaults to 3306 ("mariadb://" too)
//   mysql://user:pass@[::1]:3307/db            IPv6 host in brackets
//   mysql://user@/db?socket=/run/mysqld.sock   unix socket, no host
//   mysql://user:pass@db1,db2:3307/db          a list of hosts (a cluster: docs/cluster.md)
//   sqlite:///var/lib/app/data.db              absolute path (three slashes)
//   sqlite://data/app.db                       relative path
//   sqlite://:memory:                          private in-memory database
//
// User, password, host, database, option names and values are percent-decoded ("p%40ss" is
// "p@ss"). A Url is a plain value: copyable, immutable, safe to share between threads.
// `to_string()` and `operator<<` print the password as "***" so a Url can be logged.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tabula {

// The SQL dialect a URL speaks; it picks the SOCI backend, quoting rules and catalog reader.
enum class Dialect { mysql, sqlite };

std::string_view to_string(Dialect dialect) noexcept;

class Url {
 public:
  using Option = std::pair<std::string, std::string>;

  // One host of a host list: its name or address (IPv6 without brackets) and port, if given.
  struct Host {
    std::string name;
    std::optional<std::uint16_t> port;

    // "name:port", IPv6 addresses in brackets: no password, safe to log.
    std::string to_string() const;
    friend bool operator==(const Host&, const Host&) = default;
  };

  static constexpr std::uint16_t default_mysql_port = 3306;

  // Parses `text`. Throws UrlError naming the part at fault when the scheme
  // is unknown, the port is not a number in 1..65535, a bracketed IPv6 host is unterminated, a
  // percent-escape is malformed, an option is repeated, and so on. The message quotes the bad
  // fragment only when the URL holds no password, so it can never show (part of) a password.
  explicit Url(std::string_view text);

  Dialect dialect() const noexcept { return dialect_; }
  // The scheme as written: "mysql", "mariadb" or "sqlite".
  const std::string& scheme() const noexcept { return scheme_; }
  const std::string& user() const noexcept { return user_; }
  // Empty both when no password was given and when an empty one was ("user:@host");
  // has_password() tells them apart.
  const std::string& password() const noexcept { return password_; }
  bool has_password() const noexcept { return has_password_; }
  // Host name or address; IPv6 addresses without their brackets. Empty for sockets and SQLite.
  const std::string& host() const noexcept { return host_; }
  // The port as written, if any; `effective_port()` applies the dialect's default.
  std::optional<std::uint16_t> port() const noexcept { return port_; }
  std::uint16_t effective_port() const noexcept { return port_.value_or(default_mysql_port); }
  // Every host of a host list ("db1,db2:3307"), in the order written; host() and port() are the
  // first's. One entry for a single host, none for a socket or a file.
  const std::vector<Host>& hosts() const noexcept { return hosts_; }
  // MySQL: the database (schema) name, may be empty. SQLite: the file path or ":memory:".
  const std::string& database() const noexcept { return database_; }
  // The unix socket path from `?socket=`, empty when not given.
  const std::string& socket() const noexcept { return socket_; }
  // True for an in-memory database ("sqlite://:memory:").
  bool is_memory() const noexcept;

  // Query options other than `socket`, decoded, in the order written.
  const std::vector<Option>& options() const noexcept { return options_; }
  std::optional<std::string> option(std::string_view name) const;

  // A copy of this URL naming another database (MySQL) or file (SQLite); everything else,
  // password included, is kept.
  Url with_database(std::string database) const;

  // A copy naming only host `index` of hosts() (the URL itself when it names one host or none).
  Url single_host(std::size_t index) const;

  // A copy with option `name` set to `value` (replacing the one given, if any). Not checked
  // here: an Engine checks options when it is made.
  Url with_option(std::string name, std::string value) const;

  // A copy with `password` as its password (has_password() true); everything else is kept.
  Url with_password(std::string password) const;

  // The URL with the password replaced by "***"; safe for logs and error messages.
  std::string to_string() const;

  friend bool operator==(const Url&, const Url&) = default;

 private:
  // `may_quote`: whether error messages may quote fragments of the URL (false when it holds a
  // password, which a mistyped URL can smear into any part).
  // The two URL forms (a server's, a file's): which one a dialect's URLs take is the dialect's.
  void parse_server_form(std::string_view rest, bool may_quote);
  void parse_file_form(std::string_view rest, bool may_quote);
  Host parse_host(std::string_view hostport, bool may_quote);
  void parse_query(std::string_view query, bool may_quote);

  Dialect dialect_ = Dialect::sqlite;
  std::string scheme_;
  std::string user_;
  std::string password_;
  bool has_password_ = false;
  std::string host_;
  std::optional<std::uint16_t> port_;
  std::vector<Host> hosts_;
  std::string database_;
  std::string socket_;
  std::vector<Option> options_;
};

std::ostream& operator<<(std::ostream& out, const Url& url);

}  // namespace tabula

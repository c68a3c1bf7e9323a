#include <tabula/url.hpp>

#include <tabula/error.hpp>

#include "dialect/sql_dialect.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ostream>

namespace tabula {
namespace {

// Messages may quote any part of a URL except the password; the callers below pass the part's
// name ("password") instead of its text where that matters.
[[noreturn]] void fail(const std::string& what) {
  throw UrlError("invalid database URL: " + what);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Quotes a fragment of the URL for an error message. When the URL holds a password
// ("user:password@"), no fragment is quoted: a mistyped URL (say, an unencoded '?' or '/' in the
// password) can put part of the password into any other part.
std::string quote(std::string_view fragment, bool may_quote) {
  return may_quote ? " '" + std::string(fragment) + "'" : std::string();
}

// Decodes %XX escapes. `part` names the URL part for the error message.
std::string percent_decode(std::string_view text, std::string_view part, bool may_quote) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '%') {
      out += c;
      continue;
    }
    int hi = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
    int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      fail("malformed percent-escape in the " + std::string(part) + quote(text, may_quote) +
           " (write '%' as %25)");
    }
    char decoded = static_cast<char>(hi * 16 + lo);
    if (decoded == '\0') fail("%00 is not allowed in the " + std::string(part));
    out += decoded;
    i += 2;
  }
  return out;
}

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Encodes everything outside RFC 3986's unreserved set, except the characters in `keep`.
std::string percent_encode(std::string_view text, std::string_view keep = {}) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    if (is_unreserved(c) || keep.find(c) != std::string_view::npos) {
      out += c;
    } else {
      auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += digits[byte >> 4];
      out += digits[byte & 0xF];
    }
  }
  return out;
}

bool is_control(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7F;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

bool is_host_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

bool is_ipv6_char(char c) {
  return hex_value(c) >= 0 || c == ':' || c == '.';
}

std::uint16_t parse_port(std::string_view text, bool may_quote) {
  if (text.empty()) fail("empty port after ':' (omit the ':' to use the default port 3306)");
  // The port's text is not quoted: in "mysql://user:secret/db" (a forgotten '@') it is the
  // password.
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    fail("the port is not a number (if the URL has a password, check that '@' precedes the host)");
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 1 || value > 65535) {
    fail("the port" + quote(text, may_quote) + " is out of range 1..65535");
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string_view to_string(Dialect dialect) noexcept {
  return detail::sql_dialect(dialect).name();
}

Url::Url(std::string_view text) {
  auto bad = std::find_if(text.begin(), text.end(), is_control);
  if (bad != text.end()) {
    fail("control character at position " + std::to_string(bad - text.begin()) +
         " (percent-encode it)");
  }
  auto separator = text.find("://");
  if (separator == std::string_view::npos) {
    fail("missing '://' after the scheme (expected mysql://, mariadb:// or sqlite://)");
  }
  std::string_view scheme = text.substr(0, separator);
  bool scheme_ok = !scheme.empty() && std::all_of(scheme.begin(), scheme.end(), [](char c) {
    return is_host_char(c) || c == '+';
  });
  if (!scheme_ok) fail("malformed scheme (expected mysql, mariadb or sqlite)");
  scheme_ = lower(scheme);
  std::string_view rest = text.substr(separator + 3);
  auto colon = rest.find(':');
  bool may_quote =
      colon == std::string_view::npos || rest.find('@', colon) == std::string_view::npos;
  std::optional<Dialect> dialect = detail::dialect_for_scheme(scheme_);
  if (!dialect) fail("unknown scheme '" + scheme_ + "' (expected mysql, mariadb or sqlite)");
  dialect_ = *dialect;
  if (detail::sql_dialect(dialect_).url_form() == detail::UrlForm::server) {
    parse_server_form(rest, may_quote);
  } else {
    parse_file_form(rest, may_quote);
  }
}

void Url::parse_server_form(std::string_view rest, bool may_quote) {
  if (rest.find('#') != std::string_view::npos) {
    fail("'#' is not allowed (a fragment has no meaning here; write a literal '#' as %23)");
  }
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (!may_quote && rest.find('@') == std::string_view::npos) {
    // ':' and '@' occur, but the '@' only after '?': a user name or password with an unencoded
    // '?' in it, whose tail would otherwise pass as an option (and be printed as one).
    fail(
        "'@' appears only after '?' (write '?' in a user name or password as %3F, and '@' in an "
        "option value as %40)");
  }
  // The last '@' ends the user info, so an unencoded '@' or '/' in a password still parses.
  std::string_view userinfo;
  const bool has_userinfo = rest.rfind('@') != std::string_view::npos;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto colon = userinfo.find(':');
    user_ = percent_decode(userinfo.substr(0, colon), "user name", may_quote);
    if (colon != std::string_view::npos) {
      password_ = percent_decode(userinfo.substr(colon + 1), "password", false);
      has_password_ = true;
    }
  }
  auto slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);

  // A host list ("db1:3306,db2:3306,[::1]:3307"): the first host is host() and port().
  std::string_view list = hostport;
  if (!has_userinfo && list.find(',') != std::string_view::npos) {
    // Without it, "mysql://app:7,Secret/shop" (a forgotten '@') would read as the hosts "app:7"
    // and "Secret", and a password would show in every error that names the hosts.
    fail(
        "a list of hosts needs the user before it (mysql://user@db1,db2/db); if the URL has a "
        "password, check that '@' precedes the hosts");
  }
  for (;;) {
    auto comma = list.find(',');
    std::string_view one = list.substr(0, comma);
    if (one.empty() && comma != std::string_view::npos) {
      fail("empty host in the host list (hosts are separated by one ',')");
    }
    Host host = parse_host(one, may_quote);
    if ((comma != std::string_view::npos || !hosts_.empty()) && host.name.empty()) {
      fail("empty host in the host list (hosts are separated by one ',')");
    }
    auto lower = [](std::string text) {
      for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return text;
    };
    for (const Host& seen : hosts_) {
      // Host names are case-insensitive: DB1 and db1 are one server.
      if (lower(seen.name) == lower(host.name) &&
          seen.port.value_or(default_mysql_port) == host.port.value_or(default_mysql_port)) {
        fail("host" + quote(host.name, may_quote) + " is listed twice");
      }
    }
    hosts_.push_back(std::move(host));
    if (comma == std::string_view::npos) break;
    list = list.substr(comma + 1);
  }
  host_ = hosts_.front().name;
  port_ = hosts_.front().port;
  if (hosts_.size() == 1 && host_.empty()) hosts_.clear();

  if (path.size() > 1) {
    database_ = percent_decode(path.substr(1), "database name", may_quote);
    if (database_.find('/') != std::string::npos) {
      fail("the database name" + quote(database_, may_quote) + " contains '/'");
    }
  }
  parse_query(query, may_quote);
  if (host_.empty() && socket_.empty() && port_) {
    fail("a port was given without a host");
  }
  if (hosts_.size() > 1 && !socket_.empty()) {
    fail("option 'socket' names one server; it cannot go with a list of hosts");
  }
}

Url::Host Url::parse_host(std::string_view hostport, bool may_quote) {
  Host out;
  if (!hostport.empty() && hostport.front() == '[') {
    auto close = hostport.find(']');
    if (close == std::string_view::npos) fail("unterminated '[' in IPv6 host (expected ']')");
    std::string_view address = hostport.substr(1, close - 1);
    std::string_view zone;
    if (auto pct = address.find("%25"); pct != std::string_view::npos) {
      zone = address.substr(pct + 3);
      address = address.substr(0, pct);
    }
    bool ok = !address.empty() && address.find(':') != std::string_view::npos &&
              std::all_of(address.begin(), address.end(), is_ipv6_char) &&
              std::all_of(zone.begin(), zone.end(), is_host_char);
    if (!ok) fail("invalid IPv6 host" + quote(hostport.substr(0, close + 1), may_quote));
    out.name = std::string(address);
    if (!zone.empty()) out.name += "%" + std::string(zone);
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        fail("unexpected text" + quote(after, may_quote) + " after IPv6 host (expected ':port')");
      }
      out.port = parse_port(after.substr(1), may_quote);
    }
    return out;
  }
  auto colon = hostport.find(':');
  std::string_view host = hostport.substr(0, colon);
  if (colon != std::string_view::npos) {
    if (hostport.find(':', colon + 1) != std::string_view::npos) {
      // Not quoted, for the same reason as the port: it may hold a password.
      fail("the host has more than one ':' (write IPv6 hosts as [::1])");
    }
    out.port = parse_port(hostport.substr(colon + 1), may_quote);
  }
  out.name = percent_decode(host, "host", may_quote);
  if (!std::all_of(out.name.begin(), out.name.end(), is_host_char)) {
    fail("invalid character in the host" + quote(out.name, may_quote));
  }
  return out;
}

void Url::parse_file_form(std::string_view rest, bool may_quote) {
  if (rest.find('#') != std::string_view::npos) {
    fail("'#' is not allowed in a sqlite URL (write a literal '#' as %23)");
  }
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  database_ = percent_decode(rest, "sqlite path", may_quote);
  if (database_.empty()) {
    fail(
        "sqlite URL needs a path: sqlite:///absolute/file.db, sqlite://relative/file.db or "
        "sqlite://:memory:");
  }
  parse_query(query, may_quote);
  if (!socket_.empty()) fail("option 'socket' has no meaning for sqlite");
}

void Url::parse_query(std::string_view query, bool may_quote) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;  // tolerate "?a=1&&b=2" and a trailing '&'
    auto eq = pair.find('=');
    std::string name = percent_decode(pair.substr(0, eq), "option name", may_quote);
    if (name.empty()) fail("empty option name in the query");
    if (eq == std::string_view::npos) {
      fail("option" + quote(name, may_quote) + " has no value (write name=value)");
    }
    std::string value =
        percent_decode(pair.substr(eq + 1), "value of option" + quote(name, may_quote), may_quote);
    if (name == "socket") {
      if (!socket_.empty()) fail("option 'socket' given twice");
      if (value.empty()) fail("option 'socket' is empty");
      socket_ = std::move(value);
      continue;
    }
    if (option(name)) fail("option" + quote(name, may_quote) + " given twice");
    options_.emplace_back(std::move(name), std::move(value));
  }
}

std::optional<std::string> Url::option(std::string_view name) const {
  for (const auto& [key, value] : options_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

Url Url::with_option(std::string name, std::string value) const {
  Url copy = *this;
  for (Option& option : copy.options_) {
    if (option.first == name) {
      option.second = std::move(value);
      return copy;
    }
  }
  copy.options_.emplace_back(std::move(name), std::move(value));
  return copy;
}

Url Url::with_password(std::string password) const {
  Url copy = *this;
  copy.password_ = std::move(password);
  copy.has_password_ = true;
  return copy;
}

bool Url::is_memory() const noexcept {
  return detail::sql_dialect(dialect_).url_form() == detail::UrlForm::file &&
         database_ == ":memory:";
}

Url Url::single_host(std::size_t index) const {
  Url copy = *this;
  if (hosts_.size() <= 1) return copy;
  copy.hosts_ = {hosts_.at(index)};
  copy.host_ = copy.hosts_.front().name;
  copy.port_ = copy.hosts_.front().port;
  return copy;
}

std::string Url::Host::to_string() const {
  std::string out = name.find(':') != std::string::npos ? '[' + name + ']' : name;
  if (port) out += ':' + std::to_string(*port);
  return out;
}

Url Url::with_database(std::string database) const {
  Url copy = *this;
  copy.database_ = std::move(database);
  return copy;
}

std::string Url::to_string() const {
  std::string out = scheme_ + "://";
  if (detail::sql_dialect(dialect_).url_form() == detail::UrlForm::file) {
    out += database_ == ":memory:" ? database_ : percent_encode(database_, "/:");
  } else {
    // A list of hosts is read only after an '@' (the parser's rule against a password holding
    // one), so it keeps its '@' even with no user.
    if (!user_.empty() || has_password_ || hosts_.size() > 1) {
      out += percent_encode(user_);
      if (has_password_) out += ":***";
      out += '@';
    }
    std::vector<Host> hosts = hosts_;
    if (hosts.empty()) hosts.push_back({host_, port_});
    for (std::size_t i = 0; i < hosts.size(); ++i) {
      if (i > 0) out += ',';
      if (hosts[i].name.find(':') != std::string::npos) {
        out += '[' + percent_encode(hosts[i].name, ":") + ']';
      } else {
        out += hosts[i].name;
      }
      if (hosts[i].port) out += ':' + std::to_string(*hosts[i].port);
    }
    if (!database_.empty()) out += '/' + percent_encode(database_);
  }
  char sep = '?';
  if (!socket_.empty()) {
    out += sep + std::string("socket=") + percent_encode(socket_, "/");
    sep = '&';
  }
  for (const auto& [key, value] : options_) {
    out += sep + percent_encode(key) + '=' + percent_encode(value);
    sep = '&';
  }
  return out;
}

std::ostream& operator<<(std::ostream& out, const Url& url) {
  return out << url.to_string();
}

}  // namespace tabula

// Fuzz target: database URLs, parsed and then checked the way an Engine checks them (the pool's
// options, the dialect's known options).
//
// Properties:
// - only tabula::Error escapes;
// - a parsed URL prints (to_string) a URL that parses to the same parts, the password "***";
// - no password appears in any output: the parse error, to_string(), operator<<, and the errors
//   of apply_url_options and check_url_options. A password made of URL syntax ("mysql", "3306")
//   is no false alarm: an output counts as a leak only when it holds the password and the same
//   output for the URL with that password's letters and digits changed does not.

#include <tabula/error.hpp>
#include <tabula/pool.hpp>
#include <tabula/url.hpp>

#include "detail/url_options.hpp"
#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using tabula::Url;
using tabula::fuzz::only_tabula_errors;
using tabula::fuzz::require;

struct Span {
  std::size_t at = 0;
  std::size_t size = 0;
};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

// Where the password of a mysql:// URL is, as the grammar (url.hpp) places it: after the first
// ':' of the user info, up to the last '@' before the query. When the only '@' comes after the
// '?' (a password with an unencoded '?'), from that ':' to the last '@'. nullopt for other URLs.
std::optional<Span> password_span(std::string_view text) {
  std::size_t separator = text.find("://");
  if (separator == std::string_view::npos) return std::nullopt;
  std::string scheme = lower(text.substr(0, separator));
  if (scheme != "mysql" && scheme != "mariadb") return std::nullopt;
  std::size_t start = separator + 3;
  std::string_view rest = text.substr(start);
  std::string_view head = rest.substr(0, rest.find('?'));
  if (std::size_t at = head.rfind('@'); at != std::string_view::npos) {
    std::size_t colon = head.substr(0, at).find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    return Span{start + colon + 1, at - colon - 1};
  }
  std::size_t colon = rest.find(':');
  std::size_t at = rest.rfind('@');
  if (colon == std::string_view::npos || at == std::string_view::npos || at < colon) {
    return std::nullopt;
  }
  return Span{start + colon + 1, at - colon - 1};
}

// The same characters with every letter and digit changed to another of its kind (hex digits to
// hex digits), so the URL's structure stays the same; a '%' and the two characters after it are
// kept, so escapes stay what they were (valid, malformed or %00).
std::string changed(std::string_view text) {
  std::string out(text);
  for (std::size_t i = 0; i < out.size(); ++i) {
    char& c = out[i];
    if (c == '%') {
      i += 2;
    } else if (c >= '0' && c <= '9') {
      c = c == '9' ? '0' : static_cast<char>(c + 1);
    } else if (c >= 'a' && c <= 'f') {
      c = c == 'f' ? 'a' : static_cast<char>(c + 1);
    } else if (c >= 'A' && c <= 'F') {
      c = c == 'F' ? 'A' : static_cast<char>(c + 1);
    } else if (c >= 'g' && c <= 'z') {
      c = c == 'z' ? 'g' : static_cast<char>(c + 1);
    } else if (c >= 'G' && c <= 'Z') {
      c = c == 'Z' ? 'G' : static_cast<char>(c + 1);
    }
  }
  return out;
}

struct Outcome {
  std::vector<std::string> outputs;  // everything a user could see
  std::optional<Url> url;            // when it parsed
};

std::string error_text(const tabula::Error& e) {
  return e.what();
}

Outcome run(const std::string& text) {
  Outcome out;
  try {
    out.url.emplace(text);
  } catch (const tabula::UrlError& e) {
    out.outputs.push_back(error_text(e));
    return out;
  }
  const Url& url = *out.url;
  out.outputs.push_back(url.to_string());
  std::ostringstream printed;
  printed << url;
  out.outputs.push_back(printed.str());
  out.outputs.push_back(url.with_database("other").to_string());
  try {
    (void)tabula::apply_url_options(tabula::PoolOptions{}, url);
    out.outputs.push_back("pool options ok");
  } catch (const tabula::UrlError& e) {
    out.outputs.push_back(error_text(e));
  }
  try {
    tabula::detail::check_url_options(url);
    out.outputs.push_back("options ok");
  } catch (const tabula::UrlError& e) {
    out.outputs.push_back(error_text(e));
  }
  return out;
}

// Fails when `secret` is in an output of `mine` and not in the same output of `theirs`.
void check_no_leak(const Outcome& mine, const Outcome& theirs, std::string_view secret,
                   std::string_view input) {
  if (secret.empty()) return;
  for (std::size_t i = 0; i < mine.outputs.size(); ++i) {
    if (mine.outputs[i].find(secret) == std::string::npos) continue;
    bool also_there =
        i < theirs.outputs.size() && theirs.outputs[i].find(secret) != std::string::npos;
    require(also_there, "the password appears in an output: " + mine.outputs[i], input);
  }
}

void check_round_trip(const Url& url, const std::string& text) {
  std::string printed = url.to_string();
  std::optional<Url> again;
  bool parsed = only_tabula_errors([&] { again.emplace(printed); }, text);
  require(parsed, "to_string() gave a URL that does not parse: " + printed, text);
  require(again->dialect() == url.dialect() && again->scheme() == url.scheme() &&
              again->user() == url.user() && again->host() == url.host() &&
              again->port() == url.port() && again->database() == url.database() &&
              again->socket() == url.socket() && again->options() == url.options() &&
              again->has_password() == url.has_password(),
          "to_string() does not round-trip: " + printed, text);
  require(!url.has_password() || again->password() == "***",
          "to_string() does not print the password as ***: " + printed, text);
  require(url.has_password() || *again == url, "a URL without password differs after printing",
          text);
  require(again->to_string() == printed, "to_string() is not stable: " + printed, text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  only_tabula_errors(
      [&] {
        Outcome mine = run(text);
        if (mine.url) check_round_trip(*mine.url, text);
        std::optional<Span> span = password_span(text);
        if (!span) return;
        std::string_view password = std::string_view(text).substr(span->at, span->size);
        std::string other = text;
        other.replace(span->at, span->size, changed(password));
        if (other == text) return;  // nothing to change: cannot tell a leak from URL syntax
        Outcome theirs = run(other);
        check_no_leak(mine, theirs, password, text);
        if (mine.url && mine.url->has_password() && theirs.url &&
            theirs.url->password() != mine.url->password()) {
          check_no_leak(mine, theirs, mine.url->password(), text);
        }
      },
      text);
  return 0;
}

#include "detail/url_options.hpp"

#include <tabula/error.hpp>
#include <tabula/pool.hpp>

#include "dialect/sql_dialect.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <span>

namespace tabula::detail {

void check_url_options(const Url& url) {
  std::span<const std::string_view> known = sql_dialect(url.dialect()).url_options();
  for (const auto& [name, value] : url.options()) {
    // Sessions read generated keys with INSERT ... RETURNING where the server has it; "off"
    // makes them use LAST_INSERT_ID() and a SELECT, as on MySQL (docs/session.md).
    if (name == "returning" && value != "auto" && value != "off") {
      throw UrlError("invalid database URL: option 'returning' = '" + value +
                     "' (expected auto or off)");
    }
    if (name == "statement_cache") {
      statement_cache_size(url);  // throws when out of range
      continue;
    }
    if (is_pool_option(name) || std::find(known.begin(), known.end(), name) != known.end()) {
      continue;
    }
    std::string list;
    for (std::string_view option : known) list += (list.empty() ? "" : ", ") + std::string(option);
    list += ", and the pool's (max_connections, checkout_timeout, ...)";
    throw UrlError("invalid database URL: unknown option '" + name + "' for " +
                   std::string(to_string(url.dialect())) + " (known: " + list + ")");
  }
  // Values only the dialect can judge (MySQL's ssl_mode, tls_version, TLS files that contradict
  // ssl_mode=disabled): refused now, not at the first connect.
  sql_dialect(url.dialect()).check_url_options(url);
}

std::size_t statement_cache_size(const Url& url) {
  constexpr std::size_t kDefault = 64;
  constexpr std::size_t kMost = 10'000;
  std::optional<std::string> text = url.option("statement_cache");
  if (!text) return kDefault;
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc{} || end != text->data() + text->size() || value > kMost) {
    throw UrlError("invalid database URL: option 'statement_cache' = '" + *text +
                   "' (expected a whole number of statements, 0 to 10000)");
  }
  return value;
}

}  // namespace tabula::detail

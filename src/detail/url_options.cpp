#include "detail/url_options.hpp"

#include <tabula/error.hpp>
#include <tabula/pool.hpp>

#include "dialect/sql_dialect.hpp"

#include <algorithm>
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
    if (is_pool_option(name) || std::find(known.begin(), known.end(), name) != known.end()) {
      continue;
    }
    std::string list;
    for (std::string_view option : known) list += (list.empty() ? "" : ", ") + std::string(option);
    list += ", and the pool's (max_connections, checkout_timeout, ...)";
    throw UrlError("invalid database URL: unknown option '" + name + "' for " +
                   std::string(to_string(url.dialect())) + " (known: " + list + ")");
  }
}

}  // namespace tabula::detail

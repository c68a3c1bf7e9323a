#include <tabula/error.hpp>
#include <tabula/pool.hpp>

#include "detail/duration.hpp"

#include <array>
#include <charconv>

namespace tabula {
namespace {

constexpr std::array<std::string_view, 13> kPoolOptions{
    "max_connections",          "min_idle",           "checkout_timeout",
    "validation_bypass",        "max_lifetime",       "idle_timeout",
    "leak_threshold",           "validation_timeout", "topology",
    "max_connections_per_host", "max_replica_lag",    "replica_fallback",
    "node_check_interval"};

std::size_t parse_count(const std::string& text, std::string_view name) {
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) {
    throw UrlError("invalid database URL: option '" + std::string(name) + "' = '" + text +
                   "' is not a whole number");
  }
  return value;
}

// Options out of range or inconsistent: UrlError when the URL gave one of `names`, else
// OptionsError (they came from code).
[[noreturn]] void invalid(const Url* url, std::initializer_list<std::string_view> names,
                          const std::string& what) {
  for (std::string_view name : names) {
    if (url != nullptr && url->option(name)) throw UrlError("invalid pool options: " + what);
  }
  throw OptionsError("invalid pool options: " + what);
}

void check(const PoolOptions& o, const Url* url) {
  if (o.max_connections < 1)
    invalid(url, {"max_connections"}, "max_connections must be at least 1");
  if (o.max_connections > 100'000) {
    invalid(url, {"max_connections"}, "max_connections must be at most 100000");
  }
  if (o.min_idle > o.max_connections) {
    invalid(url, {"min_idle", "max_connections"},
            "min_idle (" + std::to_string(o.min_idle) + ") exceeds max_connections (" +
                std::to_string(o.max_connections) + ")");
  }
  if (o.checkout_timeout.count() < 0 || o.validation_bypass.count() < 0 ||
      o.max_lifetime.count() < 0 || o.idle_timeout.count() < 0 || o.leak_threshold.count() < 0 ||
      o.max_replica_lag.count() < 0 || o.node_check_interval.count() < 0) {
    invalid(url, {}, "durations must not be negative");
  }
  if (o.max_connections_per_host > o.max_connections) {
    invalid(url, {"max_connections_per_host", "max_connections"},
            "max_connections_per_host (" + std::to_string(o.max_connections_per_host) +
                ") exceeds max_connections (" + std::to_string(o.max_connections) + ")");
  }
  if (o.validation_timeout.count() <= 0) {
    invalid(url, {"validation_timeout"}, "validation_timeout must be positive");
  }
}

}  // namespace

bool is_pool_option(std::string_view name) noexcept {
  for (std::string_view option : kPoolOptions) {
    if (option == name) return true;
  }
  return false;
}

PoolOptions apply_url_options(PoolOptions options, const Url& url) {
  auto duration = [&](std::string_view name, PoolOptions::Duration& field) {
    if (auto value = url.option(name)) {
      field = detail::parse_duration(*value, "option '" + std::string(name) + "'");
    }
  };
  if (auto value = url.option("max_connections")) {
    options.max_connections = parse_count(*value, "max_connections");
  }
  if (auto value = url.option("min_idle")) options.min_idle = parse_count(*value, "min_idle");
  if (auto value = url.option("max_connections_per_host")) {
    options.max_connections_per_host = parse_count(*value, "max_connections_per_host");
  }
  if (auto value = url.option("topology")) {
    if (*value == "sequential") {
      options.topology = Topology::sequential;
    } else if (*value == "galera") {
      options.topology = Topology::galera;
    } else if (*value == "replication") {
      options.topology = Topology::replication;
    } else {
      throw UrlError("invalid database URL: option 'topology' = '" + *value +
                     "' (expected sequential, galera or replication)");
    }
  }
  duration("max_replica_lag", options.max_replica_lag);
  duration("node_check_interval", options.node_check_interval);
  if (auto value = url.option("replica_fallback")) {
    if (*value != "true" && *value != "false") {
      throw UrlError("invalid database URL: option 'replica_fallback' = '" + *value +
                     "' (expected true or false)");
    }
    options.replica_fallback = *value == "true";
  }
  duration("checkout_timeout", options.checkout_timeout);
  duration("validation_bypass", options.validation_bypass);
  duration("max_lifetime", options.max_lifetime);
  duration("idle_timeout", options.idle_timeout);
  duration("leak_threshold", options.leak_threshold);
  duration("validation_timeout", options.validation_timeout);
  check(options, &url);
  return options;
}

}  // namespace tabula

#include <tabula/metrics.hpp>

namespace tabula {
namespace {

void family(std::string& out, std::string_view prefix, std::string_view name, std::string_view type,
            std::string_view help, const std::string& value) {
  std::string metric = std::string(prefix) + "_" + std::string(name);
  out += "# HELP " + metric + " " + std::string(help) + "\n";
  out += "# TYPE " + metric + " " + std::string(type) + "\n";
  out += metric + " " + value + "\n";
}

std::string seconds(std::chrono::microseconds value) {
  std::string text = std::to_string(static_cast<double>(value.count()) / 1e6);
  return text;
}

}  // namespace

std::string to_prometheus(const PoolStats& s, std::string_view prefix) {
  if (prefix.empty()) prefix = "tabula_pool";
  std::string out;
  auto gauge = [&](std::string_view name, std::string_view help, std::uint64_t value) {
    family(out, prefix, name, "gauge", help, std::to_string(value));
  };
  auto counter = [&](std::string_view name, std::string_view help, std::uint64_t value) {
    family(out, prefix, name, "counter", help, std::to_string(value));
  };
  gauge("max_connections", "Hard cap on open connections.", s.max_connections);
  gauge("open", "Connections counted against the cap (idle, in use, being opened).", s.open);
  gauge("idle", "Open connections waiting in the pool.", s.idle);
  gauge("in_use", "Connections lent out.", s.in_use);
  gauge("waiting", "Threads blocked in checkout.", s.waiting);
  gauge("peak_open", "Highest number of open connections seen.", s.peak_open);
  counter("checkouts_total", "Leases handed out.", s.checkouts_total);
  counter("created_total", "Connections opened.", s.created_total);
  counter("closed_total", "Connections closed.", s.closed_total);
  counter("connect_attempts_total", "Attempts to open a connection.", s.connect_attempts_total);
  counter("connect_failures_total", "Failed attempts to open a connection.",
          s.connect_failures_total);
  counter("refusals_total", "Connection attempts refused by the server (too many connections).",
          s.refusals_total);
  counter("timeouts_total", "Checkouts that timed out.", s.timeouts_total);
  counter("validation_failures_total", "Idle connections found dead before hand-out.",
          s.validation_failures_total);
  counter("broken_total", "Connections returned broken.", s.broken_total);
  counter("leaks_reported_total", "Leases reported held past the leak threshold.",
          s.leaks_reported_total);
  counter("unconfirmed_closes_total",
          "Connections closed whose server did not confirm the close within validation_timeout.",
          s.unconfirmed_closes_total);
  std::string metric = std::string(prefix) + "_wait_seconds";
  out += "# HELP " + metric + " Time spent waiting in checkout (quantiles over the pool's life).\n";
  out += "# TYPE " + metric + " summary\n";
  out += metric + "{quantile=\"0.5\"} " + seconds(s.wait_p50) + "\n";
  out += metric + "{quantile=\"0.95\"} " + seconds(s.wait_p95) + "\n";
  out += metric + "{quantile=\"0.99\"} " + seconds(s.wait_p99) + "\n";
  out += metric + "_sum " + seconds(s.wait_total) + "\n";
  out += metric + "_count " + std::to_string(s.checkouts_total + s.timeouts_total) + "\n";
  family(out, prefix, "wait_max_seconds", "gauge", "Longest wait in checkout.",
         seconds(s.wait_max));
  return out;
}

std::string to_string(const PoolStats& s) {
  return "open " + std::to_string(s.open) + "/" + std::to_string(s.max_connections) + ", idle " +
         std::to_string(s.idle) + ", in use " + std::to_string(s.in_use) + ", waiting " +
         std::to_string(s.waiting) + ", timeouts " + std::to_string(s.timeouts_total) +
         ", refusals " + std::to_string(s.refusals_total);
}

}  // namespace tabula

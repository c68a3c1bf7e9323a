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
  if (!s.hosts.empty()) {
    // Per host of a cluster: its connections, its state (one series per state, 1 for the
    // current one), its failures. Host names are letters, digits, '.', '-', '_', ':', '[]'.
    auto per_host = [&](std::string_view name, std::string_view type, std::string_view help,
                        auto&& value) {
      std::string m = std::string(prefix) + "_" + std::string(name);
      out += "# HELP " + m + " " + std::string(help) + "\n";
      out += "# TYPE " + m + " " + std::string(type) + "\n";
      for (const HostStats& h : s.hosts) value(m, h);
    };
    per_host("host_open", "gauge", "Connections to the host counted against the cap.",
             [&](const std::string& m, const HostStats& h) {
               out += m + "{host=\"" + h.host + "\"} " + std::to_string(h.open) + "\n";
             });
    per_host("host_state", "gauge", "The host's state as the pool last saw it (1 = current).",
             [&](const std::string& m, const HostStats& h) {
               for (std::string_view state :
                    {"unknown", "up", "down", "failing", "refusing", "desynced"}) {
                 out += m + "{host=\"" + h.host + "\",state=\"" + std::string(state) + "\"} " +
                        (h.state == state ? "1" : "0") + "\n";
               }
             });
    per_host("host_role", "gauge",
             "replication: the host's role as it last said (1 = current; none known: no series).",
             [&](const std::string& m, const HostStats& h) {
               if (h.role.empty()) return;
               for (std::string_view role : {"primary", "replica"}) {
                 out += m + "{host=\"" + h.host + "\",role=\"" + std::string(role) + "\"} " +
                        (h.role == role ? "1" : "0") + "\n";
               }
             });
    per_host("host_replica_lag_seconds", "gauge",
             "replication: a replica's Seconds_Behind_Master when last checked (-1: stopped).",
             [&](const std::string& m, const HostStats& h) {
               if (h.lag_seconds) {
                 out += m + "{host=\"" + h.host + "\"} " + std::to_string(*h.lag_seconds) + "\n";
               }
             });
    per_host("host_connect_failures_total", "counter",
             "Failed connection attempts and failed node checks on the host.",
             [&](const std::string& m, const HostStats& h) {
               out += m + "{host=\"" + h.host + "\"} " + std::to_string(h.connect_failures_total) +
                      "\n";
             });
  }
  return out;
}

std::string to_string(const PoolStats& s) {
  return "open " + std::to_string(s.open) + "/" + std::to_string(s.max_connections) + ", idle " +
         std::to_string(s.idle) + ", in use " + std::to_string(s.in_use) + ", waiting " +
         std::to_string(s.waiting) + ", timeouts " + std::to_string(s.timeouts_total) +
         ", refusals " + std::to_string(s.refusals_total);
}

}  // namespace tabula

// The user story's load test: many clients POST rows to examples/insert_api (started here as a
// child process, with its own database user) while a monitor watches the server's processlist.
//
//   insert_load <insert_api binary> [--seconds N] [--clients N] [--max-connections N]
//               [--wait-timeout S] [--max-lifetime DURATION] [--restart]
//
// The server enforces the same cap as the service: its database user is created WITH
// MAX_USER_CONNECTIONS equal to --max-connections, so a connection opened before the server has
// let go of the one it replaces is refused (1226) and counted by the pool. The server's
// wait_timeout is set to --wait-timeout seconds (default 2) for the run. Two bursts of POSTs with
// an idle pause of twice wait_timeout between them, in which idle connections are retired (by the
// pool's clamped idle_timeout, or else by the server); a share of the requests fail on purpose
// (bad values -> 400; a handler that throws mid-session -> 500); --max-lifetime passes the pool
// option to the service to force churn; with --restart the server is restarted during the second
// burst (the long form). At the end every 201-acknowledged row must be in the table and no other
// row may be, and every request must get an HTTP answer. It prints one summary and ends with:
//   connections_opened: <n> (<per slot> per slot)
//   refusals: <n>
//   peak_connections: <n> of <max>
//   lost_rows: <n>
//   phantom_rows: <n>
//   unanswered_requests: <n>
//
// With --cluster STATE_DIR (a Galera cluster of scripts/test-cluster.sh) the service gets the
// cluster's URL with topology=galera and the cluster's test user; --kill-node N kills that node
// with -9 a third into the second burst and restarts it (rejoining by IST) two thirds in. The
// peak is then the most connections open at one instant summed over the nodes (ClusterMonitor),
// every acknowledged row must be on every node, a row nobody was told about may exist only for a
// 503 that said the outcome is unknown, and no request outside the failing debug route may get a
// 500. It also reports the longest time without a 201 after the kill.
// and exits non-zero if the server refused a connection, the peak exceeded the cap, more than 3
// connections per slot were opened without --max-lifetime (one per burst is the ideal), a row was
// lost or appeared, or a request got no answer.

#include <tabula/tabula.hpp>

#include "server_monitor.hpp"
#include "test_cluster.hpp"
#include "test_server.hpp"

#include <httplib.h>
#include <soci/soci.h>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

struct Counts {
  std::mutex mutex;
  std::map<int, long> status;                    // HTTP status (-1: no answer) -> requests
  std::map<std::string, long> failures;          // why there was no answer
  std::set<std::pair<int, int>> acknowledged;    // (client, seq) answered 201
  std::map<std::pair<int, int>, long long> ids;  // and the id the answer gave
  std::set<std::pair<int, int>> unknown;         // answered 503 "outcome": "unknown"
  long unexpected_500 = 0;                       // 500s outside the failing debug route
  std::vector<Clock::time_point> acknowledged_at;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: insert_load <insert_api binary> [--seconds N] [--clients N] "
                 "[--max-connections N] [--restart]\n";
    return 2;
  }
  std::string service = argv[1];
  int seconds = 8;
  int clients = 200;
  int max_connections = 12;
  int wait_timeout = 2;
  std::string max_lifetime;
  bool restart = false;
  std::string cluster_dir;  // --cluster: a Galera cluster's state directory
  int kill_node = 0;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) seconds = std::stoi(argv[++i]);
    if (a == "--clients" && i + 1 < argc) clients = std::stoi(argv[++i]);
    if (a == "--max-connections" && i + 1 < argc) max_connections = std::stoi(argv[++i]);
    if (a == "--wait-timeout" && i + 1 < argc) wait_timeout = std::stoi(argv[++i]);
    if (a == "--max-lifetime" && i + 1 < argc) max_lifetime = argv[++i];
    if (a == "--restart") restart = true;
    if (a == "--cluster" && i + 1 < argc) cluster_dir = argv[++i];
    if (a == "--kill-node" && i + 1 < argc) kill_node = std::stoi(argv[++i]);
  }
  const std::string max_text = std::to_string(max_connections);

  const char* kTable =
      "CREATE TABLE load_item (id BIGINT AUTO_INCREMENT PRIMARY KEY, client INT NOT NULL, "
      "seq INT NOT NULL, name VARCHAR(40) NOT NULL, qty INT NOT NULL, "
      "created DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), UNIQUE KEY (client, seq))";
  std::optional<tabula::test::ScratchDatabase> db;
  std::optional<tabula::test::TestUser> user;
  std::unique_ptr<tabula::Engine> admin_engine;
  long long original_wait_timeout = 28800;
  std::optional<tabula::test::TestCluster> cluster;
  tabula::Url full("sqlite://:memory:");
  std::string query;
  if (!cluster_dir.empty()) {
    ::setenv("TABULA_TEST_CLUSTER_DIR", cluster_dir.c_str(), 1);
    cluster.emplace("TABULA_TEST_CLUSTER_DIR");
    cluster->sql(1, std::string("DROP TABLE IF EXISTS load_item; ") + kTable);
    full = cluster->url();
    query = "topology=galera";
  } else {
    db.emplace("load");
    user.emplace("load_api", db->url(), "WITH MAX_USER_CONNECTIONS " + max_text);
    // New connections take the global wait_timeout; restored when the run ends.
    admin_engine = std::make_unique<tabula::Engine>(db->url());
    {
      tabula::Lease lease = admin_engine->checkout();
      lease->run([&](soci::session& sql) {
        sql << "SELECT @@GLOBAL.wait_timeout", soci::into(original_wait_timeout);
      });
    }
    admin_engine->execute("SET GLOBAL wait_timeout = " + std::to_string(wait_timeout));
    tabula::Engine(db->url()).execute(kTable);
    full = user->url();
  }
  struct RestoreWaitTimeout {
    tabula::Engine* engine;
    long long seconds;
    ~RestoreWaitTimeout() {
      if (engine == nullptr) return;
      try {
        engine->execute("SET GLOBAL wait_timeout = " + std::to_string(seconds));
      } catch (const std::exception& e) {
        std::cerr << "insert_load: could not restore wait_timeout: " << e.what() << "\n";
      }
    }
  } restore{admin_engine.get(), original_wait_timeout};
  int port = free_port();
  // The child needs the real password: build its URL from the user's parts.
  std::string hosts;
  for (const tabula::Url::Host& h : full.hosts()) {
    hosts += (hosts.empty() ? "" : ",") + h.name + ":" +
             std::to_string(h.port.value_or(tabula::Url::default_mysql_port));
  }
  if (!max_lifetime.empty()) query += (query.empty() ? "" : "&") + ("max_lifetime=" + max_lifetime);
  std::string child_url = "mysql://" + full.user() + ":" + full.password() + "@" + hosts + "/" +
                          full.database() + (query.empty() ? "" : "?" + query);
  pid_t child = ::fork();
  if (child == 0) {
    std::string port_text = std::to_string(port);
    ::execl(service.c_str(), service.c_str(), "--url", child_url.c_str(), "--port",
            port_text.c_str(), "--max-connections", max_text.c_str(), "--threads", "64",
            "--debug-routes", static_cast<char*>(nullptr));
    std::perror("exec insert_api");
    ::_exit(127);
  }
  auto stop_service = [&] {
    ::kill(child, SIGTERM);
    int status = 0;
    ::waitpid(child, &status, 0);
  };

  httplib::Client probe("127.0.0.1", port);
  bool up = false;
  for (int i = 0; i < 500 && !up; ++i) {
    auto r = probe.Get("/health");
    up = r && r->status == 200;
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!up) {
    std::cerr << "insert_load: the service did not come up on port " << port << "\n";
    stop_service();
    return 1;
  }

  std::optional<tabula::test::ConnectionMonitor> monitor;
  std::optional<tabula::test::ClusterMonitor> cluster_monitor;
  if (cluster) {
    cluster_monitor.emplace(*cluster, full.user());
  } else {
    monitor.emplace(*user);
  }
  std::atomic<Clock::rep> killed_at{0};
  Counts counts;
  std::atomic<long> requests{0};
  auto burst = [&](int burst_index, std::chrono::seconds length, bool restart_midway) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        httplib::Client client("127.0.0.1", port);
        client.set_read_timeout(std::chrono::seconds(30));
        client.set_keep_alive(true);
        for (int n = 0; !stop; ++n) {
          int seq = burst_index * 1'000'000 + n;
          int kind = (c * 7 + n) % 20;  // 1 in 10 bad, 1 in 20 failing mid-session
          std::string body =
              "{\"client\": " + std::to_string(c) + ", \"seq\": " + std::to_string(seq) +
              ", \"name\": \"item " + std::to_string(c) + "-" + std::to_string(seq) +
              "\", \"qty\": " + (kind < 2 ? "\"many\"" : std::to_string(n % 50)) + "}";
          std::string path = kind == 2 ? "/tables/load_item?fail=mid-session" : "/tables/load_item";
          auto r = client.Post(path, body, "application/json");
          ++requests;
          int status = r ? r->status : -1;
          std::lock_guard lock(counts.mutex);
          ++counts.status[status];
          if (!r) ++counts.failures[httplib::to_string(r.error())];
          if (status == 500 && kind != 2) ++counts.unexpected_500;
          if (status == 503 && r->body.find("\"outcome\":\"unknown\"") != std::string::npos) {
            counts.unknown.insert({c, seq});
          }
          if (status == 201) {
            counts.acknowledged.insert({c, seq});
            counts.acknowledged_at.push_back(Clock::now());
            auto at = r->body.find("\"id\":");
            if (at != std::string::npos) counts.ids[{c, seq}] = std::stoll(r->body.substr(at + 5));
          }
        }
      });
    }
    auto deadline = Clock::now() + length;
    if (restart_midway && cluster) {
      auto begun = Clock::now();
      std::this_thread::sleep_until(begun + length / 3);
      std::cout << "killing node " << kill_node << " with -9\n";
      killed_at.store(Clock::now().time_since_epoch().count());
      cluster->kill(kill_node);
      std::this_thread::sleep_until(begun + 2 * length / 3);
      std::cout << "restarting node " << kill_node << "\n";
      cluster->restart(kill_node);
    } else if (restart_midway) {
      std::this_thread::sleep_until(Clock::now() + length / 2);
      std::cout << "restarting the server\n";
      tabula::test::restart_server();
    }
    std::this_thread::sleep_until(deadline);
    stop = true;
    for (auto& t : threads) t.join();
  };

  auto start = Clock::now();
  burst(0, std::chrono::seconds(seconds), false);
  // Idle for twice wait_timeout: no connection survives the pause.
  std::this_thread::sleep_for(std::chrono::seconds(2 * wait_timeout));
  burst(1, std::chrono::seconds(seconds), restart || kill_node > 0);
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::size_t peak = cluster ? cluster_monitor->peak() : monitor->peak();

  auto metrics = probe.Get("/metrics");
  stop_service();

  // Every acknowledged row present, with the id its answer gave; no row that was not acknowledged.
  std::set<std::pair<int, int>> in_table;
  long mismatched_ids = 0;
  long lost = 0;
  long phantom = 0;
  long unknown_landed = 0;
  auto check_rows = [&](const std::vector<std::tuple<int, int, long long>>& rows) {
    std::set<std::pair<int, int>> here;
    for (const auto& [client, seq, id] : rows) {
      std::pair<int, int> key{client, seq};
      here.insert(key);
      auto given = counts.ids.find(key);
      if (given != counts.ids.end() && given->second != id) ++mismatched_ids;
    }
    for (const auto& k : counts.acknowledged) lost += here.count(k) ? 0 : 1;
    for (const auto& k : here) {
      if (counts.acknowledged.count(k)) continue;
      if (counts.unknown.count(k)) {
        ++unknown_landed;
      } else {
        ++phantom;
      }
    }
    in_table = here;
  };
  if (cluster) {
    // Every node, once the cluster has applied everything it ordered (wsrep_sync_wait).
    for (int n = 1; n <= cluster->nodes(); ++n) {
      std::istringstream lines(cluster->sql(
          n, "SET SESSION wsrep_sync_wait = 1; SELECT client, seq, id FROM load_item"));
      std::vector<std::tuple<int, int, long long>> rows;
      int client = 0;
      int seq = 0;
      long long id = 0;
      while (lines >> client >> seq >> id) rows.emplace_back(client, seq, id);
      check_rows(rows);
    }
  } else {
    tabula::Engine check(db->url());
    tabula::Session s = check.session();
    std::vector<std::tuple<int, int, long long>> rows;
    for (tabula::Record* r : s.query("load_item").all()) {
      rows.emplace_back(r->get<int>("client"), r->get<int>("seq"), r->get<long long>("id"));
    }
    check_rows(rows);
  }
  if (killed_at.load() != 0) {
    Clock::time_point kill_time{Clock::duration(killed_at.load())};
    std::vector<Clock::time_point> acks;
    for (Clock::time_point t : counts.acknowledged_at) {
      if (t >= kill_time) acks.push_back(t);
    }
    std::sort(acks.begin(), acks.end());
    Clock::duration pause = acks.empty() ? Clock::duration::max() : acks.front() - kill_time;
    for (std::size_t i = 1; i < acks.size(); ++i) pause = std::max(pause, acks[i] - acks[i - 1]);
    std::cout << "kill_to_commit: first 201 after the kill "
              << (acks.empty() ? -1
                               : std::chrono::duration_cast<std::chrono::milliseconds>(
                                     acks.front() - kill_time)
                                     .count())
              << " ms, longest time without a 201 "
              << std::chrono::duration_cast<std::chrono::milliseconds>(pause).count() << " ms\n";
  }

  std::cout << "insert_load: " << clients << " clients, " << requests.load() << " requests in "
            << elapsed << " s ("
            << static_cast<long>(static_cast<double>(requests.load()) / (2.0 * seconds))
            << " requests/s while busy); server wait_timeout " << wait_timeout << " s"
            << (max_lifetime.empty() ? "" : ", max_lifetime " + max_lifetime) << "\nstatus counts:";
  for (const auto& [status, n] : counts.status) std::cout << " " << status << "=" << n;
  for (const auto& [why, n] : counts.failures)
    std::cout << " (no answer: " << why << " " << n << ")";
  std::cout << "\nrows acknowledged: " << counts.acknowledged.size()
            << ", in the table: " << in_table.size() << ", ids not matching: " << mismatched_ids
            << "\nprocesslist samples: "
            << (cluster ? cluster_monitor->samples() : monitor->samples()) << "\n";
  // The pool's own counters, from the service's /metrics; -1 when missing.
  auto metric = [&](const std::string& name) -> long long {
    if (!metrics || metrics->status != 200) return -1;
    auto at = metrics->body.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stoll(metrics->body.substr(at + name.size() + 2));
  };
  long long opened = metric("tabula_pool_created_total");
  long long refusals = metric("tabula_pool_refusals_total");
  double per_slot = static_cast<double>(opened) / max_connections;
  // A node's death and rejoin replaces connections: the churn bound is for one server.
  bool churn_ok = !max_lifetime.empty() || cluster || (opened >= 0 && per_slot <= 3.0);
  std::cout << "tabula_pool_peak_open " << metric("tabula_pool_peak_open") << "\n"
            << "connections_opened: " << opened << " (" << per_slot << " per slot)\n"
            << "refusals: " << refusals << "\n"
            << "processlist_rows_peak: "
            << (cluster ? cluster_monitor->summed_peak() : monitor->listed_peak())
            << (cluster ? " (plain sums over the nodes)\n" : " (teardown rows included)\n")
            << "peak_connections: " << peak << " of " << max_connections << "\n"
            << "lost_rows: " << lost << "\n"
            << "phantom_rows: " << phantom << "\n"
            << "unknown_outcomes: " << counts.unknown.size() << " (rows landed: " << unknown_landed
            << ")\n"
            << "unexpected_500: " << counts.unexpected_500 << "\n"
            << "unanswered_requests: " << counts.status[-1] << "\n";
  bool ok = refusals == 0 && churn_ok && peak <= static_cast<std::size_t>(max_connections) &&
            lost == 0 && phantom == 0 && counts.status[-1] == 0 && mismatched_ids == 0 &&
            counts.unexpected_500 == 0 && counts.status[201] > 0 && counts.status[400] > 0 &&
            counts.status[500] > 0;
  return ok ? 0 : 1;
}

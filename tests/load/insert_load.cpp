// The user story's load test: many clients POST rows to examples/insert_api (started here as a
// child process, with its own database user) while a monitor watches the server's processlist.
//
//   insert_load <insert_api binary> [--seconds N] [--clients N] [--max-connections N]
//               [--restart]
//
// Two bursts of POSTs with an idle pause between them during which the server drops the
// service's idle connections (as its wait_timeout would); a share of the requests fail on purpose
// (bad values -> 400; a handler that throws mid-session -> 500); with --restart the server is
// restarted during the second burst (the long form). At the end every 201-acknowledged row must
// be in the table and no other row may be, and every request must get an HTTP answer. It prints
// one summary and ends with:
//   peak_connections: <n> of <max>
//   lost_rows: <n>
//   phantom_rows: <n>
//   unanswered_requests: <n>
// and exits non-zero if the peak exceeded the cap, a row was lost or appeared, or a request got
// no answer.

#include <tabula/tabula.hpp>

#include "server_monitor.hpp"
#include "test_server.hpp"

#include <httplib.h>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
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
  bool restart = false;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) seconds = std::stoi(argv[++i]);
    if (a == "--clients" && i + 1 < argc) clients = std::stoi(argv[++i]);
    if (a == "--max-connections" && i + 1 < argc) max_connections = std::stoi(argv[++i]);
    if (a == "--restart") restart = true;
  }

  tabula::test::ScratchDatabase db("load");
  tabula::test::TestUser user("load_api", db.url());
  {
    tabula::Engine admin(db.url());
    admin.execute(
        "CREATE TABLE load_item (id BIGINT AUTO_INCREMENT PRIMARY KEY, client INT NOT NULL, "
        "seq INT NOT NULL, name VARCHAR(40) NOT NULL, qty INT NOT NULL, "
        "created DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), UNIQUE KEY (client, seq))");
  }
  int port = free_port();
  // The child needs the real password: build its URL from the user's parts.
  tabula::Url full = user.url();
  std::string child_url = "mysql://" + full.user() + ":" + full.password() + "@" + full.host() +
                          ":" + std::to_string(full.effective_port()) + "/" + full.database();
  pid_t child = ::fork();
  if (child == 0) {
    std::string port_text = std::to_string(port);
    std::string max_text = std::to_string(max_connections);
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

  tabula::test::ConnectionMonitor monitor(user);
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
          if (status == 201) {
            counts.acknowledged.insert({c, seq});
            auto at = r->body.find("\"id\":");
            if (at != std::string::npos) counts.ids[{c, seq}] = std::stoll(r->body.substr(at + 5));
          }
        }
      });
    }
    auto deadline = Clock::now() + length;
    if (restart_midway) {
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
  // Idle: the server drops the service's idle connections, as its wait_timeout would.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::size_t dropped = user.kill_all();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  burst(1, std::chrono::seconds(seconds), restart);
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::size_t peak = monitor.peak();

  auto metrics = probe.Get("/metrics");
  stop_service();

  // Every acknowledged row present, with the id its answer gave; no row that was not acknowledged.
  std::set<std::pair<int, int>> in_table;
  long mismatched_ids = 0;
  {
    tabula::Engine check(db.url());
    tabula::Session s = check.session();
    for (tabula::Record* r : s.query("load_item").all()) {
      std::pair<int, int> key{r->get<int>("client"), r->get<int>("seq")};
      in_table.insert(key);
      auto id = counts.ids.find(key);
      if (id != counts.ids.end() && id->second != r->get<long long>("id")) ++mismatched_ids;
    }
  }
  long lost = 0;
  for (const auto& k : counts.acknowledged) lost += in_table.count(k) ? 0 : 1;
  long phantom = 0;
  for (const auto& k : in_table) phantom += counts.acknowledged.count(k) ? 0 : 1;

  std::cout << "insert_load: " << clients << " clients, " << requests.load() << " requests in "
            << elapsed << " s ("
            << static_cast<long>(static_cast<double>(requests.load()) / (2.0 * seconds))
            << " requests/s while busy); idle connections dropped by the server: " << dropped
            << "\nstatus counts:";
  for (const auto& [status, n] : counts.status) std::cout << " " << status << "=" << n;
  for (const auto& [why, n] : counts.failures)
    std::cout << " (no answer: " << why << " " << n << ")";
  std::cout << "\nrows acknowledged: " << counts.acknowledged.size()
            << ", in the table: " << in_table.size() << ", ids not matching: " << mismatched_ids
            << "\nprocesslist samples: " << monitor.samples() << "\n";
  if (metrics && metrics->status == 200) {
    for (const char* name : {"tabula_pool_peak_open", "tabula_pool_created_total"}) {
      auto at = metrics->body.find(std::string("\n") + name + " ");
      if (at != std::string::npos) {
        std::cout << metrics->body.substr(at + 1, metrics->body.find('\n', at + 1) - at - 1)
                  << "\n";
      }
    }
  }
  std::cout << "peak_connections: " << peak << " of " << max_connections << "\n"
            << "lost_rows: " << lost << "\n"
            << "phantom_rows: " << phantom << "\n"
            << "unanswered_requests: " << counts.status[-1] << "\n";
  bool ok = peak <= static_cast<std::size_t>(max_connections) && lost == 0 && phantom == 0 &&
            counts.status[-1] == 0 && mismatched_ids == 0 && counts.status[201] > 0 &&
            counts.status[400] > 0 && counts.status[500] > 0;
  return ok ? 0 : 1;
}

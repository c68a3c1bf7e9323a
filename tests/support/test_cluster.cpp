#include "test_cluster.hpp"

#include <tabula/error.hpp>

#include <soci/soci.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tabula::test {
namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Single quotes for the shell.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

TestCluster::TestCluster(const char* variable) {
  const char* state = std::getenv(variable);
  if (state == nullptr || *state == '\0') {
    throw std::runtime_error(std::string(variable) +
                             " is not set: run the cluster tests through ctest (-L cluster), "
                             "whose fixture starts the cluster, or start one with "
                             "scripts/test-cluster.sh start galera|replication DIR");
  }
  state_ = state;
  script_ = read("script");
  for (int n = 1; n <= nodes(); ++n) {
    admins_.push_back(
        std::make_unique<Engine>(Url(read("node" + std::to_string(n) + "/admin_url")),
                                 PoolOptions{.max_connections = 2,
                                             .checkout_timeout = std::chrono::seconds{1},
                                             .validation_bypass = std::chrono::milliseconds{0},
                                             .validation_timeout = std::chrono::seconds{1}}));
  }
}

std::string TestCluster::read(const std::string& file) const {
  std::ifstream in(state_ + "/" + file);
  if (!in) throw std::runtime_error("no " + file + " in cluster state " + state_);
  std::stringstream text;
  text << in.rdbuf();
  return trim(text.str());
}

Url TestCluster::url() const {
  return Url(read("url"));
}

Url TestCluster::node_url(int n) const {
  return Url(read("node" + std::to_string(n) + "/url"));
}

std::string TestCluster::node_host(int n) const {
  return "127.0.0.1:" + read("node" + std::to_string(n) + "/port");
}

std::string TestCluster::run(const std::string& arguments) const {
  std::string command = quoted(script_) + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  std::string out;
  std::array<char, 4096> buffer{};
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  int status = pclose(pipe);
  if (status != 0) throw std::runtime_error(command + " failed: " + out);
  return out;
}

std::string TestCluster::sql(int n, const std::string& sql) const {
  return trim(run("sql " + std::to_string(n) + " " + quoted(state_) + " " +
                  quoted("USE tabula_test; " + sql)));
}

void TestCluster::kill(int n) const {
  run("kill " + std::to_string(n) + " " + quoted(state_));
}

void TestCluster::promote(int n) const {
  run("promote " + std::to_string(n) + " " + quoted(state_));
}

int TestCluster::primary() const {
  return std::stoi(read("primary"));
}

void TestCluster::restart(int n) const {
  run("restart " + std::to_string(n) + " " + quoted(state_));
}

std::size_t TestCluster::connections(int n, const std::string& user) const {
  try {
    Lease lease = admins_.at(static_cast<std::size_t>(n - 1))->checkout();
    long long count = 0;
    lease->run([&](soci::session& sql) {
      sql << "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = :u AND "
             "COMMAND NOT IN ('Killed', 'Busy')",
          soci::use(user), soci::into(count);
    });
    return static_cast<std::size_t>(count);
  } catch (const std::exception&) {
    return 0;  // down: its connections are gone with it
  }
}

std::vector<std::string> TestCluster::connection_ids(int n, const std::string& user) const {
  std::vector<std::string> out;
  try {
    Lease lease = admins_.at(static_cast<std::size_t>(n - 1))->checkout();
    lease->run([&](soci::session& sql) {
      // The server's start, to the second, from its clock: ids start again after a restart.
      long long started = 0;
      sql << "SELECT UNIX_TIMESTAMP() - VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
             "WHERE VARIABLE_NAME = 'UPTIME'",
          soci::into(started);
      soci::rowset<long long> ids =
          (sql.prepare << "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = :u AND "
                          "COMMAND NOT IN ('Killed', 'Busy')",
           soci::use(user));
      for (long long id : ids) out.push_back(std::to_string(started) + "/" + std::to_string(id));
    });
  } catch (const std::exception&) {
    out.clear();  // down: its connections are gone with it
  }
  return out;
}

ClusterMonitor::ClusterMonitor(const TestCluster& cluster, std::string user)
    : cluster_(cluster), user_(std::move(user)) {
  thread_ = std::thread([this] {
    using Clock = std::chrono::steady_clock;
    while (!stop_.load()) {
      std::size_t sum = 0;
      for (int n = 1; n <= cluster_.nodes(); ++n) {
        auto start = Clock::now();
        std::vector<std::string> ids = cluster_.connection_ids(n, user_);
        auto end = Clock::now();
        sum += ids.size();
        for (const std::string& id : ids) {
          std::string key = std::to_string(n) + "/" + id;
          auto [it, fresh] = seen_.try_emplace(key, Seen{end, start});
          if (!fresh) it->second.last_start = start;
        }
      }
      if (sum > summed_peak_.load()) summed_peak_.store(sum);
      ++samples_;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
}

void ClusterMonitor::stop() {
  if (stop_.exchange(true)) return;
  thread_.join();
}

std::size_t ClusterMonitor::peak() {
  stop();
  // Sweep over the intervals each connection was surely open.
  std::vector<std::pair<std::chrono::steady_clock::time_point, int>> events;
  for (const auto& [key, seen] : seen_) {
    if (seen.first_end < seen.last_start) {
      events.emplace_back(seen.first_end, +1);
      events.emplace_back(seen.last_start, -1);
    }
  }
  std::sort(events.begin(), events.end());  // at one instant, a close (-1) sorts first
  std::size_t open = 0;
  std::size_t most = 0;
  for (const auto& [when, delta] : events) {
    open = delta > 0 ? open + 1 : open - 1;
    most = std::max(most, open);
  }
  return most;
}

ClusterMonitor::~ClusterMonitor() {
  stop();
}

}  // namespace tabula::test

#pragma once

// The server's view of a test: a database user made for one test, and a monitor that counts that
// user's connections in information_schema.PROCESSLIST from a separate connection. Pool tests
// assert the cap on what the server saw, not only on the pool's own counters.

#include <tabula/url.hpp>

#include <atomic>
#include <cstddef>
#include <string>
#include <thread>

namespace tabula::test {

// A MariaDB user created for one test (dropped at the end, its connections killed first) with all
// privileges on `database`.
class TestUser {
 public:
  // `extra` is appended to CREATE USER, e.g. "WITH MAX_USER_CONNECTIONS 3".
  TestUser(std::string name, const Url& database_url, const std::string& extra = "");
  ~TestUser();
  TestUser(const TestUser&) = delete;
  TestUser& operator=(const TestUser&) = delete;

  const std::string& name() const { return name_; }
  // `database_url` with this user's name and password, plus `query` appended ("?a=1&b=2" form,
  // without the '?').
  Url url(const std::string& query = "") const;
  // Server-side connections of this user right now.
  std::size_t connections() const;
  // Connections of this user running a statement that starts with `prefix` right now.
  std::size_t running(const std::string& prefix) const;
  // Kills every connection of this user; returns how many.
  std::size_t kill_all() const;

 private:
  std::string name_;
  std::string password_;
  Url base_;
};

// Polls the processlist every ~2 ms on its own thread and remembers the highest count seen of the
// user's live connections: rows not being torn down (not 'Killed' or 'Busy', see
// server_monitor.cpp), which is what the server counts against MAX_USER_CONNECTIONS. The highest
// count of all rows, teardown included, is kept too.
class ConnectionMonitor {
 public:
  explicit ConnectionMonitor(const TestUser& user);
  ~ConnectionMonitor();
  ConnectionMonitor(const ConnectionMonitor&) = delete;
  ConnectionMonitor& operator=(const ConnectionMonitor&) = delete;

  std::size_t peak() const { return peak_.load(); }
  std::size_t listed_peak() const { return listed_peak_.load(); }
  std::size_t samples() const { return samples_.load(); }

 private:
  const TestUser& user_;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> peak_{0};
  std::atomic<std::size_t> listed_peak_{0};
  std::atomic<std::size_t> samples_{0};
  std::thread thread_;
};

}  // namespace tabula::test

#include "server_monitor.hpp"

#include <tabula/engine.hpp>
#include <tabula/error.hpp>

#include "test_server.hpp"

#include <soci/soci.h>

#include <chrono>
#include <iostream>

namespace tabula::test {
namespace {

// One admin connection per process for user management and monitoring queries.
Engine& admin() {
  static Engine engine(server_url(), PoolOptions{.max_connections = 4,
                                                 .checkout_timeout = std::chrono::seconds{10}});
  return engine;
}

std::size_t count_connections(const std::string& user) {
  Lease lease = admin().checkout();
  long long n = 0;
  lease->run([&](soci::session& sql) {
    sql << "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = :u", soci::use(user),
        soci::into(n);
  });
  return static_cast<std::size_t>(n);
}

// Rows of `user` in the processlist: all of them, and those not being torn down. MariaDB keeps a
// connection it has ended listed until its thread has cleaned up: THD::disconnect() marks it
// killed (COMMAND 'Killed') and holds its data lock (COMMAND 'Busy', the processlist's trylock
// failing) while it closes the socket, and the row goes only when the thread unlinks itself.
// By then the account's MAX_USER_CONNECTIONS count was given back (end_connection, before the
// socket closes). A live connection shows 'Busy' only for the instant another thread holds its
// lock, so a real connection too many would still be seen as live in other samples.
std::pair<std::size_t, std::size_t> count_all_and_live(const std::string& user) {
  Lease lease = admin().checkout();
  long long all = 0;
  long long live = 0;
  lease->run([&](soci::session& sql) {
    sql << "SELECT COUNT(*), COALESCE(SUM(COMMAND NOT IN ('Killed', 'Busy')), 0) "
           "FROM information_schema.PROCESSLIST WHERE USER = :u",
        soci::use(user), soci::into(all), soci::into(live);
  });
  return {static_cast<std::size_t>(all), static_cast<std::size_t>(live)};
}

}  // namespace

TestUser::TestUser(std::string name, const Url& database_url, const std::string& extra)
    : name_(std::move(name)), password_("pw-" + name_ + "-Secret"), base_(database_url) {
  admin().execute("DROP USER IF EXISTS '" + name_ + "'@'%'");
  admin().execute("CREATE USER '" + name_ + "'@'%' IDENTIFIED BY '" + password_ + "' " + extra);
  admin().execute("GRANT ALL PRIVILEGES ON `" + database_url.database() + "`.* TO '" + name_ +
                  "'@'%'");
  // Lets this user see its own and others' threads in PROCESSLIST and KILL them in tests.
  admin().execute("GRANT PROCESS, CONNECTION ADMIN ON *.* TO '" + name_ + "'@'%'");
}

TestUser::~TestUser() {
  try {
    kill_all();
    admin().execute("DROP USER IF EXISTS '" + name_ + "'@'%'");
  } catch (const std::exception& e) {
    std::cerr << "warning: could not drop test user " << name_ << ": " << e.what() << "\n";
  }
}

Url TestUser::url(const std::string& query) const {
  std::string text = "mysql://" + name_ + ":" + password_ + "@" + base_.host() + ":" +
                     std::to_string(base_.effective_port()) + "/" + base_.database();
  if (!query.empty()) text += "?" + query;
  return Url(text);
}

std::size_t TestUser::connections() const {
  return count_connections(name_);
}

std::size_t TestUser::running(const std::string& prefix) const {
  Lease lease = admin().checkout();
  long long n = 0;
  std::string pattern = prefix + "%";
  lease->run([&](soci::session& sql) {
    sql << "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = :u AND INFO LIKE :p",
        soci::use(name_), soci::use(pattern), soci::into(n);
  });
  return static_cast<std::size_t>(n);
}

std::size_t TestUser::kill_all() const {
  Lease lease = admin().checkout();
  std::vector<long long> ids;
  lease->run([&](soci::session& sql) {
    soci::rowset<long long> rows = (sql.prepare << "SELECT ID FROM information_schema.PROCESSLIST "
                                                   "WHERE USER = :u",
                                    soci::use(name_));
    for (long long id : rows) ids.push_back(id);
  });
  std::size_t killed = 0;
  for (long long id : ids) {
    try {
      lease->execute("KILL CONNECTION " + std::to_string(id));
      ++killed;
    } catch (const SqlError&) {
      // Already gone (1094 unknown thread): fine.
    }
  }
  return killed;
}

ConnectionMonitor::ConnectionMonitor(const TestUser& user) : user_(user) {
  thread_ = std::thread([this] {
    while (!stop_.load()) {
      try {
        auto [all, live] = count_all_and_live(user_.name());
        ++samples_;
        auto raise = [](std::atomic<std::size_t>& peak, std::size_t n) {
          std::size_t seen = peak.load();
          while (n > seen && !peak.compare_exchange_weak(seen, n)) {
          }
        };
        raise(peak_, live);
        raise(listed_peak_, all);
      } catch (const Error&) {
        // The server may be restarting in fault tests; keep polling.
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{2});
    }
  });
}

ConnectionMonitor::~ConnectionMonitor() {
  stop_.store(true);
  thread_.join();
}

}  // namespace tabula::test

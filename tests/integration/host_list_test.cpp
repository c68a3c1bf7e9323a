// Host lists against the one test server (docs/cluster.md): a host that does not answer is
// skipped and named, the per-host cap spreads connections while the total cap holds at the
// server, and topology=galera refuses a server that is not a Galera node. The real clusters are
// tested in tests/cluster/.

#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/metrics.hpp>
#include <tabula/pool.hpp>

#include "server_monitor.hpp"
#include "test_server.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace tabula {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// `url` with its host replaced by `hosts` ("h1:p1,h2:p2") and `query` as its options.
Url with_hosts(const Url& url, const std::string& hosts, const std::string& query) {
  return Url("mysql://" + url.user() + ":" + url.password() + "@" + hosts + "/" + url.database() +
             (query.empty() ? "" : "?" + query));
}

std::string server(const Url& url) {
  return url.host() + ":" + std::to_string(url.effective_port());
}

// Port 1 on loopback: nothing listens there, a connection is refused at once.
constexpr const char* kDeadHost = "127.0.0.1:1";

TEST(HostListTest, SequentialSkipsAHostThatDoesNotAnswerAndSaysWhichIsDown) {
  test::ScratchDatabase db("host_list_seq");
  Url url = with_hosts(db.url(), std::string(kDeadHost) + "," + server(db.url()),
                       "max_connections=3&checkout_timeout=5s");
  Engine engine(url);
  auto started = Clock::now();
  {
    Lease lease = engine.checkout();
    lease->execute("DO 1");
  }
  EXPECT_LT(Clock::now() - started, 2s) << "failing over to the second host took too long";
  PoolStats stats = engine.pool().stats();
  ASSERT_EQ(stats.hosts.size(), 2U);
  EXPECT_EQ(stats.hosts[0].host, kDeadHost);
  EXPECT_EQ(stats.hosts[0].state, "down");
  EXPECT_GE(stats.hosts[0].connect_failures_total, 1U);
  EXPECT_EQ(stats.hosts[0].last_error.find(db.url().password()), std::string::npos);
  EXPECT_EQ(stats.hosts[1].state, "up");
  EXPECT_EQ(stats.hosts[1].open, 1U);
  std::string metrics = to_prometheus(stats);
  EXPECT_NE(metrics.find("tabula_pool_host_open{host=\"" + server(db.url()) + "\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("tabula_pool_host_state{host=\"127.0.0.1:1\",state=\"down\"} 1"),
            std::string::npos)
      << metrics;
}

// A host that accepts the TCP connection and then says nothing (a hung server, or a machine
// whose kernel still answers): the kernel completes the handshake, nobody ever accept()s.
class SilentHost {
 public:
  SilentHost() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot listen on loopback");
    }
    port_ = ntohs(address.sin_port);
  }
  ~SilentHost() { ::close(fd_); }
  SilentHost(const SilentHost&) = delete;
  SilentHost& operator=(const SilentHost&) = delete;
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(HostListTest, AHostThatNeverAnswersGetsItsShareOfTheCheckoutNotAllOfIt) {
  test::ScratchDatabase db("host_list_silent");
  SilentHost silent;
  // Sequential: the silent host first. Its connect would wait connect_timeout (10 s by default),
  // longer than the checkout's 4 s; with two hosts it gets half of them, and the real server the
  // rest.
  Url url = with_hosts(db.url(), silent.host() + "," + server(db.url()),
                       "max_connections=2&checkout_timeout=4s");
  Engine engine(url);
  auto started = Clock::now();
  {
    Lease lease = engine.checkout();
    lease->execute("DO 1");
  }
  auto took = Clock::now() - started;
  std::cout << "host list: a silent first host, then the server: the checkout took "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
  EXPECT_LT(took, 3500ms);
  PoolStats stats = engine.pool().stats();
  ASSERT_EQ(stats.hosts.size(), 2U);
  EXPECT_NE(stats.hosts[0].state, "up");
  EXPECT_EQ(stats.hosts[1].open, 1U);
}

TEST(HostListTest, WhenNoHostAnswersTheErrorNamesEachAndNoPassword) {
  test::ScratchDatabase db("host_list_none");
  Url url = with_hosts(db.url(), "127.0.0.1:1,127.0.0.1:2", "checkout_timeout=2s");
  Engine engine(url);
  try {
    Lease lease = engine.checkout();
    FAIL() << "a checkout succeeded with no server behind any host";
  } catch (const ConnectError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("127.0.0.1:1"), std::string::npos) << what;
    EXPECT_NE(what.find("127.0.0.1:2"), std::string::npos) << what;
    EXPECT_EQ(what.find(db.url().password()), std::string::npos) << what;
  }
}

TEST(HostListTest, PerHostCapSpreadsConnectionsAndTheTotalHoldsAtTheServer) {
  test::ScratchDatabase db("host_list_cap");
  // The server refuses this user's fifth connection; 127.1 is another name for 127.0.0.1, so
  // the two hosts are one server, which counts them all.
  test::TestUser user("th_per_host", db.url(), "WITH MAX_USER_CONNECTIONS 4");
  Url base = user.url();
  std::string port = std::to_string(base.effective_port());
  Url url = with_hosts(base, "127.0.0.1:" + port + ",127.1:" + port,
                       "max_connections=4&max_connections_per_host=2&checkout_timeout=5s");
  Engine engine(url);
  test::ConnectionMonitor monitor(user);
  std::vector<Lease> leases;
  for (int i = 0; i < 4; ++i) {
    leases.push_back(engine.checkout());
    leases.back()->execute("DO 1");
  }
  PoolStats stats = engine.pool().stats();
  ASSERT_EQ(stats.hosts.size(), 2U);
  EXPECT_EQ(stats.hosts[0].open, 2U);
  EXPECT_EQ(stats.hosts[1].open, 2U);
  EXPECT_EQ(user.connections(), 4U);
  EXPECT_FALSE(engine.pool().try_checkout(200ms).has_value()) << "a fifth connection was lent";
  leases.clear();
  EXPECT_EQ(engine.pool().stats().refusals_total, 0U);
  EXPECT_LE(monitor.peak(), 4U);
}

TEST(HostListTest, GaleraTopologyRefusesAServerThatIsNotAGaleraNode) {
  test::ScratchDatabase db("host_list_galera");
  Url url = db.url().with_option("topology", "galera").with_option("checkout_timeout", "2s");
  Engine engine(url);
  try {
    Lease lease = engine.checkout();
    FAIL() << "a plain server was taken for a Galera node";
  } catch (const ConnectError& e) {
    EXPECT_NE(std::string(e.what()).find("not a Galera node"), std::string::npos) << e.what();
  }
  PoolStats stats = engine.pool().stats();
  ASSERT_EQ(stats.hosts.size(), 1U);
  EXPECT_EQ(stats.hosts[0].state, "desynced");
  EXPECT_EQ(stats.open, 0U) << "the refused node's connection still counts";
}

}  // namespace
}  // namespace tabula

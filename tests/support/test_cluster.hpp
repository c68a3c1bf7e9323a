#pragma once

// The throwaway clusters the test run starts (scripts/test-cluster.sh through the CTest fixtures
// `galera` and `replication`), found through TABULA_TEST_GALERA / TABULA_TEST_REPLICATION. A test
// that needs one and cannot find it fails loudly.

#include <tabula/engine.hpp>
#include <tabula/url.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace tabula::test {

class TestCluster {
 public:
  // `variable`: TABULA_TEST_GALERA or TABULA_TEST_REPLICATION. Throws std::runtime_error when it
  // is not set or names no cluster.
  explicit TestCluster(const char* variable);

  // The test user's URL naming every node (mysql://tabula:...@h1,h2,h3/tabula_test).
  Url url() const;
  // The test user on node `n` (1..3) alone.
  Url node_url(int n) const;
  // "127.0.0.1:PORT" of node `n`, as PoolStats::hosts names it.
  std::string node_host(int n) const;
  int nodes() const { return 3; }

  // Runs `sql` as root on node `n` (over its unix socket) in tabula_test and returns the rows,
  // tab-separated, one per line. Throws std::runtime_error when the node does not answer.
  std::string sql(int n, const std::string& sql) const;
  // kill -9 node `n`; restart it and wait until it has rejoined (script verbs).
  void kill(int n) const;
  void restart(int n) const;
  // Replication: make node `n` the primary and point the others at it; the current primary.
  void promote(int n) const;
  int primary() const;
  // Connections of `user` on node `n` (0 when the node is down), asked as root over a
  // connection kept open (so a monitor's samples of the nodes are milliseconds apart).
  std::size_t connections(int n, const std::string& user) const;
  // The ids of those connections, each prefixed with when the node's server started (its
  // incarnation), as "START/ID"; empty when the node is down.
  std::vector<std::string> connection_ids(int n, const std::string& user) const;

 private:
  std::vector<std::unique_ptr<Engine>> admins_;  // per node, root over its socket
  std::string run(const std::string& arguments) const;
  std::string read(const std::string& file) const;

  std::string state_;
  std::string script_;
};

// Polls every node's processlist on its own thread and finds the most connections of `user` that
// were open at one instant over all nodes. Samples of different nodes are not taken at one
// instant, so a plain sum can count a connection closed on one node and its replacement opened
// on another as two. Instead each connection (node, server start, id) is known to have been open
// from the end of the first query that listed it to the start of the last one; peak() is the
// most of these intervals that overlap: never more than the true peak, and equal to it whenever
// the connections involved were each seen twice.
class ClusterMonitor {
 public:
  ClusterMonitor(const TestCluster& cluster, std::string user);
  ~ClusterMonitor();
  ClusterMonitor(const ClusterMonitor&) = delete;
  ClusterMonitor& operator=(const ClusterMonitor&) = delete;

  // Stops polling (the destructor does too) and returns the peak.
  std::size_t peak();
  // The highest plain sum over the nodes of one round of samples (an overestimate under churn).
  std::size_t summed_peak() const { return summed_peak_.load(); }
  std::size_t samples() const { return samples_.load(); }

 private:
  void stop();

  const TestCluster& cluster_;
  std::string user_;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> summed_peak_{0};
  std::atomic<std::size_t> samples_{0};
  struct Seen {
    std::chrono::steady_clock::time_point first_end;   // end of the first query listing it
    std::chrono::steady_clock::time_point last_start;  // start of the last one
  };
  std::map<std::string, Seen> seen_;  // by "node/start/id"; the thread's until stop()
  std::thread thread_;
};

}  // namespace tabula::test

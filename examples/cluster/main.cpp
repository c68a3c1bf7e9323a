// examples/cluster: one engine over a Galera cluster (docs/cluster.md). The URL names every node;
// the pool spreads its connections over the nodes that may take work, and max_connections stays
// the total over all of them.
//
//   example_cluster 'mysql://app:pw@db1,db2,db3/shop?topology=galera'
//
// It takes every connection the cap allows and says which node each went to, prints the pool's
// view of each host, then writes through engine.transaction, which tries a certification
// conflict (error 1213 at COMMIT, another node changed the same row first) again.

#include <tabula/tabula.hpp>

#include <soci/soci.h>

#include <iostream>
#include <map>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr
        << "usage: example_cluster 'mysql://user:pass@host1,host2,host3/db?topology=galera'\n";
    return 2;
  }
  try {
    tabula::Url url(argv[1]);
    tabula::hide_url_passwords(argc, argv);  // parsed: gone from ps and /proc from here on
    tabula::Engine engine(url, {.max_connections = 6});
    std::cout << "engine on " << engine.url() << "\n";

    // Every connection the cap allows, at once: where did they go?
    std::map<std::string, int> by_node;
    {
      std::vector<tabula::Lease> leases;
      for (int i = 0; i < 6; ++i) leases.push_back(engine.checkout());
      for (tabula::Lease& lease : leases) {
        int port = 0;
        lease->run([&](soci::session& sql) { sql << "SELECT @@port", soci::into(port); });
        ++by_node["port " + std::to_string(port)];
      }
    }
    for (const auto& [node, n] : by_node) std::cout << node << ": " << n << " connections\n";
    for (const tabula::HostStats& h : engine.pool().stats().hosts) {
      std::cout << "host " << h.host << ": " << h.state << ", " << h.open << " open\n";
    }

    engine.execute(
        "CREATE TABLE IF NOT EXISTS example_visit (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
        "page VARCHAR(40) NOT NULL, hits INT NOT NULL DEFAULT 0)");
    // Keys interleave across nodes (auto_increment_increment = cluster size): never assume
    // consecutive ones.
    long long id = engine.transaction(
        [&](tabula::Session& s) {
          tabula::Record& visit = s.add(engine.models().at("example_visit").make({{"page", "/"}}));
          s.flush();
          visit.set("hits", 1);
          return visit.get<long long>("id");
        },
        {.attempts = 3});
    std::cout << "inserted visit " << id << " through one node, committed on all\n";
    engine.execute("DROP TABLE example_visit");
  } catch (const tabula::Error& e) {
    std::cerr << "example_cluster: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

// A program built against an installed tabula, the way a user's project would use it.
#include <tabula/tabula.hpp>

#include <iostream>

int main() {
  tabula::Engine engine("sqlite://:memory:");
  tabula::Lease lease = engine.checkout();
  lease->execute("CREATE TABLE t (x INTEGER)");
  lease->execute("INSERT INTO t VALUES (1)");
  std::cout << "consumer: connected to " << engine.url() << " (SQLite " << lease->server_version()
            << ")\n";
  return lease->ping() ? 0 : 1;
}

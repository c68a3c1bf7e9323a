#pragma once

// Access to the throwaway MariaDB that the test run starts (scripts/test-db.sh through the CTest
// fixture in tests/CMakeLists.txt). A test that needs the server and cannot find it fails loudly:
// there is no skipping.
//
// The server is found through, in order: TABULA_TEST_URL (an external server you trust with
// scratch databases), or TABULA_TEST_STATE, the state directory the fixture published
// (scripts/test-db.sh documents its files).

#include <tabula/url.hpp>

#include <string>
#include <string_view>

namespace tabula::test {

// URL of the test user on the shared server (TCP, all privileges, database tabula_test).
// Throws std::runtime_error explaining how to start the server when there is none.
Url server_url();
// The same user over the server's unix socket.
Url socket_url();

// Stop, start or restart the shared server (same port and socket). Tests that use these must be
// RUN_SERIAL in CTest so that no other test sees the outage.
void stop_server();
void start_server();
void restart_server();

// A database created fresh for one test and dropped when this object goes away, so tests can run
// in parallel without seeing each other's tables.
class ScratchDatabase {
 public:
  // Creates database `tabula_t_<name>` (dropping a leftover one first).
  explicit ScratchDatabase(std::string_view name);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  const std::string& name() const { return name_; }
  // URL of the test user with this database selected.
  const Url& url() const { return url_; }

 private:
  std::string name_;
  Url url_;
};

}  // namespace tabula::test

#pragma once

// The database a benchmark measures against: the URL given as its first argument, or else a
// throwaway MariaDB started for the run with scripts/test-db.sh (as the tests do) and removed at
// the end.

#include <string>

namespace tabula::bench {

class BenchServer {
 public:
  // Takes argv[1] as the URL when it does not start with '-', removing it from argv; otherwise
  // starts a throwaway server. Throws std::runtime_error when the server cannot start.
  BenchServer(int& argc, char** argv);
  ~BenchServer();
  BenchServer(const BenchServer&) = delete;
  BenchServer& operator=(const BenchServer&) = delete;

  const std::string& url() const { return url_; }

 private:
  std::string url_;
  std::string state_dir_;  // non-empty when we started the server
};

}  // namespace tabula::bench

#include "bench_server.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <stdexcept>

namespace tabula::bench {

BenchServer::BenchServer(int& argc, char** argv) {
  if (argc > 1 && argv[1][0] != '-') {
    url_ = argv[1];
    for (int i = 1; i + 1 < argc; ++i) argv[i] = argv[i + 1];
    --argc;
    return;
  }
  char pattern[] = "/tmp/tabula-bench.XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  state_dir_ = pattern;
  std::string command = std::string("'") + TABULA_TEST_DB_SCRIPT + "' start '" + state_dir_ + "'";
  std::cerr << "bench: no URL given; starting a throwaway MariaDB\n";
  if (std::system(command.c_str()) != 0) {
    throw std::runtime_error("could not start a throwaway MariaDB: " + command);
  }
  std::ifstream in(state_dir_ + "/url");
  std::getline(in, url_);
}

BenchServer::~BenchServer() {
  if (state_dir_.empty()) return;
  std::string command = std::string("'") + TABULA_TEST_DB_SCRIPT + "' destroy '" + state_dir_ +
                        "' && rm -rf '" + state_dir_ + "'";
  if (std::system(command.c_str()) != 0) std::cerr << "bench: could not stop the MariaDB\n";
}

}  // namespace tabula::bench

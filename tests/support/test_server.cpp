#include "test_server.hpp"

#include <tabula/engine.hpp>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <stdexcept>

namespace tabula::test {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

std::string read_state_file(const std::string& file) {
  std::string state = env("TABULA_TEST_STATE");
  if (state.empty()) {
    throw std::runtime_error(
        "no test server: run the tests through ctest (its fixture starts MariaDB), or set "
        "TABULA_TEST_URL / TABULA_TEST_STATE");
  }
  std::ifstream in(state + "/" + file);
  std::string line;
  if (!in || !std::getline(in, line) || line.empty()) {
    throw std::runtime_error("the test server's " + file + " is missing from " + state +
                             ": did the mariadb fixture (scripts/test-db.sh start) fail?");
  }
  return line;
}

void run_script(const std::string& command) {
  std::string script = read_state_file("script");
  std::string state = env("TABULA_TEST_STATE");
  std::string line = "'" + script + "' " + command + " '" + state + "'";
  if (std::system(line.c_str()) != 0) throw std::runtime_error("failed: " + line);
}

}  // namespace

Url server_url() {
  std::string url = env("TABULA_TEST_URL");
  return Url(url.empty() ? read_state_file("url") : url);
}

Url socket_url() {
  return Url(read_state_file("socket_url"));
}

void stop_server() {
  run_script("stop");
}
void start_server() {
  run_script("start");
}
void restart_server() {
  run_script("restart");
}

namespace {

// MySQL database names are at most 64 characters: a long test name is cut and made unique again
// with a hash of the whole name.
std::string database_name(std::string_view name) {
  std::string full = "tabula_t_" + std::string(name);
  if (full.size() <= 64) return full;
  return full.substr(0, 47) + "_" +
         std::to_string(std::hash<std::string>{}(full) % 1'000'000'000'000'000ULL);
}

}  // namespace

ScratchDatabase::ScratchDatabase(std::string_view name)
    : name_(database_name(name)), url_(server_url().with_database(name_)) {
  Engine admin(server_url());
  admin.execute("DROP DATABASE IF EXISTS `" + name_ + "`");
  admin.execute("CREATE DATABASE `" + name_ + "` CHARACTER SET utf8mb4");
}

ScratchDatabase::~ScratchDatabase() {
  try {
    Engine admin(server_url());
    admin.execute("DROP DATABASE IF EXISTS `" + name_ + "`");
  } catch (const std::exception& e) {
    std::cerr << "warning: could not drop scratch database " << name_ << ": " << e.what() << "\n";
  }
}

}  // namespace tabula::test

// A program that ends while its pool is still busy opening warm connections, in the ways real
// programs end: returning from main with an Engine leaked or static, std::exit() with one alive,
// an exception nobody catches, a failed start. tests/exit/exit_test.cpp runs it and checks that
// nothing but what the runtime itself says is printed (no "Plugin ... could not be loaded: not
// initialized", no warning from the pool).
//
//   exit_helper MODE URL      MODE: leak | static | exit | uncaught | bad_start

#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/pool.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

using namespace std::chrono_literals;

// Eight warm connections opened one at a time: when the first is there, the housekeeper is
// opening the next.
const tabula::PoolOptions kOptions{.max_connections = 8, .min_idle = 8};

void wait_for_first_connection(tabula::Engine& engine) {
  auto until = std::chrono::steady_clock::now() + 10s;
  while (engine.pool().stats().created_total == 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(1ms);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: exit_helper leak|static|exit|uncaught|bad_start URL\n";
    return 2;
  }
  const std::string mode = argv[1];
  const tabula::Url url(argv[2]);
  if (mode == "leak") {
    auto* engine = new tabula::Engine(url, kOptions);  // never deleted, on purpose
    wait_for_first_connection(*engine);
    return 0;
  }
  if (mode == "static") {
    static tabula::Engine engine(url, kOptions);
    wait_for_first_connection(engine);
    return 0;
  }
  if (mode == "exit") {
    tabula::Engine engine(url, kOptions);
    wait_for_first_connection(engine);
    std::exit(0);  // locals are not destroyed: the pool is alive while the process ends
  }
  if (mode == "uncaught") {
    tabula::Engine engine(url, kOptions);
    wait_for_first_connection(engine);
    throw std::runtime_error("start-up failed");
  }
  if (mode == "bad_start") {
    // A start-up that fails after one pool is running: the second engine's options are refused.
    tabula::Engine engine(url, kOptions);
    wait_for_first_connection(engine);
    try {
      tabula::Engine bad(url, {.max_connections = 2, .min_idle = 3});
    } catch (const tabula::Error& e) {
      std::cout << "refused: " << e.what() << "\n";
      return 1;
    }
    return 3;
  }
  std::cerr << "unknown mode " << mode << "\n";
  return 2;
}

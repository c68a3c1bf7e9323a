#pragma once

// A burst of concurrent checkouts, for tests that check callers never see an error.

#include <tabula/engine.hpp>

#include <string>

namespace tabula::test {

struct BurstResult {
  int errors = 0;
  std::string first_error;  // what() of the first exception, for the failure message
};

// Runs `threads` threads that each check out a connection `each` times and run "DO 1" on it
// (MySQL), counting every exception.
BurstResult checkout_burst(Engine& engine, int threads, int each);

}  // namespace tabula::test

// Process exit with a pool alive prints nothing: the client library is initialised before the
// first connection and outlives every use tabula makes of it (src/dialect/client_library.hpp).
// Each way of ending runs several times, since what the housekeeper is doing at that moment
// varies.

#include "test_server.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace tabula {
namespace {

struct Outcome {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string output;  // stdout and stderr together
};

// The URL as text, password included (Url::to_string() hides it).
std::string url_text(const Url& url) {
  return "mysql://" + url.user() + ":" + url.password() + "@" + url.host() + ":" +
         std::to_string(url.effective_port()) + "/" + url.database();
}

Outcome run_helper(const std::string& mode, const Url& url) {
  std::string log = ::testing::TempDir() + "exit_helper_" + mode + ".log";
  // The helper leaks its Engine on purpose (a leaked pointer; std::exit skipping destructors), and
  // with it the pool's housekeeper thread, which ends at exit unjoined: no sanitizer report for
  // what the test does deliberately.
  std::string command =
      "ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0\" "
      "TSAN_OPTIONS=\"${TSAN_OPTIONS:+$TSAN_OPTIONS:}report_thread_leaks=0\" '" +
      std::string(TABULA_EXIT_HELPER) + "' " + mode + " '" + url_text(url) + "' > '" + log +
      "' 2>&1";
  int status = std::system(command.c_str());
  Outcome outcome;
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  outcome.output = text.str();
  return outcome;
}

void expect_quiet_exit(const std::string& mode, int expected_code) {
  Url url = test::server_url();
  for (int i = 0; i < 8; ++i) {
    Outcome outcome = run_helper(mode, url);
    EXPECT_EQ(outcome.exit_code, expected_code) << mode << " run " << i << ":\n" << outcome.output;
    EXPECT_EQ(outcome.output.find("tabula"), std::string::npos) << outcome.output;
    EXPECT_EQ(outcome.output.find("error"), std::string::npos) << outcome.output;
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(ExitTest, ReturningFromMainWithALeakedEnginePrintsNothing) {
  expect_quiet_exit("leak", 0);
}

TEST(ExitTest, ReturningFromMainWithAStaticEnginePrintsNothing) {
  expect_quiet_exit("static", 0);
}

TEST(ExitTest, StdExitWithAnEngineAlivePrintsNothing) {
  expect_quiet_exit("exit", 0);
}

TEST(ExitTest, AFailedStartUpReportsOnlyItsOwnError) {
  Url url = test::server_url();
  for (int i = 0; i < 4; ++i) {
    Outcome outcome = run_helper("bad_start", url);
    EXPECT_EQ(outcome.exit_code, 1) << outcome.output;
    EXPECT_EQ(outcome.output,
              "refused: invalid pool options: min_idle (3) exceeds max_connections (2)\n");
  }
}

TEST(ExitTest, AnUncaughtExceptionAbortsWithOnlyTheRuntimesMessage) {
  Url url = test::server_url();
  Outcome outcome = run_helper("uncaught", url);
  // Through std::system's shell, which reports the abort as 128 + SIGABRT.
  EXPECT_TRUE(outcome.signal == SIGABRT || outcome.exit_code == 128 + SIGABRT) << outcome.output;
  EXPECT_NE(outcome.output.find("start-up failed"), std::string::npos) << outcome.output;
  EXPECT_EQ(outcome.output.find("tabula"), std::string::npos) << outcome.output;
  EXPECT_EQ(outcome.output.find("MySQL error"), std::string::npos) << outcome.output;
}

}  // namespace
}  // namespace tabula

// The test server can be stopped and restarted on request (fault tests rely on it), and tabula
// reports the outage clearly and works again afterwards. RUN_SERIAL: no other test runs meanwhile.

#include <tabula/engine.hpp>
#include <tabula/error.hpp>

#include "test_server.hpp"

#include <soci/soci.h>

#include <gtest/gtest.h>

namespace tabula {
namespace {

TEST(MysqlRestartTest, OutageIsAClearErrorAndServiceResumesAfterRestart) {
  Engine engine(test::server_url());
  Lease before = engine.checkout();
  ASSERT_TRUE(before->ping());

  test::stop_server();
  EXPECT_FALSE(before->ping()) << "a connection to a stopped server cannot be alive";
  EXPECT_TRUE(before->is_broken());
  try {
    (void)engine.checkout();
    ADD_FAILURE() << "connected to a stopped server";
  } catch (const ConnectError& e) {
    EXPECT_TRUE(e.code() == 2002 || e.code() == 2003 || e.code() == 2013) << e.what();
    EXPECT_EQ(std::string(e.what()).find(test::server_url().password()), std::string::npos);
  }

  test::start_server();
  Lease after = engine.checkout();
  EXPECT_TRUE(after->ping());
  after->execute("SELECT 1");
}

TEST(MysqlRestartTest, RestartKeepsPortSocketAndData) {
  Engine engine(test::server_url());
  engine.execute("CREATE TABLE IF NOT EXISTS restart_probe (id INT PRIMARY KEY)");
  engine.execute("REPLACE INTO restart_probe VALUES (42)");
  test::restart_server();
  Lease lease = engine.checkout();
  int kept = 0;
  lease->run([&](soci::session& sql) {
    sql << "SELECT COUNT(*) FROM restart_probe WHERE id = 42", soci::into(kept);
  });
  EXPECT_EQ(kept, 1) << "data survives a restart";
  EXPECT_TRUE(Engine(test::socket_url()).checkout()->ping());
  lease->execute("DROP TABLE restart_probe");
}

}  // namespace
}  // namespace tabula

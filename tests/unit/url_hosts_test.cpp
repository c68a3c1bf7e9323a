// Host lists in URLs (docs/cluster.md): parsing, printing, one host at a time, and the options
// that only make sense with them.

#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/pool.hpp>
#include <tabula/url.hpp>

#include <gtest/gtest.h>

#include "expect_url_error.hpp"

namespace tabula {
namespace {

void expect_url_error(std::string_view text, std::string_view fragment) {
  test::expect_url_error(text, fragment, "s3cret");
}

TEST(UrlHostsTest, ParsesAListOfHostsInOrder) {
  Url url("mysql://app:s3cret@db1:3306,db2,[::1]:3307/shop?topology=galera");
  ASSERT_EQ(url.hosts().size(), 3U);
  EXPECT_EQ(url.hosts()[0], (Url::Host{"db1", 3306}));
  EXPECT_EQ(url.hosts()[1], (Url::Host{"db2", std::nullopt}));
  EXPECT_EQ(url.hosts()[2], (Url::Host{"::1", 3307}));
  // host() and port() are the first host's, for code that knows one server.
  EXPECT_EQ(url.host(), "db1");
  EXPECT_EQ(url.port(), 3306);
  EXPECT_EQ(url.database(), "shop");
  EXPECT_EQ(url.password(), "s3cret");
  EXPECT_EQ(url.hosts()[2].to_string(), "[::1]:3307");
}

TEST(UrlHostsTest, OneHostIsAListOfOneAndASocketIsNone) {
  EXPECT_EQ(Url("mysql://app@db1/shop").hosts(), (std::vector<Url::Host>{{"db1", std::nullopt}}));
  EXPECT_TRUE(Url("mysql://app@/shop?socket=/run/mysqld.sock").hosts().empty());
  EXPECT_TRUE(Url("sqlite:///tmp/x.db").hosts().empty());
}

TEST(UrlHostsTest, PrintsEveryHostAndNoPassword) {
  Url url("mysql://app:s3cret@db1:3306,db2,[::1]:3307/shop?topology=galera");
  EXPECT_EQ(url.to_string(), "mysql://app:***@db1:3306,db2,[::1]:3307/shop?topology=galera");
  // What it prints parses back to the same hosts.
  EXPECT_EQ(Url(url.to_string()).hosts(), url.hosts());
}

TEST(UrlHostsTest, SingleHostKeepsEverythingElse) {
  Url url("mysql://app:s3cret@db1:3306,db2:3307/shop?topology=galera&max_connections=12");
  Url second = url.single_host(1);
  EXPECT_EQ(second.hosts(), (std::vector<Url::Host>{{"db2", 3307}}));
  EXPECT_EQ(second.host(), "db2");
  EXPECT_EQ(second.port(), 3307);
  EXPECT_EQ(second.password(), "s3cret");
  EXPECT_EQ(second.database(), "shop");
  EXPECT_EQ(second.option("max_connections"), "12");
  EXPECT_EQ(second.to_string(), "mysql://app:***@db2:3307/shop?topology=galera&max_connections=12");
}

TEST(UrlHostsTest, RefusesMalformedLists) {
  expect_url_error("mysql://app:s3cret@db1,,db2/shop", "empty host in the host list");
  expect_url_error("mysql://app:s3cret@db1,/shop", "empty host in the host list");
  expect_url_error("mysql://app:s3cret@,db1/shop", "empty host in the host list");
  expect_url_error("mysql://app:s3cret@db1:3306,db1/shop", "listed twice");
  expect_url_error("mysql://app:s3cret@db1,DB1/shop", "listed twice");
  expect_url_error("mysql://app:s3cret@db1,db2:99999/shop", "port");
  expect_url_error("mysql://app:s3cret@db1,db2/shop?socket=/run/x.sock", "list of hosts");
  expect_url_error("mysql://app:s3cret@db1,[::1/shop", "unterminated '['");
  // A forgotten '@' before a password with a comma must not turn the password into host names
  // (which every connect error would print).
  expect_url_error("mysql://app:7,s3cret/shop", "check that '@' precedes the hosts");
  expect_url_error("mysql://db1,db2/shop", "needs the user before it");
  EXPECT_EQ(Url("mysql://app@db1,db2/shop").hosts().size(), 2U);
}

TEST(UrlHostsTest, ClusterOptionsAreCheckedPoolOptions) {
  PoolOptions o = apply_url_options(
      {}, Url("mysql://a@db1,db2/s?topology=galera&max_connections=12&max_connections_per_host=6"));
  EXPECT_EQ(o.topology, Topology::galera);
  EXPECT_EQ(o.max_connections_per_host, 6U);
  EXPECT_EQ(apply_url_options({}, Url("mysql://a@db1,db2/s")).topology, Topology::sequential);
  EXPECT_THROW(apply_url_options({}, Url("mysql://a@db1,db2/s?topology=ring")), UrlError);
  EXPECT_THROW(apply_url_options({}, Url("mysql://a@db1/s?max_connections=4&"
                                         "max_connections_per_host=5")),
               UrlError);
  PoolOptions replication =
      apply_url_options({}, Url("mysql://a@db1,db2/s?topology=replication&max_replica_lag=3s&"
                                "replica_fallback=false"));
  EXPECT_EQ(replication.topology, Topology::replication);
  EXPECT_EQ(replication.max_replica_lag, std::chrono::seconds{3});
  EXPECT_FALSE(replication.replica_fallback);
  EXPECT_TRUE(apply_url_options({}, Url("mysql://a@db1/s")).replica_fallback);
  EXPECT_THROW(apply_url_options({}, Url("mysql://a@db1,db2/s?replica_fallback=maybe")), UrlError);
  EXPECT_THROW(apply_url_options({}, Url("mysql://a@db1,db2/s?max_replica_lag=soon")), UrlError);
  EXPECT_EQ(apply_url_options({}, Url("mysql://a@db1,db2/s")).node_check_interval,
            std::chrono::seconds{1});
  EXPECT_EQ(apply_url_options({}, Url("mysql://a@db1,db2/s?node_check_interval=250ms"))
                .node_check_interval,
            std::chrono::milliseconds{250});
  EXPECT_EQ(
      apply_url_options({}, Url("mysql://a@db1,db2/s?node_check_interval=0")).node_check_interval,
      std::chrono::milliseconds{0});
  EXPECT_THROW(apply_url_options({}, Url("mysql://a@db1,db2/s?node_check_interval=often")),
               UrlError);
}

TEST(UrlHostsTest, ASqliteFileHasNoTopology) {
  try {
    Engine engine(Url("sqlite://:memory:?topology=galera"));
    ADD_FAILURE() << "a sqlite URL took a topology";
  } catch (const UrlError& e) {
    EXPECT_NE(std::string(e.what()).find("topology"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tabula

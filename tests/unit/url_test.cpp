#include <tabula/error.hpp>
#include <tabula/url.hpp>

#include <gtest/gtest.h>

#include "expect_url_error.hpp"

#include <sstream>

namespace tabula {
namespace {

using test::expect_url_error;

TEST(UrlTest, ParsesFullMysqlUrl) {
  Url url("mysql://app:secret@db.example.com:3307/shop?charset=utf8mb4&connect_timeout=5s");
  EXPECT_EQ(url.dialect(), Dialect::mysql);
  EXPECT_EQ(url.scheme(), "mysql");
  EXPECT_EQ(url.user(), "app");
  EXPECT_EQ(url.password(), "secret");
  EXPECT_TRUE(url.has_password());
  EXPECT_EQ(url.host(), "db.example.com");
  EXPECT_EQ(url.port(), 3307);
  EXPECT_EQ(url.database(), "shop");
  ASSERT_EQ(url.options().size(), 2u);
  EXPECT_EQ(url.option("charset"), "utf8mb4");
  EXPECT_EQ(url.option("connect_timeout"), "5s");
  EXPECT_EQ(url.option("missing"), std::nullopt);
}

TEST(UrlTest, MissingPortUsesDefault) {
  Url url("mysql://app@localhost/shop");
  EXPECT_EQ(url.port(), std::nullopt);
  EXPECT_EQ(url.effective_port(), 3306);
  EXPECT_FALSE(url.has_password());
}

TEST(UrlTest, MariadbSchemeIsMysqlDialect) {
  Url url("MariaDB://app@h/db");
  EXPECT_EQ(url.dialect(), Dialect::mysql);
  EXPECT_EQ(url.scheme(), "mariadb");
}

TEST(UrlTest, ParsesBracketedIpv6Host) {
  Url url("mysql://app:pw@[::1]:3307/shop");
  EXPECT_EQ(url.host(), "::1");
  EXPECT_EQ(url.port(), 3307);
  Url full("mysql://app@[2001:db8::1]/shop");
  EXPECT_EQ(full.host(), "2001:db8::1");
  EXPECT_EQ(full.port(), std::nullopt);
  Url zoned("mysql://app@[fe80::1%25eth0]:3306/db");
  EXPECT_EQ(zoned.host(), "fe80::1%eth0");
}

TEST(UrlTest, RejectsMalformedIpv6Host) {
  expect_url_error("mysql://app@[::1/shop", "unterminated '['");
  expect_url_error("mysql://app@[::1]x/shop", "after IPv6 host");
  expect_url_error("mysql://app@[zz::1]/shop", "invalid IPv6 host");
  expect_url_error("mysql://app@::1/shop", "write IPv6 hosts as [::1]");
}

TEST(UrlTest, ParsesUnixSocketWithoutHost) {
  Url url("mysql://app@/shop?socket=/run/mysqld/mysqld.sock");
  EXPECT_EQ(url.host(), "");
  EXPECT_EQ(url.socket(), "/run/mysqld/mysqld.sock");
  EXPECT_EQ(url.database(), "shop");
  EXPECT_TRUE(url.options().empty()) << "socket is not an ordinary option";
  Url encoded("mysql://app@/shop?socket=%2Ftmp%2Fmy%20sock");
  EXPECT_EQ(encoded.socket(), "/tmp/my sock");
}

TEST(UrlTest, DecodesPercentEncodedParts) {
  Url url("mysql://us%40er:p%40ss%3Aw%2Frd@host/my%20db?charset=utf8mb4&x%20y=a%26b");
  EXPECT_EQ(url.user(), "us@er");
  EXPECT_EQ(url.password(), "p@ss:w/rd");
  EXPECT_EQ(url.database(), "my db");
  EXPECT_EQ(url.option("x y"), "a&b");
}

TEST(UrlTest, UnencodedAtAndSlashInPasswordStillParse) {
  Url url("mysql://app:p@ss/w@host:3306/db");
  EXPECT_EQ(url.password(), "p@ss/w");
  EXPECT_EQ(url.host(), "host");
  EXPECT_EQ(url.database(), "db");
}

TEST(UrlTest, EmptyPasswordIsKnownToBeGiven) {
  Url url("mysql://app:@host/db");
  EXPECT_TRUE(url.has_password());
  EXPECT_EQ(url.password(), "");
  EXPECT_EQ(url.to_string(), "mysql://app:***@host/db");
}

TEST(UrlTest, RejectsBadPort) {
  expect_url_error("mysql://app@host:/db", "empty port");
  expect_url_error("mysql://app@host:abc/db", "the port is not a number");
  expect_url_error("mysql://app:Secret1/db", "check that '@' precedes the host");
  expect_url_error("mysql://app@host:0/db", "out of range");
  expect_url_error("mysql://app@host:65536/db", "out of range");
  expect_url_error("mysql://app@host:99999999999999999999/db", "out of range");
  EXPECT_EQ(Url("mysql://app@host:65535/db").port(), 65535);
}

TEST(UrlTest, RejectsUnknownSchemeAndGarbage) {
  expect_url_error("postgres://app@host/db", "unknown scheme 'postgres'");
  expect_url_error("", "missing '://'");
  expect_url_error("just some text", "missing '://'");
  expect_url_error("://host/db", "malformed scheme");
  expect_url_error("my sql://host/db", "malformed scheme");
  expect_url_error("mysql://app@ho st/db", "invalid character in the host");
  expect_url_error("mysql://app@host/db#frag", "'#' is not allowed");
  expect_url_error("mysql://app@host/db\n", "control character");
}

TEST(UrlTest, RejectsBadPercentEncoding) {
  expect_url_error("mysql://a%2@host/db", "percent-escape in the user name 'a%2'");
  expect_url_error("mysql://app@host/d%zzb", "percent-escape in the database name");
  expect_url_error("mysql://app@host/d%00b", "%00 is not allowed");
}

TEST(UrlTest, RejectsBadOptions) {
  expect_url_error("mysql://app@host/db?charset", "option 'charset' has no value");
  expect_url_error("mysql://app@host/db?=x", "empty option name");
  expect_url_error("mysql://app@host/db?a=1&a=2", "option 'a' given twice");
  expect_url_error("mysql://app@host/db?socket=", "option 'socket' is empty");
  expect_url_error("mysql://app@host/a/b", "contains '/'");
  EXPECT_EQ(Url("mysql://app@host/db?a=1&&b=2&").options().size(), 2u);
  expect_url_error("mysql://app?:secret@host/db", "'@' appears only after '?'");
  EXPECT_EQ(Url("mysql://app:pw@host/db?sslca=/a%40b").option("sslca"), "/a@b");
}

TEST(UrlTest, ErrorsNeverContainThePassword) {
  const std::string password = "Sup3rS3cretPw";
  for (std::string text :
       {"mysql://app:" + password + "%zz@host/db", "mysql://app:" + password + "@host:bad/db",
        "mysql://app:" + password + "@ho st/db", "mysql://app:" + password + "@host/db#x",
        "mysql://app:" + password + "@host/db?x", "mysql://app:" + password + "@[::1/db",
        "mysql://app:" + password + "/db", "mysql://app:" + password + ":1/db"}) {
    try {
      Url url(text);
      ADD_FAILURE() << "expected an error";
    } catch (const UrlError& e) {
      EXPECT_EQ(std::string(e.what()).find(password), std::string::npos) << e.what();
    }
  }
}

TEST(UrlTest, ToStringAndStreamRedactThePassword) {
  Url url("mysql://app:hunter2hunter2@host:3307/shop?charset=utf8mb4");
  EXPECT_EQ(url.to_string(), "mysql://app:***@host:3307/shop?charset=utf8mb4");
  std::ostringstream out;
  out << url;
  EXPECT_EQ(out.str(), url.to_string());
  EXPECT_EQ(out.str().find("hunter2"), std::string::npos);
}

TEST(UrlTest, ToStringRoundTripsWithoutPassword) {
  for (std::string text : {"mysql://app@host:3307/shop?charset=utf8mb4",
                           "mysql://us%40er@[::1]:3306/my%20db?socket=%2Ftmp%2Fs&k=v%26w",
                           "mysql://app@/db?socket=/run/mysqld.sock", "mysql://host",
                           "mysql://@db1,db2:3307/shop",  // a host list keeps its '@'
                           "sqlite:///var/lib/app/data%20file.db?busy_timeout=2s",
                           "sqlite://relative/app.db", "sqlite://:memory:"}) {
    Url url(text);
    EXPECT_EQ(Url(url.to_string()), url) << text << " -> " << url.to_string();
  }
}

TEST(UrlTest, WithDatabaseKeepsEverythingElse) {
  Url url("mysql://app:pw@host:3307/one?charset=latin1");
  Url other = url.with_database("two");
  EXPECT_EQ(other.database(), "two");
  EXPECT_EQ(other.password(), "pw");
  EXPECT_EQ(other.port(), 3307);
  EXPECT_EQ(other.option("charset"), "latin1");
}

TEST(UrlTest, ParsesSqlitePaths) {
  Url absolute("sqlite:///var/lib/app/data.db");
  EXPECT_EQ(absolute.dialect(), Dialect::sqlite);
  EXPECT_EQ(absolute.database(), "/var/lib/app/data.db");
  EXPECT_FALSE(absolute.is_memory());
  EXPECT_EQ(Url("sqlite://data/app.db").database(), "data/app.db");
  Url memory("sqlite://:memory:");
  EXPECT_TRUE(memory.is_memory());
  EXPECT_EQ(memory.to_string(), "sqlite://:memory:");
  EXPECT_EQ(Url("sqlite:///tmp/my%20file.db?busy_timeout=1s").database(), "/tmp/my file.db");
}

TEST(UrlTest, RejectsBadSqliteUrls) {
  expect_url_error("sqlite://", "needs a path");
  expect_url_error("sqlite://?busy_timeout=1s", "needs a path");
  expect_url_error("sqlite:///tmp/x.db?socket=/s", "no meaning for sqlite");
  expect_url_error("sqlite:///tmp/x.db#frag", "'#' is not allowed");
}

}  // namespace
}  // namespace tabula

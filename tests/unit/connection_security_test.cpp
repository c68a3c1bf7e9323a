// The parts of #19 that need no server: ssl_mode and its options as read from a URL, the
// password sources' precedence, and argv overwriting.

#include <tabula/credentials.hpp>
#include <tabula/error.hpp>
#include <tabula/url.hpp>

#include "detail/password_source.hpp"
#include "detail/url_options.hpp"
#include "dialect/mysql/mysql_tls.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace tabula {
namespace {

using dialect::mysql::SslMode;
using dialect::mysql::tls_settings;

TEST(SslModeTest, DefaultIsPreferredAndVerifyCaWhenACaIsNamed) {
  EXPECT_EQ(tls_settings(Url("mysql://app@db/shop")).mode, SslMode::preferred);
  EXPECT_EQ(tls_settings(Url("mysql://app@db/shop?sslca=/ca.pem")).mode, SslMode::verify_ca);
  EXPECT_EQ(tls_settings(Url("mysql://app@db/shop?sslcapath=/cas")).mode, SslMode::verify_ca);
  EXPECT_EQ(tls_settings(Url("mysql://app@db/shop?sslca=/ca.pem&ssl_mode=required")).mode,
            SslMode::required);
}

TEST(SslModeTest, EveryLevelParses) {
  for (auto [text, mode] : std::vector<std::pair<std::string, SslMode>>{
           {"disabled", SslMode::disabled},
           {"preferred", SslMode::preferred},
           {"required", SslMode::required},
           {"verify_ca", SslMode::verify_ca},
           {"verify_identity", SslMode::verify_identity}}) {
    EXPECT_EQ(tls_settings(Url("mysql://app@db/shop?ssl_mode=" + text)).mode, mode) << text;
  }
}

TEST(SslModeTest, BadValuesAreUrlErrorsWhenOptionsAreChecked) {
  EXPECT_THROW(detail::check_url_options(Url("mysql://app@db/shop?ssl_mode=VERIFY_CA")), UrlError);
  EXPECT_THROW(detail::check_url_options(Url("mysql://app@db/shop?tls_version=TLSv1.0")), UrlError);
  EXPECT_THROW(
      detail::check_url_options(Url("mysql://app@db/shop?ssl_mode=disabled&sslcert=/c.pem")),
      UrlError);
  EXPECT_NO_THROW(detail::check_url_options(
      Url("mysql://app@db/shop?tls_version=TLSv1.2,TLSv1.3&sslcrl=/crl.pem&sslcapath=/cas")));
}

TEST(SslModeTest, PreferredOverASocketAttemptsNoTls) {
  Url socket("mysql://app@/shop?socket=/run/mysqld/mysqld.sock");
  EXPECT_FALSE(dialect::mysql::uses_tls(socket, tls_settings(socket)));
  Url required = socket.with_option("ssl_mode", "required");
  EXPECT_TRUE(dialect::mysql::uses_tls(required, tls_settings(required)));
  Url tcp("mysql://app@db/shop");
  EXPECT_TRUE(dialect::mysql::uses_tls(tcp, tls_settings(tcp)));
}

class PasswordSourceOrderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("TABULA_PASSWORD");
    ::unsetenv("MYSQL_PWD");
  }
  void TearDown() override { SetUp(); }
};

TEST_F(PasswordSourceOrderTest, UrlThenFileThenTabulaPasswordThenMysqlPwd) {
  std::string file = ::testing::TempDir() + "tabula-unit-pw";
  std::ofstream(file) << "from-file\n";
  ::chmod(file.c_str(), 0600);
  ::setenv("MYSQL_PWD", "from-mysql-pwd", 1);
  EXPECT_EQ(detail::with_resolved_password(Url("mysql://app@db/x")).password(), "from-mysql-pwd");
  ::setenv("TABULA_PASSWORD", "from-tabula", 1);
  EXPECT_EQ(detail::with_resolved_password(Url("mysql://app@db/x")).password(), "from-tabula");
  EXPECT_EQ(
      detail::with_resolved_password(Url("mysql://app@db/x?password_file=" + file)).password(),
      "from-file");
  EXPECT_EQ(detail::with_resolved_password(Url("mysql://app:inline@db/x?password_file=" + file))
                .password(),
            "inline");
  Url empty = detail::with_resolved_password(Url("mysql://app:@db/x"));
  EXPECT_TRUE(empty.has_password());
  EXPECT_EQ(empty.password(), "") << "an empty password in the URL is a given one";
  EXPECT_FALSE(detail::with_resolved_password(Url("sqlite://:memory:")).has_password());
}

TEST_F(PasswordSourceOrderTest, NoSourceMeansNoPassword) {
  EXPECT_FALSE(detail::with_resolved_password(Url("mysql://app@db/x")).has_password());
}

TEST(HideUrlPasswordsTest, OverwritesOnlyThePassword) {
  std::vector<std::string> args{"tool",
                                "mysql://app:s3cret@db:3306/shop?ssl_mode=required",
                                "--url=mariadb://u:p@ss/w@host/db",
                                "sqlite:///tmp/a.db",
                                "mysql://app@db/shop",
                                "plain"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  hide_url_passwords(static_cast<int>(argv.size()), argv.data());
  EXPECT_STREQ(argv[1], "mysql://app:xxxxxx@db:3306/shop?ssl_mode=required");
  EXPECT_STREQ(argv[2], "--url=mariadb://u:xxxxxx@host/db");
  EXPECT_STREQ(argv[3], "sqlite:///tmp/a.db");
  EXPECT_STREQ(argv[4], "mysql://app@db/shop");
  EXPECT_STREQ(argv[5], "plain");
}

TEST(HideUrlPasswordsTest, PromptIsSkippedWithoutATerminalOrWithASource) {
  // ctest runs tests with stdin not a terminal: never a prompt, the URL comes back as it was.
  Url url("mysql://app@db/shop");
  EXPECT_EQ(with_prompted_password(url), url);
  EXPECT_EQ(with_prompted_password(Url("sqlite://:memory:")), Url("sqlite://:memory:"));
}

}  // namespace
}  // namespace tabula

// Connection security (#19) against real servers: the plain test server (TABULA_TEST_STATE), a TLS
// one serving a certificate for 127.0.0.1 and localhost (TABULA_TEST_TLS_STATE), and a TLS one
// serving a certificate for another host name (TABULA_TEST_TLS_OTHER_STATE). Each TLS server has
// its own throwaway CA (scripts/test-db.sh, make_certs). The session's Ssl_cipher, as the server
// reports it, is the proof of encryption.

#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/log.hpp>

#include "test_server.hpp"

#include <soci/soci.h>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

namespace tabula {
namespace {

std::string state_dir(const char* variable) {
  const char* value = std::getenv(variable);
  if (value == nullptr || value[0] == '\0') {
    throw std::runtime_error(std::string(variable) + " is not set: run this test through ctest");
  }
  return value;
}

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error("cannot read " + path);
  return line;
}

Url tls_url() {
  return Url(first_line(state_dir("TABULA_TEST_TLS_STATE") + "/url"));
}
std::string tls_file(const std::string& name) {
  return state_dir("TABULA_TEST_TLS_STATE") + "/tls/" + name;
}
Url other_url() {
  return Url(first_line(state_dir("TABULA_TEST_TLS_OTHER_STATE") + "/url"));
}
std::string other_file(const std::string& name) {
  return state_dir("TABULA_TEST_TLS_OTHER_STATE") + "/tls/" + name;
}
Url plain_url() {
  return test::server_url();
}

// The cipher of the session as the server sees it; empty for a plaintext connection.
std::string server_cipher(Lease& lease) {
  std::string cipher;
  lease->run([&](soci::session& sql) {
    sql << "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
           "WHERE VARIABLE_NAME = 'Ssl_cipher'",
        soci::into(cipher);
  });
  return cipher;
}

std::string cipher_with(const Url& url) {
  Engine engine(url, {.max_connections = 1});
  Lease lease = engine.checkout();
  return server_cipher(lease);
}

// The message of the ConnectError that connecting to `url` raises (fails the test if none).
std::string refusal(const Url& url) {
  try {
    Engine engine(url, {.max_connections = 1});
    (void)engine.checkout();
  } catch (const ConnectError& e) {
    return e.what();
  }
  ADD_FAILURE() << "connected to " << url;
  return {};
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(TlsTest, EveryModeAgainstTheTlsServer) {
  Url url = tls_url();
  EXPECT_EQ(cipher_with(url.with_option("ssl_mode", "disabled")), "");
  EXPECT_NE(cipher_with(url.with_option("ssl_mode", "preferred")), "")
      << "preferred must use TLS when the server offers it";
  EXPECT_NE(cipher_with(url.with_option("ssl_mode", "required")), "");
  Url trusted = url.with_option("sslca", tls_file("ca.pem"));
  EXPECT_NE(cipher_with(trusted.with_option("ssl_mode", "verify_ca")), "");
  EXPECT_NE(cipher_with(trusted.with_option("ssl_mode", "verify_identity")), "");
}

TEST(TlsTest, DefaultIsPreferredAndUsesTlsWhenOffered) {
  EXPECT_NE(cipher_with(tls_url()), "");
  EXPECT_EQ(cipher_with(plain_url()), "") << "the plain server offers no TLS";
}

TEST(TlsTest, EveryModeAgainstThePlainServer) {
  Url url = plain_url();
  EXPECT_EQ(cipher_with(url.with_option("ssl_mode", "disabled")), "");
  EXPECT_EQ(cipher_with(url.with_option("ssl_mode", "preferred")), "");
  std::string required = refusal(url.with_option("ssl_mode", "required"));
  EXPECT_TRUE(has(required, "the server does not offer TLS (ssl_mode=required)")) << required;
  for (const char* mode : {"verify_ca", "verify_identity"}) {
    std::string message =
        refusal(url.with_option("ssl_mode", mode).with_option("sslca", tls_file("ca.pem")));
    EXPECT_TRUE(has(message, "the server does not offer TLS")) << message;
    EXPECT_FALSE(has(message, url.password())) << message;
  }
}

TEST(TlsTest, WrongCaIsRefusedNamingTheChain) {
  Url url = tls_url().with_option("sslca", tls_file("ca2.pem"));
  for (const char* mode : {"verify_ca", "verify_identity"}) {
    std::string message = refusal(url.with_option("ssl_mode", mode));
    EXPECT_TRUE(has(message, "certificate chain is not trusted by the CA in sslca")) << message;
    EXPECT_FALSE(has(message, url.password())) << message;
  }
}

TEST(TlsTest, VerifyWithoutCaUsesTheSystemStore) {
  // The test CA is in no system store, so the system's CAs must refuse it.
  std::string message = refusal(tls_url().with_option("ssl_mode", "verify_ca"));
  EXPECT_TRUE(has(message, "not trusted by the system's CAs")) << message;
}

TEST(TlsTest, WrongHostNameRefusedUnderVerifyIdentityAcceptedUnderVerifyCa) {
  Url url = other_url().with_option("sslca", other_file("ca.pem"));
  std::string message = refusal(url.with_option("ssl_mode", "verify_identity"));
  EXPECT_TRUE(has(message, "the server's certificate does not name host '127.0.0.1'")) << message;
  EXPECT_NE(cipher_with(url.with_option("ssl_mode", "verify_ca")), "");
}

TEST(TlsTest, RequireSslUserNeedsTls) {
  Url url = tls_url();
  Engine admin(url, {.max_connections = 1});
  admin.execute("DROP USER IF EXISTS 'tls_only'@'%'");
  admin.execute("CREATE USER 'tls_only'@'%' IDENTIFIED BY 'tls-only-pw' REQUIRE SSL");
  Url user = Url("mysql://tls_only:tls-only-pw@127.0.0.1:" + std::to_string(url.effective_port()));
  std::string message = refusal(user.with_option("ssl_mode", "disabled"));
  EXPECT_TRUE(has(message, "1045")) << message;
  EXPECT_FALSE(has(message, "tls-only-pw")) << message;
  EXPECT_NE(cipher_with(user.with_option("ssl_mode", "required")), "");
  admin.execute("DROP USER 'tls_only'@'%'");
}

TEST(TlsTest, ClientCertificateForRequireX509User) {
  Url url = tls_url();
  Engine admin(url, {.max_connections = 1});
  admin.execute("DROP USER IF EXISTS 'x509_only'@'%'");
  admin.execute("CREATE USER 'x509_only'@'%' IDENTIFIED BY 'x509-pw' REQUIRE X509");
  Url user = Url("mysql://x509_only:x509-pw@127.0.0.1:" + std::to_string(url.effective_port()))
                 .with_option("ssl_mode", "verify_identity")
                 .with_option("sslca", tls_file("ca.pem"));
  std::string message = refusal(user);
  EXPECT_TRUE(has(message, "1045")) << message;
  EXPECT_NE(cipher_with(user.with_option("sslcert", tls_file("client-cert.pem"))
                            .with_option("sslkey", tls_file("client-key.pem"))),
            "");
  admin.execute("DROP USER 'x509_only'@'%'");
}

TEST(TlsTest, RevokedServerCertificateIsRefused) {
  Url url = tls_url().with_option("ssl_mode", "verify_ca").with_option("sslca", tls_file("ca.pem"));
  EXPECT_NE(cipher_with(url.with_option("sslcrl", tls_file("crl-empty.pem"))), "");
  std::string message = refusal(url.with_option("sslcrl", tls_file("crl-server-revoked.pem")));
  EXPECT_TRUE(has(message, "the server's certificate is revoked by the CRL in sslcrl")) << message;
}

TEST(TlsTest, TlsVersionIsHonoured) {
  Engine engine(tls_url().with_option("tls_version", "TLSv1.2"), {.max_connections = 1});
  Lease lease = engine.checkout();
  std::string version;
  lease->run([&](soci::session& sql) {
    sql << "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
           "WHERE VARIABLE_NAME = 'Ssl_version'",
        soci::into(version);
  });
  EXPECT_EQ(version, "TLSv1.2");
}

TEST(TlsTest, BadOptionsAreRefusedWhenTheEngineIsMade) {
  EXPECT_THROW(Engine(tls_url().with_option("ssl_mode", "verify")), UrlError);
  EXPECT_THROW(Engine(tls_url().with_option("tls_version", "SSLv3")), UrlError);
  EXPECT_THROW(Engine(tls_url().with_option("ssl_mode", "disabled").with_option("sslca", "x")),
               UrlError);
}

// The pool's reconnects open connections the same way: with ssl_mode=required, no connection
// ever runs a statement without TLS, as the server reports it, across a restart under load.
TEST(TlsTest, PoolKeepsTlsAcrossAServerRestartUnderLoad) {
  Engine engine(tls_url().with_option("ssl_mode", "required"),
                {.max_connections = 4, .checkout_timeout = std::chrono::seconds{20}});
  std::atomic<bool> stop{false};
  std::atomic<int> statements{0};
  std::atomic<int> plaintext{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([&] {
      while (!stop) {
        try {
          Lease lease = engine.checkout();
          if (server_cipher(lease).empty()) ++plaintext;
          ++statements;
        } catch (const Error&) {
          // The outage: connections break and reconnects fail until the server is back.
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  int before = statements;
  std::string script = first_line(state_dir("TABULA_TEST_TLS_STATE") + "/script");
  std::string command = "'" + script + "' restart '" + state_dir("TABULA_TEST_TLS_STATE") + "'";
  ASSERT_EQ(std::system(command.c_str()), 0);
  int at_restart = statements;
  // The pool backs off from a server that refused it: give it time to come back, then some more
  // statements on the new connections.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (statements < at_restart + 200 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop = true;
  for (auto& worker : workers) worker.join();
  EXPECT_GT(before, 0);
  EXPECT_GT(statements.load(), at_restart) << "the pool reconnected after the restart";
  EXPECT_EQ(plaintext.load(), 0);
}

// --- Passwords without argv -----------------------------------------------------------------

Url without_password(const Url& url) {
  return Url("mysql://" + url.user() + "@127.0.0.1:" + std::to_string(url.effective_port()) + "/" +
             url.database());
}

std::string write_secret_file(const std::string& name, const std::string& content, mode_t mode) {
  std::string path = ::testing::TempDir() + "tabula-" + name;
  {
    std::ofstream out(path, std::ios::trunc);
    out << content << "\n";
  }
  ::chmod(path.c_str(), mode);
  return path;
}

struct LogCapture {
  LogCapture() {
    set_log_handler([this](LogLevel, std::string_view message) {
      std::lock_guard lock(mutex);
      text += std::string(message) + "\n";
    });
  }
  ~LogCapture() { set_log_handler(nullptr); }
  std::mutex mutex;
  std::string text;
};

TEST(PasswordSourceTest, PasswordFileWorksAndIsNeverQuoted) {
  LogCapture logs;
  Url url = plain_url();
  std::string file = write_secret_file("pw", url.password(), 0600);
  Engine engine(without_password(url).with_option("password_file", file));
  EXPECT_TRUE(engine.checkout()->ping());

  std::string wrong = write_secret_file("wrong-pw", "not-the-Password-42", 0600);
  std::string message = refusal(without_password(url).with_option("password_file", wrong));
  EXPECT_TRUE(has(message, "1045")) << message;
  EXPECT_FALSE(has(message, "not-the-Password-42")) << message;
  EXPECT_FALSE(has(logs.text, "not-the-Password-42")) << logs.text;
  EXPECT_FALSE(has(logs.text, url.password())) << logs.text;
}

TEST(PasswordSourceTest, PasswordFileReadableByOthersIsRefusedNamingTheFile) {
  std::string file = write_secret_file("open-pw", "Open-Secret-17", 0644);
  try {
    Engine engine(without_password(plain_url()).with_option("password_file", file));
    ADD_FAILURE() << "a world-readable password file was accepted";
  } catch (const UrlError& e) {
    EXPECT_TRUE(has(e.what(), file)) << e.what();
    EXPECT_TRUE(has(e.what(), "readable by others")) << e.what();
    EXPECT_FALSE(has(e.what(), "Open-Secret-17")) << e.what();
  }
}

TEST(PasswordSourceTest, EnvironmentVariablesInOrder) {
  Url url = plain_url();
  ::unsetenv("TABULA_PASSWORD");
  ::setenv("MYSQL_PWD", url.password().c_str(), 1);
  EXPECT_TRUE(Engine(without_password(url)).checkout()->ping()) << "MYSQL_PWD";
  ::setenv("TABULA_PASSWORD", url.password().c_str(), 1);
  ::setenv("MYSQL_PWD", "wrong-Mysql-Pwd-9", 1);
  EXPECT_TRUE(Engine(without_password(url)).checkout()->ping()) << "TABULA_PASSWORD first";
  ::setenv("TABULA_PASSWORD", "wrong-Tabula-Pwd-8", 1);
  std::string message = refusal(without_password(url));
  EXPECT_FALSE(has(message, "wrong-Tabula-Pwd-8")) << message;
  // A password in the URL wins over the environment.
  EXPECT_TRUE(Engine(url).checkout()->ping());
  ::unsetenv("TABULA_PASSWORD");
  ::unsetenv("MYSQL_PWD");
}

}  // namespace
}  // namespace tabula

// Randomized Url parsing: random strings and mutations of valid URLs must either parse or throw
// UrlError (nothing else, no crash; run under the asan preset for memory errors too), a parsed
// URL must survive to_string() -> parse, and the password must never leak into messages.

#include <tabula/error.hpp>
#include <tabula/url.hpp>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace tabula {
namespace {

const std::vector<std::string> kSeeds = {
    "mysql://app:secret@db.example.com:3307/shop?charset=utf8mb4&connect_timeout=5s",
    "mysql://app:p%40ss@[::1]:3306/db",
    "mysql://app@/db?socket=/run/mysqld/mysqld.sock",
    "mariadb://u:p@[fe80::1%25eth0]:1/x?a=b&c=d",
    "sqlite:///var/lib/app/data.db",
    "sqlite://:memory:",
    "sqlite://rel/path%20x.db?busy_timeout=1s",
};

constexpr std::string_view kAlphabet =
    "abcmysqlite:/@?&=%[]#.-_~0123456789ABCDEF \t\x01\x7f\xc3\xa9";

std::string random_string(std::mt19937_64& rng, std::size_t max_length) {
  std::uniform_int_distribution<std::size_t> length(0, max_length);
  std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
  std::string out;
  for (std::size_t n = length(rng); n > 0; --n) out += kAlphabet[pick(rng)];
  return out;
}

std::string mutate(std::string text, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> op(0, 3);
  std::uniform_int_distribution<int> count(1, 4);
  std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
  for (int n = count(rng); n > 0; --n) {
    std::uniform_int_distribution<std::size_t> at(0, text.size());
    std::size_t pos = at(rng);
    switch (op(rng)) {
      case 0:  // insert
        text.insert(pos, 1, kAlphabet[pick(rng)]);
        break;
      case 1:  // delete
        if (pos < text.size()) text.erase(pos, 1);
        break;
      case 2:  // replace
        if (pos < text.size()) text[pos] = kAlphabet[pick(rng)];
        break;
      default:  // duplicate a slice
        if (pos < text.size()) text.insert(pos, text.substr(pos, 5));
        break;
    }
  }
  return text;
}

// Parses `text`: only UrlError may escape, and a parsed URL must round-trip through to_string()
// (with its password redacted) to the same parts.
void check(const std::string& text, int& parsed) {
  try {
    Url url(text);
    ++parsed;
    Url again(url.to_string());
    EXPECT_EQ(again.dialect(), url.dialect()) << text;
    EXPECT_EQ(again.user(), url.user()) << text;
    EXPECT_EQ(again.host(), url.host()) << text;
    EXPECT_EQ(again.port(), url.port()) << text;
    EXPECT_EQ(again.database(), url.database()) << text;
    EXPECT_EQ(again.socket(), url.socket()) << text;
    EXPECT_EQ(again.options(), url.options()) << text;
  } catch (const UrlError&) {
    // The documented outcome for bad input.
  }
}

TEST(UrlFuzzTest, RandomStringsParseOrThrowUrlError) {
  std::mt19937_64 rng(20261125);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string prefix = i % 3 == 0 ? "mysql://" : i % 3 == 1 ? "sqlite://" : "";
    check(prefix + random_string(rng, 60), parsed);
  }
  EXPECT_GT(parsed, 0) << "the generator should produce some valid URLs";
}

TEST(UrlFuzzTest, MutatedValidUrlsParseOrThrowUrlError) {
  std::mt19937_64 rng(42);
  int parsed = 0;
  for (int i = 0; i < 30000; ++i) {
    check(mutate(kSeeds[static_cast<std::size_t>(i) % kSeeds.size()], rng), parsed);
  }
  EXPECT_GT(parsed, 1000);
}

// The contract: when a URL holds a password (":password" followed somewhere by '@'), no error
// message and no to_string() shows it, however mangled the rest of the URL is.
TEST(UrlFuzzTest, PasswordNeverAppearsInMessagesOrToString) {
  std::mt19937_64 rng(7);
  const std::string password = "Zq9PASSWORDxK";
  int checked = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = mutate("mysql://app:" + password + "@host:3306/db?charset=x", rng);
    auto at = text.find(":" + password);
    if (at == std::string::npos || text.find('@', at) == std::string::npos) continue;
    ++checked;
    try {
      Url url(text);
      EXPECT_EQ(url.to_string().find(password), std::string::npos) << text;
    } catch (const UrlError& e) {
      EXPECT_EQ(std::string(e.what()).find(password), std::string::npos) << e.what();
    }
  }
  EXPECT_GT(checked, 10000);
}

}  // namespace
}  // namespace tabula

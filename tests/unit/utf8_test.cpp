// Strict UTF-8 checks (src/detail/utf8.hpp): ASCII is walked eight bytes at a time, so every case
// below is tried with the interesting bytes at each offset of a word and after runs of ASCII.

#include "detail/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tabula::detail {
namespace {

// `inner` with `before` ASCII bytes in front and `after` behind.
std::string padded(std::size_t before, const std::string& inner, std::size_t after) {
  return std::string(before, 'a') + inner + std::string(after, 'z');
}

TEST(Utf8Test, AsciiIsOneCodePointABytes) {
  for (std::size_t n : {0u, 1u, 7u, 8u, 9u, 15u, 16u, 17u, 64u, 1000u}) {
    std::string text(n, 'x');
    EXPECT_EQ(utf8_length(text), n);
    EXPECT_EQ(invalid_utf8_at(text), std::nullopt);
  }
  EXPECT_EQ(utf8_length(std::string("\0\x7F", 2)), 2u) << "NUL and DEL are ASCII";
}

TEST(Utf8Test, MultiByteSequencesCountOnceWhereverTheyStand) {
  const std::string sequences[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};  // é € 😀
  for (const std::string& sequence : sequences) {
    for (std::size_t before = 0; before < 18; ++before) {
      for (std::size_t after : {0u, 1u, 8u, 9u}) {
        std::string text = padded(before, sequence + sequence, after);
        EXPECT_EQ(utf8_length(text), before + 2 + after) << before << "+" << after;
        EXPECT_EQ(invalid_utf8_at(text), std::nullopt);
      }
    }
  }
}

TEST(Utf8Test, AnInvalidByteIsFoundAtItsOffsetAfterAnyRunOfAscii) {
  const std::string invalid[] = {
      "\x80",              // a continuation byte alone
      "\xC0\x80",          // overlong NUL
      "\xC3",              // truncated
      "\xE2\x82",          // truncated
      "\xED\xA0\x80",      // a surrogate
      "\xF4\x90\x80\x80",  // above U+10FFFF
      "\xFF",
  };
  for (const std::string& bad : invalid) {
    for (std::size_t before = 0; before < 18; ++before) {
      // With ASCII behind it or not: a truncated sequence is refused where it starts.
      std::string text = padded(before, bad, before % 3 == 0 ? 0 : 9);
      EXPECT_EQ(utf8_length(text), std::nullopt) << before;
      EXPECT_EQ(invalid_utf8_at(text), before) << before;
    }
  }
  // Valid text, then a bad byte: the offset counts bytes, not code points.
  EXPECT_EQ(invalid_utf8_at("abc\xC3\xA9"
                            "defgh\xFF"),
            10u);
}

}  // namespace
}  // namespace tabula::detail

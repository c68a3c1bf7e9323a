#include "detail/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace tabula::detail {
namespace {

// How many bytes from text[at] on are ASCII (below 0x80), looked at eight at a time: most text
// a bulk load checks is ASCII, and a byte-by-byte walk was a fifth of Model::make's time.
std::size_t ascii_run(std::string_view text, std::size_t at) noexcept {
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  std::size_t end = at;
  for (std::uint64_t word = 0; text.size() - end >= sizeof word; end += sizeof word) {
    std::memcpy(&word, text.data() + end, sizeof word);
    if ((word & kHighBits) != 0) break;
  }
  while (end < text.size() && static_cast<unsigned char>(text[end]) < 0x80) ++end;
  return end - at;
}

// The length of the sequence that starts at text[at] when it is valid, else 0.
std::size_t sequence_length(std::string_view text, std::size_t at) noexcept {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[at + k]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t n = 0;
  // The range the second byte must lie in: narrower than 0x80..0xBF where the lead byte alone
  // would allow an overlong form, a surrogate or a code point above U+10FFFF.
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3;
    if (lead == 0xE0) low = 0xA0;   // below: overlong
    if (lead == 0xED) high = 0x9F;  // above: surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4;
    if (lead == 0xF0) low = 0x90;   // below: overlong
    if (lead == 0xF4) high = 0x8F;  // above: beyond U+10FFFF
  } else {
    return 0;  // a continuation byte, 0xC0/0xC1 (always overlong) or 0xF5..0xFF
  }
  if (text.size() - at < n) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
  }
  return n;
}

}  // namespace

std::optional<std::size_t> invalid_utf8_at(std::string_view text) noexcept {
  for (std::size_t at = ascii_run(text, 0); at < text.size(); at += ascii_run(text, at)) {
    std::size_t n = sequence_length(text, at);
    if (n == 0) return at;
    at += n;
  }
  return std::nullopt;
}

std::optional<std::size_t> utf8_length(std::string_view text) noexcept {
  std::size_t count = ascii_run(text, 0);  // one code point per ASCII byte
  for (std::size_t at = count; at < text.size();) {
    std::size_t n = sequence_length(text, at);
    if (n == 0) return std::nullopt;
    at += n;
    ++count;
    std::size_t ascii = ascii_run(text, at);
    at += ascii;
    count += ascii;
  }
  return count;
}

std::string describe_invalid_utf8(std::string_view text, std::size_t at) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  if (at >= text.size()) return "at offset " + std::to_string(at);
  auto byte = static_cast<unsigned char>(text[at]);
  return std::string("byte 0x") + kHex[byte >> 4] + kHex[byte & 0xF] + " at offset " +
         std::to_string(at);
}

}  // namespace tabula::detail

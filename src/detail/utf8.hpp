#pragma once

// Strict UTF-8 (RFC 3629): what tabula accepts as text. Refused: bytes that start no sequence
// (0x80..0xBF alone, 0xC0, 0xC1, 0xF5..0xFF), truncated sequences, overlong forms ("\xC0\x80"
// for NUL), UTF-16 surrogates (U+D800..U+DFFF) and code points above U+10FFFF. Record::set and
// make check text with it; Record::to_json checks text read from a database with it before the
// JSON library sees it; an untyped SQLite column reads valid UTF-8 as text and the rest as bytes.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tabula::detail {

// Where `text` stops being valid UTF-8, or nullopt when all of it is.
std::optional<std::size_t> invalid_utf8_at(std::string_view text) noexcept;

// The number of code points in valid UTF-8 `text`, or nullopt when it is not valid.
std::optional<std::size_t> utf8_length(std::string_view text) noexcept;

// "byte 0xC0 at offset 3": for messages about text that is not valid UTF-8 at `at`.
std::string describe_invalid_utf8(std::string_view text, std::size_t at);

}  // namespace tabula::detail

#pragma once

// Parsing of durations written in URL options and on command lines: "250ms", "5s", "2m", "1h",
// or a bare number of seconds ("30").

#include <chrono>
#include <string_view>

namespace tabula::detail {

// Returns the duration `text` denotes. Throws UrlError naming `what` (e.g. "option
// 'connect_timeout'") when the text is not a non-negative duration in the forms above.
std::chrono::milliseconds parse_duration(std::string_view text, std::string_view what);

}  // namespace tabula::detail

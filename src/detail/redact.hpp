#pragma once

// Defence in depth for "passwords never appear in messages": messages built from server or
// library text pass through redact() with the password before they reach an exception or a log.

#include <string>
#include <string_view>

namespace tabula::detail {

// Returns `message` with every occurrence of `secret` replaced by "***". Secrets shorter than
// four characters are left alone: replacing them would mangle ordinary words while hiding little.
std::string redact(std::string message, std::string_view secret);

}  // namespace tabula::detail

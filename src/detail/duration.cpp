#include "detail/duration.hpp"

#include <tabula/error.hpp>

#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

namespace tabula::detail {

std::chrono::milliseconds parse_duration(std::string_view text, std::string_view what) {
  auto invalid = [&] {
    return UrlError(std::string(what) + " = '" + std::string(text) +
                    "' is not a duration (write e.g. 250ms, 5s, 2m, 1h, or a number of seconds)");
  };
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end == text.data() || value < 0) throw invalid();
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::int64_t scale = 0;
  if (unit.empty() || unit == "s") {
    scale = 1000;
  } else if (unit == "ms") {
    scale = 1;
  } else if (unit == "m" || unit == "min") {
    scale = 60'000;
  } else if (unit == "h") {
    scale = 3'600'000;
  } else {
    throw invalid();
  }
  if (value > std::numeric_limits<std::int64_t>::max() / scale / 1000) throw invalid();
  return std::chrono::milliseconds(value * scale);
}

}  // namespace tabula::detail

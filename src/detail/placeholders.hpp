#pragma once

// Where a statement's `?` placeholders are: what every dialect's statement runner fills in.

#include <cstddef>
#include <string_view>
#include <vector>

namespace tabula::detail {

// Positions of the `?` placeholders in `sql`, skipping quoted strings and identifiers.
std::vector<std::size_t> placeholder_positions(std::string_view sql);

}  // namespace tabula::detail

#pragma once

// Internal: template plumbing for the public headers, not part of the API (Abseil's internal/
// folders are the model). is_optional<T>: true for std::optional<U>.

#include <optional>
#include <type_traits>

namespace tabula::detail {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

}  // namespace tabula::detail

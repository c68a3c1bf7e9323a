#pragma once

#include <tabula/url.hpp>

#include <cstddef>

namespace tabula::detail {

// Throws UrlError when `url` carries an option that neither its dialect nor the pool knows,
// listing the known ones, so that a typo never passes unnoticed.
void check_url_options(const Url& url);

// The session's `statement_cache` option: how many prepared statements each connection keeps
// (MariaDB's insert pages). 0 turns prepared pages off. Default 64; at most 10000. Throws
// UrlError for anything but a whole number in range.
std::size_t statement_cache_size(const Url& url);

}  // namespace tabula::detail

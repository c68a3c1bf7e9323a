#pragma once

#include <tabula/url.hpp>

namespace tabula::detail {

// Throws UrlError when `url` carries an option that neither its dialect nor the pool knows,
// listing the known ones, so that a typo never passes unnoticed.
void check_url_options(const Url& url);

}  // namespace tabula::detail

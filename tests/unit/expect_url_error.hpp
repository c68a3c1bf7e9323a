#pragma once

// Expects Url(text) to throw UrlError whose message contains `fragment`, and never `secret`
// (the password the URL carries, when the test gives one).

#include <tabula/error.hpp>
#include <tabula/url.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace tabula::test {

inline void expect_url_error(std::string_view text, std::string_view fragment,
                             std::string_view secret = {}) {
  try {
    Url url(text);
    ADD_FAILURE() << "expected UrlError for '" << text << "', parsed as " << url;
  } catch (const UrlError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)
        << "message '" << e.what() << "' lacks '" << fragment << "'";
    if (!secret.empty()) {
      EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
    }
  }
}

}  // namespace tabula::test

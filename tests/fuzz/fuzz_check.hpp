#pragma once

// What every fuzz target asserts besides "no crash": a broken property prints what broke and
// aborts, which libFuzzer reports as a crash (with the input saved) and the replay driver as a
// failed test.
//
//   tabula::fuzz::only_tabula_errors([&] { tabula::Url url(text); ... });
//   tabula::fuzz::require(again == url, "the URL does not round-trip", text);

#include <tabula/error.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

namespace tabula::fuzz {

// Prints `what` and the input (escaped, shortened) and aborts.
[[noreturn]] inline void fail(std::string_view what, std::string_view input) {
  std::string shown;
  for (char c : input.substr(0, 400)) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7F && c != '\\') {
      shown += c;
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
      shown += escaped;
    }
  }
  std::fprintf(stderr, "\nfuzz property broken: %.*s\ninput: %s%s\n", static_cast<int>(what.size()),
               what.data(), shown.c_str(), input.size() > 400 ? "..." : "");
  std::abort();
}

inline void require(bool condition, std::string_view what, std::string_view input) {
  if (!condition) fail(what, input);
}

// Runs `f`, letting only tabula::Error (and its subclasses) end it; anything else is a broken
// property. Returns true when `f` returned normally.
template <class F>
bool only_tabula_errors(F&& f, std::string_view input) {
  try {
    f();
    return true;
  } catch (const Error&) {
    return false;
  } catch (const std::exception& e) {
    fail(std::string("a foreign exception escaped: ") + e.what(), input);
  } catch (...) {
    fail("an exception of unknown type escaped", input);
  }
}

}  // namespace tabula::fuzz

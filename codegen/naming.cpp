#include "naming.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace tabula::codegen {
namespace {

constexpr std::array<std::string_view, 97> kKeywords{"alignas",
                                                     "alignof",
                                                     "and",
                                                     "and_eq",
                                                     "asm",
                                                     "auto",
                                                     "bitand",
                                                     "bitor",
                                                     "bool",
                                                     "break",
                                                     "case",
                                                     "catch",
                                                     "char",
                                                     "char8_t",
                                                     "char16_t",
                                                     "char32_t",
                                                     "class",
                                                     "compl",
                                                     "concept",
                                                     "const",
                                                     "consteval",
                                                     "constexpr",
                                                     "constinit",
                                                     "const_cast",
                                                     "continue",
                                                     "co_await",
                                                     "co_return",
                                                     "co_yield",
                                                     "decltype",
                                                     "default",
                                                     "delete",
                                                     "do",
                                                     "double",
                                                     "dynamic_cast",
                                                     "else",
                                                     "enum",
                                                     "explicit",
                                                     "export",
                                                     "extern",
                                                     "false",
                                                     "float",
                                                     "for",
                                                     "friend",
                                                     "goto",
                                                     "if",
                                                     "inline",
                                                     "int",
                                                     "long",
                                                     "mutable",
                                                     "namespace",
                                                     "new",
                                                     "noexcept",
                                                     "not",
                                                     "not_eq",
                                                     "nullptr",
                                                     "operator",
                                                     "or",
                                                     "or_eq",
                                                     "private",
                                                     "protected",
                                                     "public",
                                                     "register",
                                                     "reinterpret_cast",
                                                     "requires",
                                                     "return",
                                                     "short",
                                                     "signed",
                                                     "sizeof",
                                                     "static",
                                                     "static_assert",
                                                     "static_cast",
                                                     "struct",
                                                     "switch",
                                                     "template",
                                                     "this",
                                                     "thread_local",
                                                     "throw",
                                                     "true",
                                                     "try",
                                                     "typedef",
                                                     "typeid",
                                                     "typename",
                                                     "union",
                                                     "unsigned",
                                                     "using",
                                                     "virtual",
                                                     "void",
                                                     "volatile",
                                                     "wchar_t",
                                                     "while",
                                                     "xor",
                                                     "xor_eq",
                                                     "final",
                                                     "override",
                                                     "import",
                                                     "module",
                                                     "std"};

bool is_keyword(std::string_view name) {
  return std::find(kKeywords.begin(), kKeywords.end(), name) != kKeywords.end();
}

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

}  // namespace

std::string identifier(std::string_view sql, std::string_view prefix) {
  std::string out;
  for (char c : sql) out += (static_cast<unsigned char>(c) < 0x80 && word_char(c)) ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])) != 0) {
    out = std::string(prefix) + out;
  }
  // Reserved to the implementation: "__" anywhere, or '_' then a capital at the start.
  for (std::size_t at; (at = out.find("__")) != std::string::npos;) out.replace(at, 2, "_x");
  if (out.size() > 1 && out[0] == '_' && std::isupper(static_cast<unsigned char>(out[1])) != 0) {
    out = "x" + out;
  }
  if (is_keyword(out)) out += '_';
  return out;
}

std::string type_name(std::string_view sql) {
  std::string out;
  bool upper = true;
  for (char c : sql) {
    if (static_cast<unsigned char>(c) < 0x80 && std::isalnum(static_cast<unsigned char>(c))) {
      out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    } else {
      upper = true;
      if (static_cast<unsigned char>(c) >= 0x80) out += 'X';  // keep non-ASCII names apart
    }
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])) != 0) out = "T" + out;
  if (is_keyword(out)) out += '_';
  return out;
}

std::string NameSet::take(std::string name) {
  if (taken_.insert(name).second) return name;
  for (int n = 2;; ++n) {
    std::string candidate = name + "_" + std::to_string(n);
    if (taken_.insert(candidate).second) return candidate;
  }
}

}  // namespace tabula::codegen

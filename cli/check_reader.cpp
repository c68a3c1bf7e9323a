#include "check_reader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

namespace tabula::cli {
namespace {

// AND, OR and NOT over verdicts, as SQL's three-valued logic combines them.
Verdict both(Verdict a, Verdict b) {
  if (a == Verdict::no || b == Verdict::no) return Verdict::no;
  return a == Verdict::yes && b == Verdict::yes ? Verdict::yes : Verdict::unknown;
}

Verdict either(Verdict a, Verdict b) {
  if (a == Verdict::yes || b == Verdict::yes) return Verdict::yes;
  return a == Verdict::no && b == Verdict::no ? Verdict::no : Verdict::unknown;
}

Verdict negate(Verdict v) {
  return v == Verdict::unknown ? v : v == Verdict::yes ? Verdict::no : Verdict::yes;
}

bool equal_names(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// Splits a CHECK clause into tokens; nullopt when it has something the demo does not read.
std::optional<std::vector<CheckToken>> tokenize(std::string_view s) {
  std::vector<CheckToken> out;
  std::size_t i = 0;
  auto symbol_allowed_before_sign = [&out] {
    return out.empty() || out.back().type == CheckToken::symbol ||
           (out.back().type == CheckToken::name && !out.back().quoted &&
            (out.back().value == "and" || out.back().value == "or" ||
             out.back().value == "between" || out.back().value == "not"));
  };
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '`' || c == '"') {
      std::string name;
      for (++i; i < s.size(); ++i) {
        if (s[i] == c && i + 1 < s.size() && s[i + 1] == c) {
          name += c, ++i;
        } else if (s[i] == c) {
          break;
        } else {
          name += s[i];
        }
      }
      if (i++ >= s.size()) return std::nullopt;
      out.push_back({CheckToken::name, name, true});
    } else if (c == '\'') {
      std::string text;
      for (++i; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          text += s[++i];
        } else if (s[i] == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
          text += '\'', ++i;
        } else if (s[i] == '\'') {
          break;
        } else {
          text += s[i];
        }
      }
      if (i++ >= s.size()) return std::nullopt;
      out.push_back({CheckToken::text, text, false});
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.' ||
               ((c == '-' || c == '+') && i + 1 < s.size() &&
                std::isdigit(static_cast<unsigned char>(s[i + 1])) &&
                symbol_allowed_before_sign())) {
      std::size_t start = i++;
      while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
      out.push_back({CheckToken::number, std::string(s.substr(start, i - start)), false});
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
               static_cast<unsigned char>(c) >= 0x80) {
      std::size_t start = i;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' ||
                              static_cast<unsigned char>(s[i]) >= 0x80)) {
        ++i;
      }
      std::string word(s.substr(start, i - start));
      // A character set introducer (_utf8mb4'abc') belongs to the string after it.
      if (word.front() == '_' && i < s.size() && s[i] == '\'') continue;
      std::transform(word.begin(), word.end(), word.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      out.push_back({CheckToken::name, word, false});
    } else {
      static constexpr std::string_view two[] = {"<=>", "<=", ">=", "<>", "!="};
      std::string op;
      for (std::string_view t : two) {
        if (s.substr(i, t.size()) == t) {
          op = t;
          break;
        }
      }
      if (op.empty()) {
        if (std::string_view("=<>(),").find(c) == std::string_view::npos) return std::nullopt;
        op = c;
      }
      i += op.size();
      out.push_back({CheckToken::symbol, op, false});
    }
  }
  return out;
}

// An operand's value: a number, text, or not known (another column, an unknown function).
struct Scalar {
  bool known = false;
  bool is_number = false;
  double number = 0;
  std::string text;
};

Scalar number_scalar(double d) {
  return {true, true, d, {}};
}
Scalar text_scalar(std::string s) {
  return {true, false, 0, std::move(s)};
}

std::optional<double> as_number(const Scalar& s) {
  if (s.is_number) return s.number;
  double d = 0;
  const char* end = s.text.data() + s.text.size();
  auto [ptr, ec] = std::from_chars(s.text.data(), end, d);
  if (ec != std::errc{} || ptr != end || s.text.empty()) return std::nullopt;
  return d;
}

std::size_t utf8_characters(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
}

// Evaluates a tokenized CHECK for one column holding one value (the other columns unknown).
class CheckReader {
 public:
  CheckReader(const std::vector<CheckToken>& tokens, const Column& column, const Scalar& value)
      : tokens_(tokens), column_(column), value_(value) {}

  Verdict verdict() {
    Verdict v = disjunction();
    return at_ < tokens_.size() ? Verdict::unknown : v;
  }

 private:
  const CheckToken& peek(std::size_t ahead = 0) const {
    static const CheckToken end;
    return at_ + ahead < tokens_.size() ? tokens_[at_ + ahead] : end;
  }
  bool keyword(std::string_view word, std::size_t ahead = 0) const {
    const CheckToken& t = peek(ahead);
    return t.type == CheckToken::name && !t.quoted && t.value == word;
  }
  bool symbol(std::string_view s) const {
    return peek().type == CheckToken::symbol && peek().value == s;
  }
  bool take_keyword(std::string_view word) {
    if (!keyword(word)) return false;
    ++at_;
    return true;
  }
  bool take_symbol(std::string_view s) {
    if (!symbol(s)) return false;
    ++at_;
    return true;
  }
  // Gives up on the clause: past the end, so verdict() says unknown.
  Verdict fail() {
    at_ = tokens_.size() + 1;
    return Verdict::unknown;
  }

  Verdict disjunction() {
    Verdict v = conjunction();
    while (take_keyword("or")) v = either(v, conjunction());
    return v;
  }
  Verdict conjunction() {
    Verdict v = factor();
    while (take_keyword("and")) v = both(v, factor());
    return v;
  }
  Verdict factor() {
    if (take_keyword("not")) return negate(factor());
    if (symbol("(")) {
      // A parenthesised condition, or an operand in parentheses starting a comparison.
      std::size_t start = at_;
      ++at_;
      Verdict v = disjunction();
      if (take_symbol(")") && !comparison_follows()) return v;
      at_ = start;
    }
    return predicate();
  }
  bool comparison_follows() const {
    const CheckToken& t = peek();
    return (t.type == CheckToken::symbol && t.value != ")" && t.value != ",") ||
           keyword("between") || keyword("in") || keyword("is") ||
           (keyword("not") && (keyword("between", 1) || keyword("in", 1)));
  }

  Verdict predicate() {
    Scalar left = operand();
    bool negated = false;
    if (keyword("not") && (keyword("between", 1) || keyword("in", 1))) ++at_, negated = true;
    if (take_keyword("between")) {
      Scalar low = operand();
      if (!take_keyword("and")) return fail();
      Scalar high = operand();
      Verdict v = both(compare(left, ">=", low), compare(left, "<=", high));
      return negated ? negate(v) : v;
    }
    if (take_keyword("in")) {
      if (!take_symbol("(")) return fail();
      Verdict v = Verdict::no;
      do {
        v = either(v, compare(left, "=", operand()));
      } while (take_symbol(","));
      if (!take_symbol(")")) return fail();
      return negated ? negate(v) : v;
    }
    if (take_keyword("is")) {
      bool is_not = take_keyword("not");
      if (!take_keyword("null")) return fail();
      if (!left.known) return Verdict::unknown;
      return is_not ? Verdict::yes : Verdict::no;  // the demo never tests NULL
    }
    if (peek().type == CheckToken::symbol && peek().value != "(" && peek().value != ")" &&
        peek().value != ",") {
      std::string op = tokens_[at_++].value;
      return compare(left, op, operand());
    }
    // A bare operand as a condition: true when non-zero (json_valid(...) is 1 or 0).
    if (!left.known) return Verdict::unknown;
    std::optional<double> n = as_number(left);
    if (!n) return Verdict::unknown;
    return *n != 0 ? Verdict::yes : Verdict::no;
  }

  static Verdict compare(const Scalar& a, std::string_view op, const Scalar& b) {
    if (!a.known || !b.known) return Verdict::unknown;
    int order = 0;
    if (a.is_number || b.is_number) {
      std::optional<double> x = as_number(a), y = as_number(b);
      if (!x || !y) return Verdict::unknown;
      order = *x < *y ? -1 : *x > *y ? 1 : 0;
    } else {
      order = a.text.compare(b.text);
      order = order < 0 ? -1 : order > 0 ? 1 : 0;
    }
    bool result = false;
    if (op == "=" || op == "<=>") {
      result = order == 0;
    } else if (op == "<>" || op == "!=") {
      result = order != 0;
    } else if (op == "<") {
      result = order < 0;
    } else if (op == "<=") {
      result = order <= 0;
    } else if (op == ">") {
      result = order > 0;
    } else if (op == ">=") {
      result = order >= 0;
    } else {
      return Verdict::unknown;
    }
    return result ? Verdict::yes : Verdict::no;
  }

  Scalar operand() {
    const CheckToken& t = peek();
    if (t.type == CheckToken::number) {
      ++at_;
      double d = 0;
      std::from_chars(t.value.data() + (t.value[0] == '+' ? 1 : 0), t.value.data() + t.value.size(),
                      d);
      return number_scalar(d);
    }
    if (t.type == CheckToken::text) return ++at_, text_scalar(t.value);
    if (t.type == CheckToken::symbol && t.value == "(") {
      ++at_;
      Scalar s = operand();
      if (!take_symbol(")")) fail();
      return s;
    }
    if (t.type != CheckToken::name) {
      fail();
      return {};
    }
    ++at_;
    if (!t.quoted && symbol("(")) {  // a function call
      std::string function = t.value;
      ++at_;
      std::vector<Scalar> args;
      if (!symbol(")")) {
        do {
          args.push_back(operand());
        } while (take_symbol(","));
      }
      if (!take_symbol(")")) {
        fail();
        return {};
      }
      if (args.size() != 1 || !args[0].known) return {};
      const Scalar& arg = args[0];
      std::string text = arg.is_number ? std::string() : arg.text;
      if (function == "char_length" || function == "character_length") {
        return arg.is_number ? Scalar{} : number_scalar(double(utf8_characters(text)));
      }
      if (function == "length" || function == "octet_length") {
        return arg.is_number ? Scalar{} : number_scalar(double(text.size()));
      }
      if (function == "json_valid") {
        return arg.is_number ? number_scalar(1) : number_scalar(looks_like_json(text) ? 1 : 0);
      }
      return {};
    }
    if (!t.quoted && (t.value == "true" || t.value == "false")) {
      return number_scalar(t.value == "true" ? 1 : 0);
    }
    if (!t.quoted && t.value == "null") return {};
    return equal_names(t.value, column_.name) ? value_ : Scalar{};
  }

  const std::vector<CheckToken>& tokens_;
  const Column& column_;
  const Scalar& value_;
  std::size_t at_ = 0;
};

// `v` as the reader compares it: numbers as doubles; text, bytes, dates and times as text; NULL
// unknown.
Scalar scalar_of(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::int64:
      return number_scalar(double(v.get<std::int64_t>()));
    case Value::Kind::uint64:
      return number_scalar(double(v.get<std::uint64_t>()));
    case Value::Kind::real:
      return number_scalar(v.get<double>());
    case Value::Kind::decimal: {
      double d = 0;
      const std::string& s = v.get_if<Decimal>()->str();
      std::from_chars(s.data(), s.data() + s.size(), d);
      return number_scalar(d);
    }
    case Value::Kind::text:
      return text_scalar(*v.get_if<std::string>());
    case Value::Kind::bytes: {
      const Bytes& b = *v.get_if<Bytes>();
      std::string s(b.size(), '\0');
      std::transform(b.begin(), b.end(), s.begin(), [](std::byte x) { return char(x); });
      return text_scalar(s);
    }
    case Value::Kind::date:
    case Value::Kind::datetime:
    case Value::Kind::time:
      return text_scalar(v.to_string());
    case Value::Kind::null:
      return {};
  }
  return {};
}

}  // namespace

bool looks_like_json(std::string_view s) {
  if (s == "{}" || s == "[]" || s == "null" || s == "true" || s == "false") return true;
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    return s.substr(1, s.size() - 2).find_first_of("\"\\") == std::string_view::npos;
  }
  double d = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  return ec == std::errc{} && ptr == s.data() + s.size() && !s.empty();
}

std::vector<ColumnCheck> checks_on(const Table& table, const Column& column) {
  std::vector<ColumnCheck> out;
  for (const CheckConstraint& check : table.checks) {
    std::optional<std::vector<CheckToken>> tokens = tokenize(check.clause);
    if (!tokens) continue;
    bool names_column = std::any_of(tokens->begin(), tokens->end(), [&](const CheckToken& t) {
      return t.type == CheckToken::name && equal_names(t.value, column.name);
    });
    if (names_column) out.push_back({&check, std::move(*tokens)});
  }
  return out;
}

Verdict evaluate(const ColumnCheck& check, const Column& column, const Value& value) {
  Scalar scalar = scalar_of(value);
  return CheckReader(check.tokens, column, scalar).verdict();
}

}  // namespace tabula::cli

#include "demo.hpp"

#include "sample_database.hpp"

#include "generate.hpp"

#include <tabula/automap.hpp>
#include <tabula/engine.hpp>
#include <tabula/error.hpp>
#include <tabula/metrics.hpp>
#include <tabula/reflect.hpp>
#include <tabula/session.hpp>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <optional>
#include <ostream>
#include <random>
#include <vector>

namespace tabula::cli {
namespace {

void load_chinook(Connection& connection) {
  auto* backend = static_cast<soci::sqlite3_session_backend*>(connection.sql().get_backend());
  std::string script = "BEGIN;\n" + std::string(chinook_sqlite_script()) + "\nCOMMIT;\n";
  char* message = nullptr;
  int rc = sqlite_api::sqlite3_exec(backend->conn_, script.c_str(), nullptr, nullptr, &message);
  if (rc != 0) {
    std::string text = message != nullptr ? message : "unknown error";
    sqlite_api::sqlite3_free(message);
    sqlite_api::sqlite3_exec(backend->conn_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw SqlError("loading the Chinook sample failed: " + text, rc);
  }
}

// Tables a demo row can go into without touching anything else, in schema order: base tables
// with a lone auto-increment key and no required foreign key. Chinook's Artist, for one.
std::vector<const Model*> insertable_tables(const Models& models) {
  std::vector<const Model*> out;
  for (const Model& m : models) {
    const Table& t = m.table();
    if (m.read_only() || t.primary_key.size() != 1) continue;
    const Column* key = t.column(t.primary_key.front());
    if (key == nullptr || !key->auto_increment) continue;
    bool required_fk = false;
    for (const ForeignKey& fk : t.foreign_keys) {
      for (const std::string& c : fk.columns) {
        const Column* col = t.column(c);
        required_fk = required_fk || (col != nullptr && !col->nullable);
      }
    }
    if (!required_fk) out.push_back(&m);
  }
  return out;
}

// ---- CHECK constraints, as far as the demo can tell ------------------------------------------
//
// The catalog gives a CHECK as the server prints it ("`qty` between 5 and 9", "char_length(`c`)
// > 2", "json_valid(`meta`)"). The demo reads the simple forms (comparisons, BETWEEN, IN, IS
// NULL, AND/OR/NOT, the length functions, json_valid) to pick a value that passes, and its
// literals become candidate values. Anything else is "cannot tell": the value is sent and the
// server decides (a refusal is reported and rolled back).

enum class Verdict { yes, no, unknown };

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

struct Token {
  enum Type { name, number, text, symbol, end } type = end;
  std::string value;  // names in lower case unless quoted
  bool quoted = false;
};

bool equal_names(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// Splits a CHECK clause into tokens; nullopt when it has something the demo does not read.
std::optional<std::vector<Token>> tokenize(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  auto symbol_allowed_before_sign = [&out] {
    return out.empty() || out.back().type == Token::symbol ||
           (out.back().type == Token::name && !out.back().quoted &&
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
      out.push_back({Token::name, name, true});
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
      out.push_back({Token::text, text, false});
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.' ||
               ((c == '-' || c == '+') && i + 1 < s.size() &&
                std::isdigit(static_cast<unsigned char>(s[i + 1])) &&
                symbol_allowed_before_sign())) {
      std::size_t start = i++;
      while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
      out.push_back({Token::number, std::string(s.substr(start, i - start)), false});
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
      out.push_back({Token::name, word, false});
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
      out.push_back({Token::symbol, op, false});
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

bool looks_like_json(std::string_view s) {
  if (s == "{}" || s == "[]" || s == "null" || s == "true" || s == "false") return true;
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    return s.substr(1, s.size() - 2).find_first_of("\"\\") == std::string_view::npos;
  }
  double d = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  return ec == std::errc{} && ptr == s.data() + s.size() && !s.empty();
}

// Evaluates a tokenized CHECK for one column holding one value (the other columns unknown).
class CheckReader {
 public:
  CheckReader(const std::vector<Token>& tokens, const Column& column, const Scalar& value)
      : tokens_(tokens), column_(column), value_(value) {}

  Verdict verdict() {
    Verdict v = disjunction();
    return at_ < tokens_.size() ? Verdict::unknown : v;
  }

 private:
  const Token& peek(std::size_t ahead = 0) const {
    static const Token end;
    return at_ + ahead < tokens_.size() ? tokens_[at_ + ahead] : end;
  }
  bool keyword(std::string_view word, std::size_t ahead = 0) const {
    const Token& t = peek(ahead);
    return t.type == Token::name && !t.quoted && t.value == word;
  }
  bool symbol(std::string_view s) const {
    return peek().type == Token::symbol && peek().value == s;
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
    const Token& t = peek();
    return (t.type == Token::symbol && t.value != ")" && t.value != ",") || keyword("between") ||
           keyword("in") || keyword("is") ||
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
    if (peek().type == Token::symbol && peek().value != "(" && peek().value != ")" &&
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
    const Token& t = peek();
    if (t.type == Token::number) {
      ++at_;
      double d = 0;
      std::from_chars(t.value.data() + (t.value[0] == '+' ? 1 : 0), t.value.data() + t.value.size(),
                      d);
      return number_scalar(d);
    }
    if (t.type == Token::text) return ++at_, text_scalar(t.value);
    if (t.type == Token::symbol && t.value == "(") {
      ++at_;
      Scalar s = operand();
      if (!take_symbol(")")) fail();
      return s;
    }
    if (t.type != Token::name) {
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

  const std::vector<Token>& tokens_;
  const Column& column_;
  const Scalar& value_;
  std::size_t at_ = 0;
};

// The CHECK clauses that name `column`, tokenized (clauses the demo cannot read are left out:
// the server judges those).
struct ColumnCheck {
  const CheckConstraint* check;
  std::vector<Token> tokens;
};

std::vector<ColumnCheck> checks_on(const Table& table, const Column& column) {
  std::vector<ColumnCheck> out;
  for (const CheckConstraint& check : table.checks) {
    std::optional<std::vector<Token>> tokens = tokenize(check.clause);
    if (!tokens) continue;
    bool names_column = std::any_of(tokens->begin(), tokens->end(), [&](const Token& t) {
      return t.type == Token::name && equal_names(t.value, column.name);
    });
    if (names_column) out.push_back({&check, std::move(*tokens)});
  }
  return out;
}

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

// ---- A demo row -------------------------------------------------------------------------------

// Values to try for a column, in order of preference. The column's own rules (Model::admit: type,
// range, length, enum/set members) and its CHECKs decide which is taken, so no table of types is
// kept here: members first, then the literals of its CHECKs and their neighbours, then a value
// of each kind (an integer, a year, text cut to the column's length, a date-time, a date, a
// time, JSON).
std::vector<Value> candidates(const Column& c, const std::vector<ColumnCheck>& checks) {
  std::vector<Value> out(c.members.begin(), c.members.end());
  for (const ColumnCheck& check : checks) {
    for (const Token& t : check.tokens) {
      if (t.type == Token::text) out.emplace_back(t.value);
      if (t.type != Token::number) continue;
      std::int64_t n = 0;
      const char* begin = t.value.data() + (t.value[0] == '+' ? 1 : 0);
      const char* end = t.value.data() + t.value.size();
      if (auto [ptr, ec] = std::from_chars(begin, end, n); ec == std::errc{} && ptr == end) {
        out.emplace_back(n);
        if (n < std::numeric_limits<std::int64_t>::max()) out.emplace_back(n + 1);
        if (n > std::numeric_limits<std::int64_t>::min()) out.emplace_back(n - 1);
        continue;
      }
      double d = 0;
      std::from_chars(begin, end, d);
      int places = std::max(c.scale.value_or(0), 0);
      for (double x : {d, d + 1, d - 1}) {
        char text[64];
        std::snprintf(text, sizeof text, "%.*f", places, x);
        try {
          out.emplace_back(Decimal(text));
        } catch (const ValueError&) {
          // Not a plain number (inf, nan): only the double is a candidate.
        }
        out.emplace_back(x);
      }
    }
  }
  std::string text = "tabula demo";
  if (c.max_length && *c.max_length >= 0 && static_cast<std::size_t>(*c.max_length) < text.size()) {
    text.resize(static_cast<std::size_t>(*c.max_length));  // ASCII: characters are bytes
  }
  out.insert(out.end(), {Value(1), Value(2026), Value(0), Value(text), Value("2026-11-25 12:00:00"),
                         Value("2026-11-25"), Value("12:00:00"), Value("{}")});
  return out;
}

// The first candidate the column takes and its CHECKs do not refuse (in the form the column
// stores it), or nullopt with `why` saying what stood in the way.
std::optional<Value> pick_value(const Model& model, std::size_t index, std::string& why) {
  const Table& table = model.table();
  const Column& c = table.columns[index];
  std::vector<ColumnCheck> checks = checks_on(table, c);
  const CheckConstraint* refused_by = nullptr;
  for (Value candidate : candidates(c, checks)) {
    Value admitted;
    try {
      admitted = model.admit(index, std::move(candidate));
    } catch (const ValidationError&) {
      continue;
    }
    if (c.data_type == "json" && admitted.kind() == Value::Kind::text &&
        !looks_like_json(*admitted.get_if<std::string>())) {
      continue;
    }
    Scalar value = scalar_of(admitted);
    const CheckConstraint* failed = nullptr;
    for (const ColumnCheck& check : checks) {
      if (CheckReader(check.tokens, c, value).verdict() == Verdict::no) {
        failed = check.check;
        break;
      }
    }
    if (failed == nullptr) return admitted;
    if (refused_by == nullptr) refused_by = failed;
  }
  why = refused_by != nullptr
            ? "no sample value passes CHECK (" + refused_by->clause + ")"
            : "no sample value fits " + (c.column_type.empty() ? c.data_type : c.column_type);
  return std::nullopt;
}

// A row for `model`'s table: every column an INSERT needs, and the text columns, given a value
// that fits. Throws ValidationError (naming table and column) when a needed column has none.
Record demo_row(const Model& model) {
  Record record = model.make();
  const Table& table = model.table();
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    const Column& c = table.columns[i];
    if (c.auto_increment || c.generated != Generated::none) continue;
    bool required = !c.nullable && c.default_kind == DefaultKind::none;
    bool text = c.data_type.find("char") != std::string::npos ||
                c.data_type.find("text") != std::string::npos;
    if (!required && !text) continue;
    std::string why;
    std::optional<Value> value = pick_value(model, i, why);
    if (value) {
      record.set(c.name, std::move(*value));
    } else if (required) {
      throw ValidationError(table.name + "." + c.name + ": " + why, table.name, c.name);
    }
  }
  return record;
}

std::string one_line(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return text;
}

// A new directory under the system's temporary directory, for files the user did not ask to
// have anywhere in particular. Throws Error when none can be made.
std::filesystem::path new_temporary_directory() {
  std::filesystem::path base;
  std::error_code error;
  base = std::filesystem::temp_directory_path(error);
  if (error) throw Error("no temporary directory for the demo's header: " + error.message());
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    char name[32];
    std::snprintf(name, sizeof name, "tabula-demo-%08x", static_cast<unsigned>(random()));
    std::filesystem::path dir = base / name;
    if (std::filesystem::create_directory(dir, error)) return dir;
    if (error) {
      throw Error("cannot create a directory under " + base.string() + ": " + error.message());
    }
  }
  throw Error("cannot create a new directory under " + base.string());
}

}  // namespace

void run_demo(const DemoOptions& options, std::ostream& out) {
  auto started = std::chrono::steady_clock::now();
  Engine engine{options.url.empty() ? "sqlite://" + options.sqlite_path : options.url};
  out << "tabula demo\n";
  out << "  database: " << engine.url() << "\n";

  {
    Lease lease = engine.checkout();
    out << "  server:   " << to_string(engine.dialect()) << " " << lease->server_version() << "\n";
  }  // back in the pool: reflect() and the session below take it again, one at a time
  if (options.url.empty() && reflect(engine).tables.empty()) {
    out << "  loading the bundled Chinook sample database...\n";
    Lease lease = engine.checkout();
    load_chinook(*lease);
  }

  // Automap: a model per table; the tables listed with their row counts, relationships from the
  // foreign keys.
  const Models& models = engine.models();
  {
    Session session = engine.session();
    std::size_t tables = 0;
    for (const Model& m : models) tables += m.read_only() ? 0 : 1;
    out << "\n  " << tables << " tables:\n";
    for (const Model& m : models) {
      if (m.read_only()) continue;
      out << "    " << std::left << std::setw(24) << m.name() << std::right << std::setw(8)
          << session.query(m).count() << " rows\n";
    }
    session.rollback();
  }
  std::size_t relationships = 0;
  for (const Model& m : models) relationships += m.relationships().size();
  out << "\n  automap: " << models.size() << " models, " << relationships << " relationships";
  for (const Model& m : models) {
    if (!m.relationships().empty()) {
      out << " (e.g. " << m.name() << "." << m.relationships().front().name << " -> "
          << m.relationships().front().target << ")";
      break;
    }
  }
  out << "\n";

  // tabula-gen: typed structs for every table, into --header or a new temporary directory.
  std::string header_path = options.header_path.empty()
                                ? (new_temporary_directory() / "demo_models.hpp").string()
                                : options.header_path;
  std::string header =
      codegen::generate_header(models.schema(), {.name_space = "demo", .tables = {}});
  std::ofstream header_file(header_path, std::ios::binary);
  header_file << header;
  header_file.close();
  if (!header_file) throw Error("cannot write the typed header to '" + header_path + "'");
  std::size_t structs = 0;
  for (std::size_t at = 0; (at = header.find("// ---- table ", at)) != std::string::npos; ++at) {
    ++structs;
  }
  out << "  tabula-gen: " << header_path << " (" << structs << " typed structs)\n";

  // A session: insert a row and read it back, then roll back so the data is as it was. A table
  // that refuses the row (a value the demo could not fit, a trigger, a CHECK it could not read)
  // is named with the reason, and the next one is tried; every path rolls back (the session's
  // destructor does too).
  constexpr std::size_t kTablesToTry = 5;
  std::vector<const Model*> tables = insertable_tables(models);
  std::size_t tried = 0;
  bool inserted = false;
  for (const Model* model : tables) {
    if (tried == kTablesToTry) break;
    ++tried;
    Session session = engine.session();
    try {
      Record& added = session.add(demo_row(*model));
      session.flush();
      const std::string& key = model->table().primary_key.front();
      out << "  session: inserted into " << model->name() << ": " << added.to_json() << "\n";
      Record* again = session.query(*model).filter(key, added.get(key)).first();
      out << "  session: read back "
          << (again != nullptr && again == &added ? "the same object" : "a different row")
          << " (identity map); rolled back, the data is as it was\n";
      session.rollback();
      inserted = true;
      break;
    } catch (const ValidationError& e) {
      session.rollback();
      out << "  session: no demo row for " << model->name()
          << ", nothing sent: " << one_line(e.what()) << "\n";
    } catch (const SqlError& e) {
      session.rollback();
      if (e.is_disconnect()) throw;
      out << "  session: " << model->name()
          << " refused the demo row, rolled back: " << one_line(e.what()) << "\n";
    }
  }
  if (tables.empty()) {
    out << "  session: skipped (no table with a lone auto-increment key and no required foreign "
           "key to insert a demo row into)\n";
  } else if (!inserted) {
    out << "  session: no demo row inserted (" << tried << " of " << tables.size()
        << " tables tried); the data is as it was\n";
  }

  out << "  pool: " << to_string(engine.pool().stats()) << "\n";
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  out << "\n  done in " << elapsed.count() << " ms\n";
}

}  // namespace tabula::cli

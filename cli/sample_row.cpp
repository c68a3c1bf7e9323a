#include "sample_row.hpp"

#include "check_reader.hpp"

#include <tabula/automap.hpp>
#include <tabula/error.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tabula::cli {
namespace {

// Values to try for a column, in order of preference. The column's own rules (Model::admit: type,
// range, length, enum/set members) and its CHECKs decide which is taken, so no table of types is
// kept here: members first, then the literals of its CHECKs and their neighbours, then a value
// of each kind (an integer, a year, text cut to the column's length, a date-time, a date, a
// time, JSON).
std::vector<Value> candidates(const Column& c, const std::vector<ColumnCheck>& checks) {
  std::vector<Value> out(c.members.begin(), c.members.end());
  for (const ColumnCheck& check : checks) {
    for (const CheckToken& t : check.tokens) {
      if (t.type == CheckToken::text) out.emplace_back(t.value);
      if (t.type != CheckToken::number) continue;
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
    const CheckConstraint* failed = nullptr;
    for (const ColumnCheck& check : checks) {
      if (evaluate(check, c, admitted) == Verdict::no) {
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

}  // namespace

Record sample_row(const Model& model) {
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

}  // namespace tabula::cli

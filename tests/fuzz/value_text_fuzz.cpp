// Fuzz target: text into a column of every MySQL type (the every_type table of the committed
// snapshot): dates, times, decimals, integers, text, enums, sets, bytes.
//
// Input: a column name, a newline, then the text. An unknown name picks a column by its bytes.
//
// Properties:
// - only tabula::Error escapes from Record::set;
// - an accepted date, datetime, time or decimal prints (Value::to_string, Decimal::str) as text
//   that reads back to the same value and prints the same;
// - what is accepted is in range: no sign inside a date or time of day, a time of day in
//   [0, 24 h), a TIME within -838:59:59 .. 838:59:59, a real calendar day (or 0000-00-00);
// - an accepted record's JSON reads back to the same values and writes the same JSON.

#include <tabula/automap.hpp>
#include <tabula/error.hpp>
#include <tabula/snapshot.hpp>

#include "fuzz_check.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace {

using namespace tabula;
using namespace std::chrono_literals;
using fuzz::fail;
using fuzz::only_tabula_errors;
using fuzz::require;

const Model& every_type() {
  static const Models models = [] {
    std::ifstream in(std::string(TABULA_FUZZ_SNAPSHOTS) + "/every_type.json");
    std::stringstream text;
    text << in.rdbuf();
    try {
      return Models(schema_from_json(text.str()));
    } catch (const Error& e) {
      fail(std::string("cannot read every_type.json: ") + e.what(), "");
    }
  }();
  return models.at("every_type");
}

const Column& pick(const Model& model, std::string_view name) {
  const auto& columns = model.table().columns;
  for (const Column& c : columns) {
    if (c.name == name) return c;
  }
  std::size_t hash = 0;
  for (char c : name) hash = hash * 31 + static_cast<unsigned char>(c);
  return columns[hash % columns.size()];
}

// The text of a date, datetime, time or decimal as tabula prints it; nullopt for other kinds.
std::optional<std::string> canonical(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::decimal:
      return v.get<Decimal>().str();
    case Value::Kind::date:
    case Value::Kind::datetime:
    case Value::Kind::time:
      return v.to_string();
    default:
      return std::nullopt;
  }
}

void check_range(const Value& v, std::string_view text, const std::string& input) {
  constexpr auto kTimeMax = 838h + 59min + 59s;
  auto real_day = [](const Date& d) {
    return d.ok() || (int(d.year()) == 0 && unsigned(d.month()) == 0 && unsigned(d.day()) == 0);
  };
  switch (v.kind()) {
    case Value::Kind::date:
      require(real_day(v.get<Date>()), "an accepted date is not a day", input);
      require(text.find_first_of("+") == std::string_view::npos, "a date took a sign", input);
      break;
    case Value::Kind::datetime: {
      DateTime dt = v.get<DateTime>();
      require(real_day(dt.date), "an accepted datetime is not on a day", input);
      require(dt.time_of_day >= 0us && dt.time_of_day < 24h, "a time of day outside [0, 24 h)",
              input);
      std::size_t minus = text.find('-', 8);
      require(text.find('+') == std::string_view::npos && minus == std::string_view::npos,
              "a datetime took a sign", input);
      break;
    }
    case Value::Kind::time: {
      auto t = v.get<Time>().value;
      require(t <= kTimeMax && t >= -kTimeMax, "a TIME beyond 838:59:59", input);
      require(
          text.find('+') == std::string_view::npos && text.find('-', 1) == std::string_view::npos,
          "a time took a sign inside", input);
      break;
    }
    default:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::size_t newline = input.find('\n');
  std::string_view name = std::string_view(input).substr(0, newline);
  std::string_view text = newline == std::string::npos
                              ? std::string_view()
                              : std::string_view(input).substr(newline + 1);
  const Model& model = every_type();
  const Column& column = pick(model, name);

  Record record = model.make();
  if (!only_tabula_errors([&] { record.set(column.name, text); }, input)) return 0;
  const Value& v = record.get(column.name);
  check_range(v, text, input);
  if (std::optional<std::string> printed = canonical(v)) {
    Record again = model.make();
    require(only_tabula_errors([&] { again.set(column.name, *printed); }, input),
            "the printed form is refused: " + *printed, input);
    require(again.get(column.name) == v, "the printed form reads back differently: " + *printed,
            input);
    require(canonical(again.get(column.name)) == printed, "the printed form is not stable", input);
  }
  std::string json;
  require(only_tabula_errors([&] { json = record.to_json(); }, input),
          "to_json refused an accepted value", input);
  std::optional<Record> back;
  require(only_tabula_errors([&] { back.emplace(model.from_json(json)); }, input),
          "from_json refused what to_json wrote: " + json, input);
  require(back->get(column.name) == v, "the value differs after JSON: " + json, input);
  require(back->to_json() == json, "to_json differs after a round trip: " + json, input);
  return 0;
}

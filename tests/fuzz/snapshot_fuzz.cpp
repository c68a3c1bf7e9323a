// Fuzz target: schema snapshots (JSON), which are checked into repositories and passed around,
// so untrusted.
//
// Properties:
// - only tabula::Error escapes, from reading the snapshot and from everything done with the
//   schema it gives: Models (relationships and their targets), and each column taking a few
//   values (Record::set), so that odd column definitions meet the checks;
// - a column takes the value it stores as it is (admitting is idempotent);
// - an accepted snapshot round-trips: to_json(schema) reads back to an equal schema, whose
//   to_json is the same text, with the same fingerprint;
// - a record of accepted values writes JSON (Record::to_json never throws for them).

#include <tabula/automap.hpp>
#include <tabula/error.hpp>
#include <tabula/snapshot.hpp>

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace tabula;
using fuzz::only_tabula_errors;
using fuzz::require;

// A few values of each kind; each column is offered every one.
std::vector<Value> sample_values() {
  using namespace std::chrono;
  return {Value(),
          Value(std::int64_t{1}),
          Value(std::int64_t{-1}),
          Value(std::uint64_t{1} << 63),
          Value(1.5),
          Value("1"),
          Value("x"),
          Value("2005-05-24 22:53:30"),
          Value(Decimal("12.50")),
          Value(Bytes{std::byte{0xff}}),
          Value(Date{year{2024}, month{2}, day{29}}),
          Value(Time{-hours{838}})};
}

void exercise(const Schema& schema, const std::string& input) {
  std::optional<Models> models;
  if (!only_tabula_errors([&] { models.emplace(schema); }, input)) return;
  static const std::vector<Value> values = sample_values();
  for (const Model& model : *models) {
    for (const Relationship& r : model.relationships()) {
      only_tabula_errors([&] { (void)model.target(r); }, input);
    }
    Record record = model.make();
    for (const Column& c : model.table().columns) {
      for (const Value& v : values) {
        if (!only_tabula_errors([&] { record.set(c.name, v); }, input)) continue;
        Value stored = record.get(c.name);
        bool again = only_tabula_errors([&] { record.set(c.name, stored); }, input);
        require(again && record.get(c.name) == stored,
                "a column does not take the value it stores as it is: " + c.name, input);
      }
    }
    std::string json;
    bool written = only_tabula_errors([&] { json = record.to_json(); }, input);
    require(written, "to_json refused a record of accepted values", input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::optional<Schema> schema;
  if (!only_tabula_errors([&] { schema.emplace(schema_from_json(input)); }, input)) return 0;
  std::string text;
  require(only_tabula_errors([&] { text = to_json(*schema); }, input),
          "to_json refused a schema it read", input);
  std::optional<Schema> again;
  require(only_tabula_errors([&] { again.emplace(schema_from_json(text)); }, input),
          "the snapshot of an accepted schema is refused", input);
  require(*again == *schema, "the schema differs after a round trip through to_json", input);
  require(to_json(*again) == text, "to_json differs after a round trip", input);
  require(fingerprint(*again) == fingerprint(*schema), "the fingerprint differs", input);
  exercise(*schema, input);
  return 0;
}

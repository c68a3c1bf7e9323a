// Fuzz target: Model::from_json on the models of committed snapshots: Sakila (MySQL), a SQLite
// schema with untyped columns, and a MySQL table with a column of every type.
//
// Input: a table name, a newline, then the JSON. An unknown name picks a table by its bytes, so
// mutated names still reach some table.
//
// Properties:
// - only tabula::Error escapes from from_json;
// - an accepted record writes JSON (to_json never throws for it), which reads back to a record
//   with the same values, which writes the same JSON.

#include <tabula/automap.hpp>
#include <tabula/error.hpp>
#include <tabula/snapshot.hpp>

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace tabula;
using fuzz::fail;
using fuzz::only_tabula_errors;
using fuzz::require;

Models load(const char* file) {
  std::ifstream in(std::string(TABULA_FUZZ_SNAPSHOTS) + "/" + file);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return Models(schema_from_json(text.str()));
  } catch (const Error& e) {
    fail(std::string("cannot read the snapshot ") + file + ": " + e.what(), "");
  }
}

// Every model of the three snapshots.
const std::vector<const Model*>& models() {
  static const std::vector<Models> all = [] {
    std::vector<Models> out;
    out.push_back(load("sakila.json"));
    out.push_back(load("sqlite_untyped.json"));
    out.push_back(load("every_type.json"));
    return out;
  }();
  static const std::vector<const Model*> flat = [] {
    std::vector<const Model*> out;
    for (const Models& m : all) {
      for (const Model& model : m) out.push_back(&model);
    }
    return out;
  }();
  return flat;
}

const Model& pick(std::string_view name) {
  const std::vector<const Model*>& all = models();
  std::size_t hash = 0;
  for (const Model* m : all) {
    if (m->name() == name) return *m;
  }
  for (char c : name) hash = hash * 31 + static_cast<unsigned char>(c);
  return *all[hash % all.size()];
}

void require_same_values(const Record& a, const Record& b, const std::string& input) {
  for (const Column& c : a.model().table().columns) {
    require(a.is_set(c.name) == b.is_set(c.name), "column " + c.name + " set in one only", input);
    require(a.get(c.name) == b.get(c.name),
            "column " + c.name + " differs: " + a.get(c.name).to_string() + " then " +
                b.get(c.name).to_string(),
            input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::size_t newline = input.find('\n');
  std::string_view name = std::string_view(input).substr(0, newline);
  std::string_view json = newline == std::string::npos
                              ? std::string_view()
                              : std::string_view(input).substr(newline + 1);
  const Model& model = pick(name);

  std::optional<Record> record;
  if (!only_tabula_errors([&] { record.emplace(model.from_json(json)); }, input)) return 0;
  std::string written;
  require(only_tabula_errors([&] { written = record->to_json(); }, input),
          "to_json refused a record from_json accepted", input);
  std::optional<Record> again;
  require(only_tabula_errors([&] { again.emplace(model.from_json(written)); }, input),
          "from_json refused what to_json wrote: " + written, input);
  require_same_values(*record, *again, input);
  std::string rewritten;
  require(only_tabula_errors([&] { rewritten = again->to_json(); }, input),
          "to_json refused a record read back", input);
  require(rewritten == written,
          "to_json differs after a round trip: " + written + " then " + rewritten, input);
  return 0;
}

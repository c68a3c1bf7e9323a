#include <tabula/snapshot.hpp>

#include <tabula/error.hpp>

#include "detail/column_rules.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>

namespace tabula {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kFormatVersion = 1;

constexpr std::array<DefaultKind, 4> kDefaultKinds{DefaultKind::none, DefaultKind::null,
                                                   DefaultKind::literal, DefaultKind::expression};
constexpr std::array<Generated, 5> kGenerated{Generated::none, Generated::virtual_column,
                                              Generated::stored, Generated::row_start,
                                              Generated::row_end};
constexpr std::array<IndexKind, 5> kIndexKinds{IndexKind::primary, IndexKind::unique,
                                               IndexKind::plain, IndexKind::fulltext,
                                               IndexKind::spatial};
constexpr std::array<ReferentialAction, 5> kActions{
    ReferentialAction::no_action, ReferentialAction::restrict, ReferentialAction::cascade,
    ReferentialAction::set_null, ReferentialAction::set_default};
constexpr std::array<TableKind, 3> kTableKinds{TableKind::table, TableKind::view,
                                               TableKind::sequence};
constexpr std::array<Dialect, 2> kDialects{Dialect::mysql, Dialect::sqlite};

template <class T>
Json optional_json(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json column_json(const Column& c) {
  Json j;
  j["name"] = c.name;
  j["ordinal"] = c.ordinal;
  j["data_type"] = c.data_type;
  j["column_type"] = c.column_type;
  j["max_length"] = optional_json(c.max_length);
  j["precision"] = optional_json(c.precision);
  j["scale"] = optional_json(c.scale);
  j["datetime_precision"] = optional_json(c.datetime_precision);
  j["unsigned"] = c.is_unsigned;
  j["zerofill"] = c.zerofill;
  j["nullable"] = c.nullable;
  j["auto_increment"] = c.auto_increment;
  j["default"] = {{"kind", to_string(c.default_kind)}, {"value", c.default_value}};
  j["generated"] = {{"kind", to_string(c.generated)}, {"expression", c.generation_expression}};
  // Written only when set, so that schemas without them keep their fingerprints.
  if (!c.on_update.empty()) j["on_update"] = c.on_update;
  if (c.invisible) j["invisible"] = true;
  j["members"] = c.members;
  j["charset"] = c.charset;
  j["collation"] = c.collation;
  j["comment"] = c.comment;
  return j;
}

Json table_json(const Table& t) {
  Json j;
  j["name"] = t.name;
  j["kind"] = to_string(t.kind);
  j["engine"] = t.engine;
  j["comment"] = t.comment;
  j["partitioned"] = t.partitioned;
  if (t.system_versioned) j["system_versioned"] = true;  // only when set, as for columns
  j["columns"] = Json::array();
  for (const Column& c : t.columns) j["columns"].push_back(column_json(c));
  j["primary_key"] = t.primary_key;
  j["indexes"] = Json::array();
  for (const Index& index : t.indexes) {
    Json columns = Json::array();
    for (const IndexColumn& c : index.columns) {
      columns.push_back({{"column", c.column},
                         {"prefix_length", optional_json(c.prefix_length)},
                         {"descending", c.descending}});
    }
    j["indexes"].push_back(
        {{"name", index.name}, {"kind", to_string(index.kind)}, {"columns", columns}});
  }
  j["foreign_keys"] = Json::array();
  for (const ForeignKey& fk : t.foreign_keys) {
    j["foreign_keys"].push_back({{"name", fk.name},
                                 {"columns", fk.columns},
                                 {"referenced_schema", fk.referenced_schema},
                                 {"referenced_table", fk.referenced_table},
                                 {"referenced_columns", fk.referenced_columns},
                                 {"on_update", to_string(fk.on_update)},
                                 {"on_delete", to_string(fk.on_delete)}});
  }
  j["checks"] = Json::array();
  for (const CheckConstraint& c : t.checks) {
    j["checks"].push_back({{"name", c.name}, {"clause", c.clause}});
  }
  return j;
}

// --- Reading ---------------------------------------------------------------------------------
// A snapshot is untrusted input (it is checked into repositories and passed around): every value
// is checked where it is read, and a mistake is reported with its path in the document
// ("tables[3].foreign_keys[0].columns"). Nothing the checks let through can make Models,
// records or to_json misbehave.

constexpr int kMaxWidth = 65535;  // precision, scale, prefix length, ordinal: generous bounds

[[noreturn]] void bad(const std::string& path, const std::string& why) {
  throw Error("invalid schema snapshot: " + path + ": " + why);
}

std::string at_key(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string at_index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// A value as a message shows it: its JSON, shortened.
std::string shown(const Json& v) {
  std::string text = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  return text.size() <= 40 ? text : text.substr(0, 37) + "...";
}

const Json& member(const Json& object, const std::string& path, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end()) bad(at_key(path, key), "missing");
  return *it;
}

const Json& object_at(const Json& object, const std::string& path, std::string_view key) {
  const Json& v = member(object, path, key);
  if (!v.is_object()) bad(at_key(path, key), "expected an object, got " + shown(v));
  return v;
}

const Json& array_at(const Json& object, const std::string& path, std::string_view key) {
  const Json& v = member(object, path, key);
  if (!v.is_array()) bad(at_key(path, key), "expected an array, got " + shown(v));
  return v;
}

std::string text_of(const Json& v, const std::string& path) {
  if (!v.is_string()) bad(path, "expected a string, got " + shown(v));
  return v.get<std::string>();
}

std::string text_at(const Json& object, const std::string& path, std::string_view key) {
  return text_of(member(object, path, key), at_key(path, key));
}

bool flag_of(const Json& v, const std::string& path) {
  if (!v.is_boolean()) bad(path, "expected true or false, got " + shown(v));
  return v.get<bool>();
}

bool flag_at(const Json& object, const std::string& path, std::string_view key) {
  return flag_of(member(object, path, key), at_key(path, key));
}

// An integer in min..max: a JSON number without fraction or exponent, never converted from a
// double.
std::int64_t integer_of(const Json& v, const std::string& path, std::int64_t min,
                        std::int64_t max) {
  bool in_range = false;
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    in_range =
        max >= 0 && u <= static_cast<std::uint64_t>(max) && static_cast<std::int64_t>(u) >= min;
  } else if (v.is_number_integer()) {
    auto i = v.get<std::int64_t>();
    in_range = i >= min && i <= max;
  }
  if (!in_range) {
    bad(path, "expected an integer in " + std::to_string(min) + ".." + std::to_string(max) +
                  ", got " + shown(v));
  }
  return v.get<std::int64_t>();
}

int int_at(const Json& object, const std::string& path, std::string_view key, int min, int max) {
  return static_cast<int>(integer_of(member(object, path, key), at_key(path, key), min, max));
}

// null or an integer in min..max.
template <class T>
std::optional<T> optional_at(const Json& object, const std::string& path, std::string_view key,
                             T min, T max) {
  const Json& v = member(object, path, key);
  if (v.is_null()) return std::nullopt;
  return static_cast<T>(integer_of(v, at_key(path, key), min, max));
}

std::vector<std::string> names_at(const Json& object, const std::string& path,
                                  std::string_view key) {
  const Json& list = array_at(object, path, key);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    out.push_back(text_of(list[i], at_index(at_key(path, key), i)));
  }
  return out;
}

template <class Enum, std::size_t N>
Enum enum_of(const Json& v, const std::string& path, const std::array<Enum, N>& all,
             std::string_view what) {
  std::string text = text_of(v, path);
  for (Enum e : all) {
    if (to_string(e) == text) return e;
  }
  bad(path, "unknown " + std::string(what) + " '" + text + "'");
}

template <class Enum, std::size_t N>
Enum enum_at(const Json& object, const std::string& path, std::string_view key,
             const std::array<Enum, N>& all, std::string_view what) {
  return enum_of(member(object, path, key), at_key(path, key), all, what);
}

// Optional members, added after the first snapshots were written: absent means `otherwise`.
std::string optional_text_at(const Json& object, const std::string& path, std::string_view key) {
  auto it = object.find(key);
  return it == object.end() ? std::string() : text_of(*it, at_key(path, key));
}

bool optional_flag_at(const Json& object, const std::string& path, std::string_view key) {
  auto it = object.find(key);
  return it != object.end() && flag_of(*it, at_key(path, key));
}

const Json& object_of(const Json& v, const std::string& path) {
  if (!v.is_object()) bad(path, "expected an object, got " + shown(v));
  return v;
}

Column column_from(const Json& j, const std::string& path, Dialect dialect) {
  object_of(j, path);
  Column c;
  c.name = text_at(j, path, "name");
  c.ordinal = int_at(j, path, "ordinal", 1, kMaxWidth);
  c.data_type = text_at(j, path, "data_type");
  c.column_type = text_at(j, path, "column_type");
  c.max_length =
      optional_at<std::int64_t>(j, path, "max_length", 0, std::numeric_limits<std::int64_t>::max());
  c.precision = optional_at<int>(j, path, "precision", 0, kMaxWidth);
  c.scale = optional_at<int>(j, path, "scale", 0, kMaxWidth);
  c.datetime_precision = optional_at<int>(j, path, "datetime_precision", 0, 6);
  if (detail::family_of(c, dialect) == detail::Family::bit && c.precision &&
      (*c.precision < 1 || *c.precision > 64)) {
    bad(at_key(path, "precision"), "a bit width is 1..64, got " + std::to_string(*c.precision));
  }
  c.is_unsigned = flag_at(j, path, "unsigned");
  c.zerofill = flag_at(j, path, "zerofill");
  c.nullable = flag_at(j, path, "nullable");
  c.auto_increment = flag_at(j, path, "auto_increment");
  std::string at = at_key(path, "default");
  const Json& default_value = object_at(j, path, "default");
  c.default_kind = enum_at(default_value, at, "kind", kDefaultKinds, "default kind");
  c.default_value = text_at(default_value, at, "value");
  at = at_key(path, "generated");
  const Json& generated = object_at(j, path, "generated");
  c.generated = enum_at(generated, at, "kind", kGenerated, "generated kind");
  c.generation_expression = text_at(generated, at, "expression");
  c.on_update = optional_text_at(j, path, "on_update");
  c.invisible = optional_flag_at(j, path, "invisible");
  c.members = names_at(j, path, "members");
  c.charset = text_at(j, path, "charset");
  c.collation = text_at(j, path, "collation");
  c.comment = text_at(j, path, "comment");
  return c;
}

// Fails unless `name` is a column of `t`.
void require_column(const Table& t, const std::string& name, const std::string& path) {
  if (t.column(name) == nullptr) bad(path, "no column '" + name + "' in " + t.name);
}

Index index_from(const Json& j, const std::string& path) {
  object_of(j, path);
  Index index;
  index.name = text_at(j, path, "name");
  index.kind = enum_at(j, path, "kind", kIndexKinds, "index kind");
  const Json& columns = array_at(j, path, "columns");
  for (std::size_t k = 0; k < columns.size(); ++k) {
    std::string at = at_index(at_key(path, "columns"), k);
    const Json& c = object_of(columns[k], at);
    // The column is empty for an index on an expression (SQLite).
    index.columns.push_back(IndexColumn{text_at(c, at, "column"),
                                        optional_at<int>(c, at, "prefix_length", 0, kMaxWidth),
                                        flag_at(c, at, "descending")});
  }
  return index;
}

ForeignKey foreign_key_from(const Json& j, const std::string& path, const Table& t) {
  object_of(j, path);
  ForeignKey fk;
  fk.name = text_at(j, path, "name");
  fk.columns = names_at(j, path, "columns");
  if (fk.columns.empty()) bad(at_key(path, "columns"), "a foreign key needs at least one column");
  for (std::size_t k = 0; k < fk.columns.size(); ++k) {
    require_column(t, fk.columns[k], at_index(at_key(path, "columns"), k));
  }
  fk.referenced_schema = text_at(j, path, "referenced_schema");
  fk.referenced_table = text_at(j, path, "referenced_table");
  fk.referenced_columns = names_at(j, path, "referenced_columns");
  if (fk.referenced_columns.size() != fk.columns.size()) {
    bad(at_key(path, "referenced_columns"), "expected as many columns as \"columns\" (" +
                                                std::to_string(fk.columns.size()) + "), got " +
                                                std::to_string(fk.referenced_columns.size()));
  }
  fk.on_update = enum_at(j, path, "on_update", kActions, "referential action");
  fk.on_delete = enum_at(j, path, "on_delete", kActions, "referential action");
  return fk;
}

Table table_from(const Json& j, const std::string& path, Dialect dialect) {
  object_of(j, path);
  Table t;
  t.name = text_at(j, path, "name");
  t.kind = enum_at(j, path, "kind", kTableKinds, "table kind");
  t.engine = text_at(j, path, "engine");
  t.comment = text_at(j, path, "comment");
  t.partitioned = flag_at(j, path, "partitioned");
  t.system_versioned = optional_flag_at(j, path, "system_versioned");
  const Json& columns = array_at(j, path, "columns");
  for (std::size_t k = 0; k < columns.size(); ++k) {
    std::string at = at_index(at_key(path, "columns"), k);
    Column c = column_from(columns[k], at, dialect);
    if (t.column(c.name) != nullptr) {
      bad(at_key(at, "name"), "column '" + c.name + "' appears twice in " + t.name);
    }
    t.columns.push_back(std::move(c));
  }
  t.primary_key = names_at(j, path, "primary_key");
  for (std::size_t k = 0; k < t.primary_key.size(); ++k) {
    require_column(t, t.primary_key[k], at_index(at_key(path, "primary_key"), k));
  }
  const Json& indexes = array_at(j, path, "indexes");
  for (std::size_t k = 0; k < indexes.size(); ++k) {
    t.indexes.push_back(index_from(indexes[k], at_index(at_key(path, "indexes"), k)));
  }
  const Json& foreign_keys = array_at(j, path, "foreign_keys");
  for (std::size_t k = 0; k < foreign_keys.size(); ++k) {
    t.foreign_keys.push_back(
        foreign_key_from(foreign_keys[k], at_index(at_key(path, "foreign_keys"), k), t));
  }
  const Json& checks = array_at(j, path, "checks");
  for (std::size_t k = 0; k < checks.size(); ++k) {
    std::string at = at_index(at_key(path, "checks"), k);
    const Json& c = object_of(checks[k], at);
    t.checks.push_back(CheckConstraint{text_at(c, at, "name"), text_at(c, at, "clause")});
  }
  return t;
}

Json tables_json(const Schema& schema) {
  Json tables = Json::array();
  for (const Table& t : schema.tables) tables.push_back(table_json(t));
  return tables;
}

}  // namespace

std::string to_json(const Schema& schema) {
  try {
    Json j;
    j["format"] = "tabula-schema";
    j["version"] = kFormatVersion;
    j["dialect"] = to_string(schema.dialect);
    j["name"] = schema.name;
    j["server_version"] = schema.server_version;
    j["fingerprint"] = fingerprint(schema);
    j["tables"] = tables_json(schema);
    return j.dump(2) + "\n";
  } catch (const nlohmann::json::exception& e) {
    // A Schema made in code with text that is not UTF-8.
    throw Error(std::string("cannot write the schema snapshot: ") + e.what());
  }
}

Schema schema_from_json(std::string_view text) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // nlohmann's parse errors give the line and column.
    throw Error(std::string("invalid schema snapshot: ") + e.what());
  }
  auto format = j.is_object() ? j.find("format") : j.end();
  if (!j.is_object() || format == j.end() || *format != "tabula-schema") {
    throw Error(
        "invalid schema snapshot: not a tabula schema snapshot (\"format\" is not "
        "\"tabula-schema\")");
  }
  int version = int_at(j, "", "version", 0, std::numeric_limits<int>::max());
  if (version != kFormatVersion) {
    throw Error("invalid schema snapshot: version " + std::to_string(version) +
                " is not supported (this tabula reads version " + std::to_string(kFormatVersion) +
                ")");
  }
  Schema schema;
  schema.dialect = enum_at(j, "", "dialect", kDialects, "dialect");
  schema.name = text_at(j, "", "name");
  schema.server_version = text_at(j, "", "server_version");
  const Json& tables = array_at(j, "", "tables");
  for (std::size_t k = 0; k < tables.size(); ++k) {
    std::string at = at_index("tables", k);
    Table t = table_from(tables[k], at, schema.dialect);
    // Names must be unique, or the order of the tables (sorted by name) would not be defined.
    for (std::size_t other = 0; other < schema.tables.size(); ++other) {
      if (schema.tables[other].name == t.name) {
        bad(at_key(at, "name"),
            "table '" + t.name + "' appears twice (also " + at_index("tables", other) + ")");
      }
    }
    schema.tables.push_back(std::move(t));
  }
  std::sort(schema.tables.begin(), schema.tables.end(),
            [](const Table& a, const Table& b) { return a.name < b.name; });
  return schema;
}

std::string fingerprint(const Schema& schema) {
  // FNV-1a (64 bit) over the canonical JSON of the tables: stable across runs and platforms.
  // Text that is not UTF-8 (only in a Schema made in code) enters as it is.
  std::string text = std::string(to_string(schema.dialect)) + "\n" +
                     tables_json(schema).dump(-1, ' ', false, Json::error_handler_t::ignore);
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

}  // namespace tabula

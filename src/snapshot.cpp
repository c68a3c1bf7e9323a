#include <tabula/snapshot.hpp>

#include <tabula/error.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>

namespace tabula {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kFormatVersion = 1;

template <class Enum, std::size_t N>
Enum parse_enum(const Json& value, const std::array<Enum, N>& all, std::string_view what) {
  std::string text = value.get<std::string>();
  for (Enum e : all) {
    if (to_string(e) == text) return e;
  }
  throw Error("invalid schema snapshot: unknown " + std::string(what) + " '" + text + "'");
}

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

template <class T>
std::optional<T> optional_from(const Json& value) {
  if (value.is_null()) return std::nullopt;
  return value.get<T>();
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

Column column_from(const Json& j) {
  Column c;
  c.name = j.at("name").get<std::string>();
  c.ordinal = j.at("ordinal").get<int>();
  c.data_type = j.at("data_type").get<std::string>();
  c.column_type = j.at("column_type").get<std::string>();
  c.max_length = optional_from<std::int64_t>(j.at("max_length"));
  c.precision = optional_from<int>(j.at("precision"));
  c.scale = optional_from<int>(j.at("scale"));
  c.datetime_precision = optional_from<int>(j.at("datetime_precision"));
  c.is_unsigned = j.at("unsigned").get<bool>();
  c.zerofill = j.at("zerofill").get<bool>();
  c.nullable = j.at("nullable").get<bool>();
  c.auto_increment = j.at("auto_increment").get<bool>();
  c.default_kind = parse_enum(j.at("default").at("kind"), kDefaultKinds, "default kind");
  c.default_value = j.at("default").at("value").get<std::string>();
  c.generated = parse_enum(j.at("generated").at("kind"), kGenerated, "generated kind");
  c.generation_expression = j.at("generated").at("expression").get<std::string>();
  // Added after the first snapshots were written: absent means none.
  c.on_update = j.value("on_update", std::string());
  c.invisible = j.value("invisible", false);
  c.members = j.at("members").get<std::vector<std::string>>();
  c.charset = j.at("charset").get<std::string>();
  c.collation = j.at("collation").get<std::string>();
  c.comment = j.at("comment").get<std::string>();
  return c;
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

Table table_from(const Json& j) {
  Table t;
  t.name = j.at("name").get<std::string>();
  t.kind = parse_enum(j.at("kind"), kTableKinds, "table kind");
  t.engine = j.at("engine").get<std::string>();
  t.comment = j.at("comment").get<std::string>();
  t.partitioned = j.at("partitioned").get<bool>();
  t.system_versioned = j.value("system_versioned", false);  // absent in older snapshots
  for (const Json& c : j.at("columns")) t.columns.push_back(column_from(c));
  t.primary_key = j.at("primary_key").get<std::vector<std::string>>();
  for (const Json& i : j.at("indexes")) {
    Index index;
    index.name = i.at("name").get<std::string>();
    index.kind = parse_enum(i.at("kind"), kIndexKinds, "index kind");
    for (const Json& c : i.at("columns")) {
      index.columns.push_back(IndexColumn{c.at("column").get<std::string>(),
                                          optional_from<int>(c.at("prefix_length")),
                                          c.at("descending").get<bool>()});
    }
    t.indexes.push_back(std::move(index));
  }
  for (const Json& f : j.at("foreign_keys")) {
    ForeignKey fk;
    fk.name = f.at("name").get<std::string>();
    fk.columns = f.at("columns").get<std::vector<std::string>>();
    fk.referenced_schema = f.at("referenced_schema").get<std::string>();
    fk.referenced_table = f.at("referenced_table").get<std::string>();
    fk.referenced_columns = f.at("referenced_columns").get<std::vector<std::string>>();
    fk.on_update = parse_enum(f.at("on_update"), kActions, "referential action");
    fk.on_delete = parse_enum(f.at("on_delete"), kActions, "referential action");
    t.foreign_keys.push_back(std::move(fk));
  }
  for (const Json& c : j.at("checks")) {
    t.checks.push_back(
        CheckConstraint{c.at("name").get<std::string>(), c.at("clause").get<std::string>()});
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
  Json j;
  j["format"] = "tabula-schema";
  j["version"] = kFormatVersion;
  j["dialect"] = to_string(schema.dialect);
  j["name"] = schema.name;
  j["server_version"] = schema.server_version;
  j["fingerprint"] = fingerprint(schema);
  j["tables"] = tables_json(schema);
  return j.dump(2) + "\n";
}

Schema schema_from_json(std::string_view text) {
  try {
    Json j = Json::parse(text);
    if (!j.is_object() || j.value("format", std::string()) != "tabula-schema") {
      throw Error(
          "invalid schema snapshot: not a tabula schema snapshot (\"format\" is not "
          "\"tabula-schema\")");
    }
    int version = j.at("version").get<int>();
    if (version != kFormatVersion) {
      throw Error("invalid schema snapshot: version " + std::to_string(version) +
                  " is not supported (this tabula reads version " + std::to_string(kFormatVersion) +
                  ")");
    }
    Schema schema;
    schema.dialect = parse_enum(j.at("dialect"), kDialects, "dialect");
    schema.name = j.at("name").get<std::string>();
    schema.server_version = j.at("server_version").get<std::string>();
    for (const Json& t : j.at("tables")) schema.tables.push_back(table_from(t));
    std::sort(schema.tables.begin(), schema.tables.end(),
              [](const Table& a, const Table& b) { return a.name < b.name; });
    return schema;
  } catch (const nlohmann::json::exception& e) {
    // nlohmann's messages name the key or the type at fault.
    throw Error(std::string("invalid schema snapshot: ") + e.what());
  }
}

std::string fingerprint(const Schema& schema) {
  // FNV-1a (64 bit) over the canonical JSON of the tables: stable across runs and platforms.
  std::string text = std::string(to_string(schema.dialect)) + "\n" + tables_json(schema).dump();
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

#include <tabula/automap.hpp>

#include <tabula/error.hpp>

#include "detail/column_rules.hpp"
#include "detail/json_values.hpp"

#include <algorithm>
#include <memory>

namespace tabula {

Model::Model(const Table& table, Dialect dialect) : table_(&table), dialect_(dialect) {
  for (const Column& c : table.columns) {
    detail::ColumnType type = detail::column_type_of(c, dialect);
    families_.push_back(static_cast<unsigned char>(type.family));
    integer_bits_.push_back(static_cast<unsigned char>(type.integer_bits));
  }
  for (const std::string& name : table.primary_key) {
    const Column* c = table.column(name);
    if (c == nullptr) {
      key_columns_.clear();
      break;
    }
    key_columns_.push_back(static_cast<std::size_t>(c - table.columns.data()));
  }
}

std::size_t Model::column_index(std::string_view column) const {
  const auto& columns = table_->columns;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return i;
  }
  std::vector<std::string> names;
  for (const Column& c : columns) names.push_back(c.name);
  throw ValidationError("unknown column '" + std::string(column) + "' in table " + table_->name +
                            " (closest: " + detail::closest_names(column, names) + ")",
                        table_->name, std::string(column));
}

Value Model::admit(std::size_t index, Value value) const {
  admit_in_place(index, value);
  return value;
}

void Model::admit_in_place(std::size_t index, Value& value) const {
  detail::ColumnType type;
  type.family = static_cast<detail::Family>(families_[index]);
  type.integer_bits = integer_bits_[index];
  detail::admit_in_place(*table_, table_->columns[index], type, value);
}

// A new record tracks no changes, so each value goes straight in once admitted. Values usually
// come in table order, so the column after the previous one, and the one after that (a column
// left out, most often the generated key), are tried before a search.
template <class Values>
Record Model::make_from(const Values& values) const {
  Record record(*this);
  const auto& columns = table_->columns;
  std::size_t next = 0;
  for (const auto& [column, value] : values) {
    auto is = [&](std::size_t k) { return k < columns.size() && columns[k].name == column; };
    std::size_t i = is(next) ? next : is(next + 1) ? next + 1 : column_index(column);
    // Copied into its slot once and checked there (make() is the hot path of a bulk load). The
    // copy is made in the slot rather than assigned over it: assigning a value of another kind
    // makes a temporary copy first.
    Value& slot = record.values_[i];
    std::destroy_at(&slot);
    try {
      std::construct_at(&slot, value);
    } catch (...) {
      std::construct_at(&slot);  // NULL again, so that the record can go
      throw;
    }
    admit_in_place(i, slot);
    record.set_.set(i);
    next = i + 1;
  }
  return record;
}

Record Model::make(std::initializer_list<std::pair<std::string_view, Value>> values) const {
  return make_from(values);
}

Record Model::make(const std::vector<std::pair<std::string, Value>>& values) const {
  return make_from(values);
}

Record Model::from_json(std::string_view json) const {
  std::vector<detail::JsonField> fields;
  try {
    fields = detail::json_object_fields(json);
  } catch (const Error& e) {
    throw Error("cannot make a " + table_->name + " record: " + e.what());
  }
  // The column's family decides the decoding, as it decides the encoding in to_json: bytes are
  // base64 text, a JSON fraction is a double except for decimal columns (which keep its text),
  // and digit text beyond 2^53 is the integer to_json wrote for a column that takes any kind.
  Record record(*this);
  for (detail::JsonField& field : fields) {
    std::size_t i = column_index(field.key);
    const Column& c = table_->columns[i];
    auto family = static_cast<detail::Family>(families_[i]);
    Value value = std::move(field.value);
    // (SQLite gives BINARY and VARBINARY numeric affinity; their JSON is base64 all the same.)
    bool binary =
        family == detail::Family::binary || c.data_type.find("binary") != std::string::npos;
    if (binary && value.kind() == Value::Kind::text) {
      try {
        value = detail::base64_decode(*value.get_if<std::string>());
      } catch (const ValueError&) {
        throw ValidationError(table_->name + "." + c.name + ": bytes must be given in base64",
                              table_->name, c.name);
      }
    } else if (field.number_text && family != detail::Family::decimal) {
      value = field.number;
    } else if (value.kind() == Value::Kind::text && family == detail::Family::any) {
      if (std::optional<Value> integer = detail::big_integer_text(*value.get_if<std::string>())) {
        value = std::move(*integer);
      }
    }
    record.set(c.name, std::move(value));
  }
  return record;
}

const Relationship& Model::relationship(std::string_view name) const {
  for (const Relationship& r : relationships_) {
    if (r.name == name) return r;
  }
  std::vector<std::string> names;
  for (const Relationship& r : relationships_) names.push_back(r.name);
  throw Error("unknown relationship '" + std::string(name) + "' of " + table_->name +
              (names.empty() ? " (it has none)"
                             : " (closest: " + detail::closest_names(name, names) + ")"));
}

namespace {

// True when `name` is a column of `table` or already a relationship name in `taken`.
bool clashes(const Table& table, const std::vector<Relationship>& taken, const std::string& name) {
  if (table.column(name) != nullptr) return true;
  return std::any_of(taken.begin(), taken.end(),
                     [&](const Relationship& r) { return r.name == name; });
}

// How many foreign keys of `from` refer to `to`.
std::size_t links(const Table& from, const std::string& to) {
  return static_cast<std::size_t>(
      std::count_if(from.foreign_keys.begin(), from.foreign_keys.end(),
                    [&](const ForeignKey& fk) { return fk.referenced_table == to; }));
}

}  // namespace

Models::Models(Schema schema) : schema_(std::make_shared<const Schema>(std::move(schema))) {
  // A Schema made in code has not been through the snapshot reader's checks; relationships need
  // these two.
  for (const Table& table : schema_->tables) {
    for (const ForeignKey& fk : table.foreign_keys) {
      if (fk.columns.empty() || fk.columns.size() != fk.referenced_columns.size()) {
        throw Error("foreign key " + fk.name + " of " + table.name + " has " +
                    std::to_string(fk.columns.size()) + " columns referring to " +
                    std::to_string(fk.referenced_columns.size()) +
                    " (expected the same number, at least one)");
      }
    }
  }
  models_.reserve(schema_->tables.size());
  for (const Table& table : schema_->tables) models_.push_back(Model(table, schema_->dialect));
  link_siblings();
  // The model a foreign key refers to, or nullptr when it lies outside this schema.
  auto referred = [&](const ForeignKey& fk) -> Model* {
    bool local = fk.referenced_schema.empty() || fk.referenced_schema == schema_->name;
    const Model* model = local ? find(fk.referenced_table) : nullptr;
    return model == nullptr ? nullptr : &models_[static_cast<std::size_t>(model - models_.data())];
  };
  // Many-to-one first on every model, then one-to-many, so that names are settled in the same
  // order whatever the table order: deterministic.
  for (Model& model : models_) {
    const Table& table = model.table();
    for (const ForeignKey& fk : table.foreign_keys) {
      if (referred(fk) == nullptr) continue;
      Relationship r;
      r.kind = Relationship::Kind::many_to_one;
      r.target = fk.referenced_table;
      r.columns = fk.columns;
      r.target_columns = fk.referenced_columns;
      r.foreign_key = fk.name;
      r.name = fk.referenced_table;
      if (links(table, fk.referenced_table) > 1 || clashes(table, model.relationships_, r.name)) {
        r.name += "_by_" + fk.columns.front();
      }
      model.relationships_.push_back(std::move(r));
    }
  }
  for (const Model& child : models_) {
    const Table& table = child.table();
    for (const ForeignKey& fk : table.foreign_keys) {
      Model* parent = referred(fk);
      if (parent == nullptr) continue;
      Relationship r;
      r.kind = Relationship::Kind::one_to_many;
      r.target = table.name;
      r.columns = fk.referenced_columns;
      r.target_columns = fk.columns;
      r.foreign_key = fk.name;
      r.name = table.name + "_collection";
      if (links(table, parent->name()) > 1 ||
          clashes(parent->table(), parent->relationships_, r.name)) {
        r.name += "_by_" + fk.columns.front();
      }
      parent->relationships_.push_back(std::move(r));
    }
  }
}

Models::Models(const Models& other) : schema_(other.schema_), models_(other.models_) {
  link_siblings();
}

Models& Models::operator=(const Models& other) {
  if (this != &other) {
    schema_ = other.schema_;
    models_ = other.models_;
    link_siblings();
  }
  return *this;
}

void Models::link_siblings() noexcept {
  for (Model& m : models_) {
    m.siblings_ = models_.data();
    m.sibling_count_ = models_.size();
  }
}

const Model& Model::target(const Relationship& relationship) const {
  const Model* end = siblings_ + sibling_count_;
  const Model* it =
      std::lower_bound(siblings_, end, relationship.target,
                       [](const Model& m, const std::string& key) { return m.name() < key; });
  if (it == end || it->name() != relationship.target) {
    throw Error("relationship " + relationship.name + " of " + name() + " refers to " +
                relationship.target + ", which is not among the mapped tables");
  }
  return *it;
}

const Model* Models::find(std::string_view name) const noexcept {
  auto it = std::lower_bound(models_.begin(), models_.end(), name,
                             [](const Model& m, std::string_view key) { return m.name() < key; });
  return it != models_.end() && it->name() == name ? &*it : nullptr;
}

const Model& Models::at(std::string_view name) const {
  if (const Model* model = find(name)) return *model;
  std::vector<std::string> names;
  for (const Model& m : models_) names.push_back(m.name());
  throw Error("unknown table '" + std::string(name) + "' in " + schema_->name +
              (names.empty() ? " (it has no tables)"
                             : " (closest: " + detail::closest_names(name, names) + ")"));
}

Models automap(Engine& engine, const ReflectOptions& options) {
  return Models(reflect(engine, options));
}

}  // namespace tabula

#pragma once

// Automap: a Model per table of a reflected schema, and Records checked against it.
//
//   tabula::Models models = tabula::automap(engine);          // reflects once
//   const tabula::Model& orders = models.at("orders");        // unknown: error with close names
//   tabula::Record r = orders.make({{"customer", "ada"}, {"qty", 3}});
//   tabula::Record j = orders.from_json(R"({"customer": "ada", "qty": 3})");
//
// Views are mapped read-only; tables without a primary key are mapped too (insert and read).
// Models is immutable after automap() and safe to share between threads.

#include <tabula/engine.hpp>
#include <tabula/record.hpp>
#include <tabula/reflect.hpp>
#include <tabula/schema.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tabula {

// A relationship from a foreign key, named the way SQLAlchemy's automap names them
// (docs/automap.md): on the referring table a many-to-one named after the referred table; on
// the referred table a one-to-many named `<referring table>_collection`. Names that would clash
// (with a column, or because several foreign keys link the same two tables) get `_by_<column>`
// of the foreign key's first column appended.
struct Relationship {
  enum class Kind { many_to_one, one_to_many };
  std::string name;
  Kind kind = Kind::many_to_one;
  std::string target;                // the other table
  std::vector<std::string> columns;  // in this table
  std::vector<std::string> target_columns;
  std::string foreign_key;  // the constraint's name
  friend bool operator==(const Relationship&, const Relationship&) = default;
};

class Model {
 public:
  const Table& table() const noexcept { return *table_; }
  const std::string& name() const noexcept { return table_->name; }
  Dialect dialect() const noexcept { return dialect_; }
  bool read_only() const noexcept { return table_->kind != TableKind::table; }
  bool has_primary_key() const noexcept { return !table_->primary_key.empty(); }
  // The primary key's columns as indexes into table().columns, in key order; empty when there
  // is no key (or a key column is not among the columns).
  const std::vector<std::size_t>& primary_key_columns() const noexcept { return key_columns_; }

  // Relationships from foreign keys, both directions; targets outside the schema are left out.
  const std::vector<Relationship>& relationships() const noexcept { return relationships_; }
  // The relationship called `name`; throws Error naming the closest ones when there is none.
  const Relationship& relationship(std::string_view name) const;

  // The model of `relationship`'s other table, from the same Models.
  const Model& target(const Relationship& relationship) const;

  // The column's index, or throws ValidationError naming the closest column names.
  std::size_t column_index(std::string_view column) const;

  // A record with the given values (each checked; ValidationError on the first bad one).
  Record make(std::initializer_list<std::pair<std::string_view, Value>> values = {}) const;
  Record make(const std::vector<std::pair<std::string, Value>>& values) const;

  // A record from a JSON object (docs/automap.md for the encoding). Throws ValidationError for a
  // bad value or unknown key, Error for text that is not a JSON object.
  Record from_json(std::string_view json) const;

  // Checks `value` against column `index` and returns it in the form the column stores (text
  // into Date/DateTime/Time/Decimal for such columns). ValidationError when it cannot take it;
  // NULL is allowed for nullable and auto-increment columns.
  Value admit(std::size_t index, Value value) const;

 private:
  // admit() on the value where it lies (a new record's slot).
  void admit_in_place(std::size_t index, Value& value) const;
  friend class Models;
  Model(const Table& table, Dialect dialect);
  template <class Values>
  Record make_from(const Values& values) const;
  const Table* table_;
  Dialect dialect_;
  std::vector<Relationship> relationships_;
  std::vector<unsigned char> families_;      // each column's detail::Family, for admit()
  std::vector<unsigned char> integer_bits_;  // each integer column's width, for admit()
  std::vector<std::size_t> key_columns_;
  // The models of the same Models (its vector's buffer, which moving the Models keeps).
  const Model* siblings_ = nullptr;
  std::size_t sibling_count_ = 0;
};

class Models {
 public:
  // The model of table `name`; throws Error listing the closest table names when there is none.
  const Model& at(std::string_view name) const;
  // The model, or nullptr.
  const Model* find(std::string_view name) const noexcept;

  std::size_t size() const noexcept { return models_.size(); }
  auto begin() const noexcept { return models_.begin(); }
  auto end() const noexcept { return models_.end(); }
  const Schema& schema() const noexcept { return *schema_; }

  // Builds models from an already reflected (or snapshot) schema.
  explicit Models(Schema schema);
  Models(const Models& other);
  Models& operator=(const Models& other);
  Models(Models&&) noexcept = default;
  Models& operator=(Models&&) noexcept = default;

 private:
  void link_siblings() noexcept;
  std::shared_ptr<const Schema> schema_;  // the models point into it
  std::vector<Model> models_;             // sorted by name, like the schema's tables
};

// Reflects `engine`'s database once (ReflectOptions select tables) and maps every table and view.
Models automap(Engine& engine, const ReflectOptions& options = {});

}  // namespace tabula

#include <tabula/automap.hpp>
#include <tabula/error.hpp>
#include <tabula/record.hpp>

#include "detail/column_rules.hpp"
#include "detail/json_values.hpp"
#include "session/unit_of_work.hpp"

#include <algorithm>

namespace tabula {

Record::Record(const Model& model)
    : model_(&model), values_(model.table().columns.size()), set_(model.table().columns.size()) {}

Record::Record(const Record& other)
    : model_(other.model_), values_(other.values_), set_(other.set_) {}

Record& Record::operator=(const Record& other) {
  if (this != &other) {
    model_ = other.model_;
    values_ = other.values_;
    set_ = other.set_;
    tracking_ = false;
    originals_.clear();
    owner_ = nullptr;
    change_log_ = nullptr;
  }
  return *this;
}

Record& Record::operator=(Record&& other) noexcept {
  if (this != &other) {
    model_ = other.model_;
    values_ = std::move(other.values_);
    set_ = std::move(other.set_);
    tracking_ = false;
    originals_.clear();
    owner_ = nullptr;
    change_log_ = nullptr;
  }
  return *this;
}

std::size_t Record::index_of(std::string_view column) const {
  return model_->column_index(column);
}

const Value& Record::get(std::string_view column) const {
  return values_[index_of(column)];
}

bool Record::is_set(std::string_view column) const {
  return set_[index_of(column)];
}

std::size_t Record::checked_index(std::size_t index) const {
  if (index >= values_.size()) {
    throw Error("column index " + std::to_string(index) + " is out of range: " +
                model_->table().name + " has " + std::to_string(values_.size()) + " columns");
  }
  return index;
}

const Value& Record::value_at(std::size_t index) const {
  return values_[checked_index(index)];
}

bool Record::is_set_at(std::size_t index) const {
  return set_[checked_index(index)];
}

void Record::set(std::string_view column, Value value) {
  set_at(index_of(column), std::move(value));
}

void Record::set_at(std::size_t index, Value value) {
  std::size_t i = checked_index(index);
  // Sent ahead by its session (SessionOptions::write_behind): its page lands first, so that the
  // change is one from the row the database holds.
  if (owner_ != nullptr && owner_->in_flight) owner_->unit->sent_ahead->land_sent();
  Value admitted = model_->admit(i, std::move(value));
  if (tracking_) {
    auto original = std::find_if(originals_.begin(), originals_.end(),
                                 [i](const auto& entry) { return entry.first == i; });
    if (original == originals_.end()) {
      if (!(admitted == values_[i])) {
        if (originals_.empty()) note_change();
        originals_.emplace_back(i, values_[i]);
      }
    } else if (admitted == original->second) {
      originals_.erase(original);  // back to what the database has
    }
  }
  values_[i] = std::move(admitted);
  set_.set(i);
}

std::vector<std::string> Record::modified_columns() const {
  std::vector<std::size_t> indexes;
  for (const auto& entry : originals_) indexes.push_back(entry.first);
  std::sort(indexes.begin(), indexes.end());
  std::vector<std::string> names;
  for (std::size_t i : indexes) names.push_back(model_->table().columns[i].name);
  return names;
}

void Record::check_insertable(const std::vector<std::string>& filled_later) const {
  const Table& table = model_->table();
  if (model_->read_only()) {
    throw ValidationError(table.name + " is a " + std::string(to_string(table.kind)) +
                              ": records of it cannot be inserted",
                          table.name, "");
  }
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    const Column& c = table.columns[i];
    if (set_[i] || !detail::required_on_insert(c) ||
        std::find(filled_later.begin(), filled_later.end(), c.name) != filled_later.end()) {
      continue;
    }
    throw ValidationError(
        table.name + "." + c.name + ": NOT NULL without a default, and no value was given",
        table.name, c.name);
  }
}

std::string Record::to_json() const {
  std::vector<std::pair<std::string, const Value*>> fields;
  const Table& table = model_->table();
  for (std::size_t i = 0; i < values_.size(); ++i) {
    if (set_[i]) fields.emplace_back(table.columns[i].name, &values_[i]);
  }
  return detail::values_to_json(table.name, fields);
}

void Record::rethrow_for(std::string_view column, const ValueError& error) const {
  throw ValueError(model_->name() + "." + std::string(column) + ": " + error.what());
}

}  // namespace tabula

#pragma once

// Identity-map keys: the primary key of a row as one string, equal for equal keys whatever form
// the values came in (3 as int64 or uint64, DECIMAL 1.50 or 1.5).
//
// Text keys compare byte for byte: MySQL's case-insensitive collations ('abc' = 'ABC') are not
// followed, so two spellings of one key are two entries (docs/session.md).

#include <tabula/automap.hpp>

#include <span>
#include <string>

namespace tabula::detail {

// The key of `record` (its primary-key columns); "" when the model has no primary key or a key
// column is NULL or unset.
std::string identity_of(const Record& record);

// The same encoding over any `columns` of `record` (a foreign key's, to compare with the key of
// the row it refers to).
std::string identity_of(const Record& record, const std::vector<std::string>& columns);

// The key for `values` given in primary-key column order, each brought into the column's form
// (Model::admit). Throws ValidationError when the count does not match the key or a value does
// not fit its column.
std::string identity_of(const Model& model, std::span<const Value> values,
                        std::vector<Value>* admitted = nullptr);

}  // namespace tabula::detail

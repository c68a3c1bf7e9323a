#pragma once

// Internal: engine.verify<T>()'s check, called by the template in typed.hpp; not part of the API.

#include <span>
#include <string>
#include <string_view>

namespace tabula {
class Model;
}

namespace tabula::detail {

// Throws Error listing every way the fields (SQL column names from the traits, and each field's
// C++ type as cpp_type_of spells it) differ from the table.
void check_typed_fields(const Model& model, std::span<const std::string_view> columns,
                        std::span<const std::string> field_types, std::string_view type_name);

}  // namespace tabula::detail

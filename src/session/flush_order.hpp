#pragma once

// The order in which a flush writes tables: parents before children for inserts (foreign keys
// among the tables being written), the reverse for deletes.

#include <tabula/automap.hpp>

#include <vector>

namespace tabula::detail {

// `models` (each once, in the order first staged) sorted parents first; ties keep the given
// order; self-references are ignored here and cycles keep the given order for what is left.
std::vector<const Model*> parents_first(const std::vector<const Model*>& models);

}  // namespace tabula::detail

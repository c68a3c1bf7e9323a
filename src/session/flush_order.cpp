#include "session/flush_order.hpp"

#include <algorithm>
#include <set>

namespace tabula::detail {

std::vector<const Model*> parents_first(const std::vector<const Model*>& staged) {
  std::vector<const Model*> ordered;
  std::set<const Model*> done;
  auto waits_for = [&](const Model* m, const ForeignKey& fk) {
    if (fk.referenced_table == m->name()) return false;
    return std::any_of(staged.begin(), staged.end(), [&](const Model* other) {
      return other->name() == fk.referenced_table && !done.count(other);
    });
  };
  while (ordered.size() < staged.size()) {
    bool progressed = false;
    for (const Model* m : staged) {
      if (done.count(m)) continue;
      const auto& fks = m->table().foreign_keys;
      if (std::none_of(fks.begin(), fks.end(),
                       [&](const ForeignKey& fk) { return waits_for(m, fk); })) {
        ordered.push_back(m);
        done.insert(m);
        progressed = true;
      }
    }
    if (!progressed) {  // a cycle: the rest in staging order
      for (const Model* m : staged) {
        if (done.insert(m).second) ordered.push_back(m);
      }
    }
  }
  return ordered;
}

}  // namespace tabula::detail

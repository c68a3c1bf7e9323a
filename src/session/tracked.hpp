#pragma once

// A session's entry for one of its records: the record itself, where it is in its life (staged,
// in the database, removed), its identity-map key and its links to parents not inserted yet.

#include <tabula/automap.hpp>
#include <tabula/detail/typed_hooks.hpp>
#include <tabula/record.hpp>

#include <memory>
#include <string>
#include <vector>

namespace tabula::detail {

enum class RecordState {
  pending,     // added, INSERT not sent yet
  persistent,  // in the database (loaded or inserted), in the identity map
  deleting,    // removed, DELETE not sent yet
  detached,    // no longer the session's concern (deleted, or added and then rolled back)
};

struct Tracked;
class UnitOfWork;

// A many-to-one link to a parent whose key may not be known until it is inserted.
struct Link {
  const Relationship* relationship;
  Tracked* parent;
};

struct Tracked {
  Tracked(Record&& r, UnitOfWork* owner) : record(std::move(r)), unit(owner) {}
  Record record;
  RecordState state = RecordState::pending;
  // Pending, and sent ahead of the flush in a page that has not landed yet
  // (SessionOptions::write_behind): it is neither staged nor in the database's answer yet.
  bool in_flight = false;
  std::string identity;     // its identity-map key while it is in the map
  std::vector<Link> links;  // kept after use: a restaged insert resolves them again
  UnitOfWork* unit;         // the unit of work it belongs to
  // The typed object bound to the record (add<T>, get<T>), if any, and how to copy between
  // them (session/typed_bindings.hpp).
  std::shared_ptr<void> object;
  const TypedHooks* hooks = nullptr;
};

}  // namespace tabula::detail

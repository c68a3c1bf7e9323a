#pragma once

// Internal: the typed-model plumbing behind Session::add<T>/get<T>/query<T>, not part of the
// API. How the session copies an object's fields into its record before a flush (`push`) and
// the record's values back after (`pull`).

namespace tabula {
class Record;
}

namespace tabula::detail {

struct TypedHooks {
  void (*push)(const void* object, Record& record, bool inserting);
  void (*pull)(const Record& record, void* object);
};

}  // namespace tabula::detail

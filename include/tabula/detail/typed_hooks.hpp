#pragma once

// Internal: the typed-model plumbing behind Session::add<T>/get<T>/query<T>, not part of the
// API. How the session copies an object's fields into its record before a flush (`push`) and
// the record's values back after (`pull`); and, for a row written ahead of the flush by
// write-behind, whose object may hold changes not pushed yet, what the database decided
// (`pull_decided`: each of `columns` whose field still holds its default, as add() left it).

namespace tabula {
class Record;
}

namespace tabula::detail {

class ColumnFlags;

struct TypedHooks {
  void (*push)(const void* object, Record& record, bool inserting);
  void (*pull)(const Record& record, void* object);
  void (*pull_decided)(const Record& record, void* object, const ColumnFlags& columns);
};

}  // namespace tabula::detail

#include <tabula/schema.hpp>

#include <algorithm>

namespace tabula {

const Column* Table::column(std::string_view wanted) const noexcept {
  auto it = std::find_if(columns.begin(), columns.end(),
                         [&](const Column& c) { return c.name == wanted; });
  return it == columns.end() ? nullptr : &*it;
}

const Table* Schema::table(std::string_view wanted) const noexcept {
  auto it = std::lower_bound(tables.begin(), tables.end(), wanted,
                             [](const Table& t, std::string_view key) { return t.name < key; });
  return it != tables.end() && it->name == wanted ? &*it : nullptr;
}

std::string_view to_string(DefaultKind kind) noexcept {
  switch (kind) {
    case DefaultKind::none:
      return "none";
    case DefaultKind::null:
      return "null";
    case DefaultKind::literal:
      return "literal";
    case DefaultKind::expression:
      return "expression";
  }
  return "unknown";
}

std::string_view to_string(Generated kind) noexcept {
  switch (kind) {
    case Generated::none:
      return "none";
    case Generated::virtual_column:
      return "virtual";
    case Generated::stored:
      return "stored";
    case Generated::row_start:
      return "row_start";
    case Generated::row_end:
      return "row_end";
  }
  return "unknown";
}

std::string_view to_string(IndexKind kind) noexcept {
  switch (kind) {
    case IndexKind::primary:
      return "primary";
    case IndexKind::unique:
      return "unique";
    case IndexKind::plain:
      return "index";
    case IndexKind::fulltext:
      return "fulltext";
    case IndexKind::spatial:
      return "spatial";
  }
  return "unknown";
}

std::string_view to_string(ReferentialAction action) noexcept {
  switch (action) {
    case ReferentialAction::no_action:
      return "NO ACTION";
    case ReferentialAction::restrict:
      return "RESTRICT";
    case ReferentialAction::cascade:
      return "CASCADE";
    case ReferentialAction::set_null:
      return "SET NULL";
    case ReferentialAction::set_default:
      return "SET DEFAULT";
  }
  return "unknown";
}

std::string_view to_string(TableKind kind) noexcept {
  switch (kind) {
    case TableKind::table:
      return "table";
    case TableKind::view:
      return "view";
    case TableKind::sequence:
      return "sequence";
  }
  return "unknown";
}

}  // namespace tabula

#include "session/identity.hpp"

#include "record_access.hpp"

#include <charconv>
#include <cstdio>

namespace tabula::detail {
namespace {

// `tag`, the number, `end`: without temporaries (a session keys every row it inserts).
struct NumberText {
  template <class Number>
  NumberText(char tag, Number n, char end) {
    text[0] = tag;
    last = std::to_chars(text + 1, text + sizeof text - 1, n).ptr;
    *last++ = end;
  }
  char text[24];
  char* last;
};

template <class Number>
void append_number(std::string& out, char tag, Number n, char end) {
  NumberText t(tag, n, end);
  out.append(t.text, t.last);
}

// Appends one key value; every form ends in a separator or carries its length, so different
// keys never encode alike.
bool append(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::null:
      return false;
    case Value::Kind::int64:
      append_number(out, 'i', v.get<std::int64_t>(), ';');
      return true;
    case Value::Kind::uint64:
      append_number(out, 'i', v.get<std::uint64_t>(), ';');
      return true;
    case Value::Kind::decimal: {
      std::string d = v.get_if<Decimal>()->str();
      if (d.find('.') != std::string::npos) {
        while (d.back() == '0') d.pop_back();
        if (d.back() == '.') d.pop_back();
      }
      // an integral decimal equals the integer: DECIMAL(10,0) keys given as 3
      out += 'i' + d + ';';
      return true;
    }
    case Value::Kind::real: {
      char text[32];
      std::snprintf(text, sizeof text, "%.17g", v.get<double>());
      out += 'r' + std::string(text) + ';';
      return true;
    }
    case Value::Kind::text: {
      const std::string& s = *v.get_if<std::string>();
      append_number(out, 's', s.size(), ':');
      out += s;
      return true;
    }
    case Value::Kind::bytes: {
      const Bytes& b = *v.get_if<Bytes>();
      append_number(out, 'b', b.size(), ':');
      out.append(reinterpret_cast<const char*>(b.data()), b.size());
      return true;
    }
    default:
      out += 't' + v.to_string() + ';';
      return true;
  }
}

}  // namespace

std::string identity_of(const Record& record) {
  const Model& model = record.model();
  const std::vector<std::size_t>& key = model.primary_key_columns();
  if (key.size() != model.table().primary_key.size()) {
    return identity_of(record, model.table().primary_key);  // names it cannot find: say so
  }
  // One integer key, as most tables have: made in one go (append's form of it).
  if (key.size() == 1 && RecordAccess::is_set(record, key[0])) {
    if (const auto* n = RecordAccess::value(record, key[0]).get_if<std::int64_t>()) {
      NumberText t('i', *n, ';');
      return std::string(t.text, t.last);
    }
  }
  std::string out;
  for (std::size_t i : key) {
    if (!RecordAccess::is_set(record, i) || !append(out, RecordAccess::value(record, i))) {
      return {};
    }
  }
  return out;
}

std::string identity_of(const Record& record, const std::vector<std::string>& columns) {
  const Model& model = record.model();
  std::string out;
  for (const std::string& column : columns) {
    std::size_t i = model.column_index(column);
    if (!RecordAccess::is_set(record, i) || !append(out, RecordAccess::value(record, i))) {
      return {};
    }
  }
  return out;
}

std::string identity_of(const Model& model, std::span<const Value> values,
                        std::vector<Value>* admitted) {
  const auto& key = model.table().primary_key;
  if (key.empty()) {
    throw ValidationError(model.name() + " has no primary key, so rows cannot be fetched by key",
                          model.name(), "");
  }
  if (values.size() != key.size()) {
    std::string columns;
    for (const auto& c : key) columns += (columns.empty() ? "" : ", ") + c;
    throw ValidationError(model.name() + "'s primary key is (" + columns +
                              "): " + std::to_string(key.size()) + " value(s) needed, " +
                              std::to_string(values.size()) + " given",
                          model.name(), "");
  }
  std::string out;
  for (std::size_t k = 0; k < key.size(); ++k) {
    // As in filter(): a generated key column (a system-versioned table's row end) is compared,
    // not written, so it is taken as given rather than refused as a write.
    std::size_t i = model.column_index(key[k]);
    Value v = model.table().columns[i].generated != Generated::none ? values[k]
                                                                    : model.admit(i, values[k]);
    if (v.is_null()) {
      throw ValidationError(model.name() + "." + key[k] + ": a primary key is never NULL",
                            model.name(), key[k]);
    }
    append(out, v);
    if (admitted != nullptr) admitted->push_back(std::move(v));
  }
  return out;
}

}  // namespace tabula::detail

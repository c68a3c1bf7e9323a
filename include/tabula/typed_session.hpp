#pragma once

// Typed models in a Session: the definitions of Session::add<T>, get<T>, query<T> and
// remove<T>, and engine.verify<T>(), over Boost.PFR. Generated headers include this file.
//
// How an object maps to its row (docs/codegen.md):
//   - field i is column table_traits<T>::columns[i];
//   - on insert, a field still holding its value-initialised state (0, "", nullopt, ...) whose
//     column has a default, is auto-increment or is generated is left to the database, so
//     `Film{.title = "X"}` gets its key, rental_duration and last_update from the server;
//   - after every flush the object takes its row's values (keys, defaults, normalisation);
//   - a changed field becomes an UPDATE of that column at the next flush.

#include <tabula/automap.hpp>
#include <tabula/detail/column_flags.hpp>
#include <tabula/engine.hpp>
#include <tabula/query.hpp>
#include <tabula/session.hpp>
#include <tabula/typed.hpp>

#include <boost/pfr.hpp>

#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace tabula {
namespace detail {

template <class F>
Value field_to_value(const F& field) {
  if constexpr (is_optional<F>::value) {
    return field ? field_to_value(*field) : Value();
  } else if constexpr (std::is_enum_v<F>) {
    return Value(std::string(enum_name(field)));
  } else {
    return Value(field);
  }
}

template <class F>
F field_from_value(const Value& value) {
  if constexpr (is_optional<F>::value) {
    if (value.is_null()) return std::nullopt;
    return field_from_value<typename F::value_type>(value);
  } else if constexpr (std::is_enum_v<F>) {
    std::string name = value.get<std::string>();
    if (auto e = enum_from_name<F>(name)) return *e;
    throw ValueError("'" + name + "' is not a member of the generated enum");
  } else if constexpr (std::is_same_v<F, float>) {
    return static_cast<float>(value.get<double>());
  } else {
    return value.get<F>();
  }
}

// A field type as cpp_type_of() spells it, for verify<T>().
template <class F>
std::string field_type_label() {
  if constexpr (is_optional<F>::value) {
    return "std::optional<" + field_type_label<typename F::value_type>() + ">";
  } else if constexpr (std::is_enum_v<F>) {
    std::string out = "enum(";
    const auto& names = enum_traits<F>::names;
    for (std::size_t i = 0; i < names.size(); ++i)
      out += (i == 0 ? "" : ",") + std::string(names[i]);
    return out + ")";
  } else if constexpr (std::is_same_v<F, bool>) {
    return "bool";
  } else if constexpr (std::is_integral_v<F>) {
    return std::string(std::is_signed_v<F> ? "std::int" : "std::uint") +
           std::to_string(sizeof(F) * 8) + "_t";
  } else if constexpr (std::is_same_v<F, float>) {
    return "float";
  } else if constexpr (std::is_same_v<F, double>) {
    return "double";
  } else if constexpr (std::is_same_v<F, std::string>) {
    return "std::string";
  } else if constexpr (std::is_same_v<F, Decimal>) {
    return "tabula::Decimal";
  } else if constexpr (std::is_same_v<F, Bytes>) {
    return "tabula::Bytes";
  } else if constexpr (std::is_same_v<F, Date>) {
    return "tabula::Date";
  } else if constexpr (std::is_same_v<F, DateTime>) {
    return "tabula::DateTime";
  } else if constexpr (std::is_same_v<F, Time>) {
    return "tabula::Time";
  } else {
    return "an unsupported type";
  }
}

template <class T>
constexpr void check_typed_model() {
  static_assert(typed_model<T>,
                "tabula: this type has no tabula::table_traits specialisation; generate its "
                "header with tabula-gen (or tabula_generate_models() in CMake)");
  if constexpr (typed_model<T>) {
    static_assert(std::is_aggregate_v<T>, "tabula: a typed model must be a plain aggregate");
    static_assert(boost::pfr::tuple_size_v<T> == table_traits<T>::columns.size(),
                  "tabula: the struct's field count does not match table_traits<T>::columns; "
                  "regenerate the header");
  }
}

// Field i is column i (check_typed_model), so the record is read and written by position.
template <class T>
void push_typed(const void* object, Record& record, bool inserting) {
  const T& o = *static_cast<const T*>(object);
  const Table& table = record.model().table();
  boost::pfr::for_each_field(o, [&](const auto& field, std::size_t i) {
    using F = std::remove_cvref_t<decltype(field)>;
    const Column& c = table.columns[i];
    if (c.generated != Generated::none) return;
    if (inserting) {
      bool left_to_database = c.auto_increment || c.default_kind != DefaultKind::none;
      if (left_to_database && field == F{}) return;  // value-initialised: the server decides
    } else if (record.is_set_at(i) && field_from_value<F>(record.value_at(i)) == field) {
      return;  // unchanged, compared as the field's type (no int64/uint64 or float noise)
    }
    record.set_at(i, field_to_value(field));
  });
}

template <class T>
void pull_typed(const Record& record, void* object) {
  T& o = *static_cast<T*>(object);
  boost::pfr::for_each_field(o, [&](auto& field, std::size_t i) {
    using F = std::remove_cvref_t<decltype(field)>;
    field = record.is_set_at(i) ? field_from_value<F>(record.value_at(i)) : F{};
  });
}

// Each of `columns` whose field still holds its default value (what push_typed leaves to the
// database) takes the record's value; a field given a value since keeps it.
template <class T>
void pull_typed_decided(const Record& record, void* object, const ColumnFlags& columns) {
  T& o = *static_cast<T*>(object);
  boost::pfr::for_each_field(o, [&](auto& field, std::size_t i) {
    using F = std::remove_cvref_t<decltype(field)>;
    if (!columns.test(i) || !(field == F{})) return;
    if (record.is_set_at(i)) field = field_from_value<F>(record.value_at(i));
  });
}

template <class T>
inline constexpr TypedHooks typed_hooks{&push_typed<T>, &pull_typed<T>, &pull_typed_decided<T>};

}  // namespace detail

template <class T>
class TypedQuery {
 public:
  template <class... Values>
  TypedQuery& where(std::string_view condition, Values&&... values) {
    query_.where(condition, std::forward<Values>(values)...);
    return *this;
  }
  TypedQuery& filter(std::string_view column, Value value) {
    query_.filter(column, std::move(value));
    return *this;
  }
  TypedQuery& order_by(std::string_view column) {
    query_.order_by(column);
    return *this;
  }
  TypedQuery& limit(std::uint64_t rows) {
    query_.limit(rows);
    return *this;
  }
  TypedQuery& offset(std::uint64_t rows) {
    query_.offset(rows);
    return *this;
  }
  // Copies of the matching rows (get<T>() gives the session's tracked object).
  std::vector<T> all() {
    std::vector<T> out;
    for (Record* r : query_.all()) out.push_back(session_->object_for<T>(*r));
    return out;
  }
  std::optional<T> first() {
    Record* r = query_.first();
    if (r == nullptr) return std::nullopt;
    return session_->object_for<T>(*r);
  }
  std::uint64_t count() { return query_.count(); }
  std::string sql() const { return query_.sql(); }

 private:
  friend class Session;
  TypedQuery(Session& session, Query query) : session_(&session), query_(std::move(query)) {}
  Session* session_;
  Query query_;
};

template <class T>
T& Session::object_for(Record& record) {
  if (void* existing = typed_object(record)) return *static_cast<T*>(existing);
  auto object = std::make_shared<T>();
  detail::pull_typed<T>(record, object.get());
  return *static_cast<T*>(bind_typed(record, std::move(object), detail::typed_hooks<T>));
}

template <class T>
requires(!std::is_same_v<std::remove_cvref_t<T>, Record>) std::remove_cvref_t<T>
&Session::add(T&& object) {
  using M = std::remove_cvref_t<T>;
  detail::check_typed_model<M>();
  // The fields go into the record before it is staged: a field its column refuses throws here
  // and leaves nothing staged.
  Record record = model_named(table_traits<M>::name).make();
  auto owned = std::make_shared<M>(std::forward<T>(object));
  detail::push_typed<M>(owned.get(), record, true);
  Record& staged = stage(std::move(record));
  auto* bound = static_cast<M*>(bind_typed(staged, std::move(owned), detail::typed_hooks<M>));
  after_add();  // write-behind: the object is bound before its page can land
  return *bound;
}

template <class T>
T* Session::get(const Key& key) {
  detail::check_typed_model<T>();
  Record* record = get(model_named(table_traits<T>::name), key);
  return record == nullptr ? nullptr : &object_for<T>(*record);
}

template <class T>
TypedQuery<T> Session::query() {
  detail::check_typed_model<T>();
  return TypedQuery<T>(*this, query(model_named(table_traits<T>::name)));
}

template <class T>
void Engine::verify() {
  detail::check_typed_model<T>();
  std::vector<std::string> labels;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (labels.push_back(detail::field_type_label<boost::pfr::tuple_element_t<I, T>>()), ...);
  }
  (std::make_index_sequence<boost::pfr::tuple_size_v<T>>{});
  const auto& columns = table_traits<T>::columns;
  detail::check_typed_fields(models().at(table_traits<T>::name),
                             std::span<const std::string_view>(columns.data(), columns.size()),
                             labels, "the typed model of " + std::string(table_traits<T>::name));
}

template <class T>
requires(!std::is_same_v<T, Record>) void Session::remove(T& object) {
  detail::check_typed_model<T>();
  remove(typed_record(&object));
}

}  // namespace tabula

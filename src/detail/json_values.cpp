#include "detail/json_values.hpp"

#include <tabula/error.hpp>

#include "detail/utf8.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

namespace tabula::detail {
namespace {

using Json = nlohmann::ordered_json;
constexpr std::int64_t kExactInJson = std::int64_t{1} << 53;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

std::string base64_encode(const Bytes& bytes) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned n =
        (unsigned(bytes[i]) << 16) | (unsigned(bytes[i + 1]) << 8) | unsigned(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(n >> shift) & 63];
  }
  if (std::size_t rest = bytes.size() - i; rest > 0) {
    unsigned n = unsigned(bytes[i]) << 16;
    if (rest == 2) n |= unsigned(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Bytes base64_decode(std::string_view text) {
  Bytes out;
  unsigned buffer = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (char c : text) {
    if (c == '=') {
      ++padding;
      continue;
    }
    const char* at = std::char_traits<char>::find(kAlphabet, 64, c);
    if (at == nullptr || padding > 0) throw ValueError("text is not base64");
    buffer = (buffer << 6) | unsigned(at - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(std::byte((buffer >> bits) & 0xFF));
    }
  }
  if ((text.size() % 4) != 0 || padding > 2) throw ValueError("text is not base64");
  return out;
}

std::optional<Value> big_integer_text(std::string_view text) {
  bool negative = text.starts_with('-');
  std::string_view digits = text.substr(negative ? 1 : 0);
  bool all_digits =
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits.empty() || digits[0] == '0' || !all_digits) return std::nullopt;
  const char* end = text.data() + text.size();
  std::int64_t i = 0;
  if (auto r = std::from_chars(text.data(), end, i); r.ec == std::errc{} && r.ptr == end) {
    if (i > kExactInJson || i < -kExactInJson) return Value(i);
    return std::nullopt;
  }
  std::uint64_t u = 0;
  if (auto r = std::from_chars(text.data(), end, u);
      !negative && r.ec == std::errc{} && r.ptr == end) {
    return Value(u);
  }
  return std::nullopt;
}

std::string values_to_json(std::string_view table,
                           const std::vector<std::pair<std::string, const Value*>>& fields) {
  Json j = Json::object();
  for (const auto& [name, value] : fields) {
    for (const std::string* text : {&name, value->get_if<std::string>()}) {
      if (text == nullptr) continue;
      if (std::optional<std::size_t> at = invalid_utf8_at(*text)) {
        std::string what = text == &name ? "the column name" : "the text";
        throw Error(std::string(table) + "." + name + ": " + what +
                    " is not valid UTF-8 and cannot be written as JSON (" +
                    describe_invalid_utf8(*text, *at) + ")");
      }
    }
    switch (value->kind()) {
      case Value::Kind::null:
        j[name] = nullptr;
        break;
      case Value::Kind::int64: {
        auto v = value->get<std::int64_t>();
        j[name] = (v > kExactInJson || v < -kExactInJson) ? Json(std::to_string(v)) : Json(v);
        break;
      }
      case Value::Kind::uint64: {
        auto v = value->get<std::uint64_t>();
        j[name] = v > std::uint64_t(kExactInJson) ? Json(std::to_string(v)) : Json(v);
        break;
      }
      case Value::Kind::real:
        j[name] = value->get<double>();
        break;
      case Value::Kind::decimal:
        j[name] = value->get<Decimal>().str();
        break;
      case Value::Kind::text:
        j[name] = value->get<std::string>();
        break;
      case Value::Kind::bytes:
        j[name] = base64_encode(value->get<Bytes>());
        break;
      case Value::Kind::date:
      case Value::Kind::datetime:
      case Value::Kind::time:
        j[name] = value->to_string();
        break;
    }
  }
  try {
    return j.dump();
  } catch (const nlohmann::json::exception& e) {
    // Not expected after the checks above; never let the JSON library's exception out.
    throw Error(std::string("cannot write a ") + std::string(table) +
                " record as JSON: " + e.what());
  }
}

std::vector<JsonField> json_object_fields(std::string_view json) {
  Json j;
  try {
    j = Json::parse(json);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("invalid JSON: ") + e.what());
  }
  if (!j.is_object()) throw Error("expected a JSON object of column names and values");
  std::vector<JsonField> fields;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const Json& v = it.value();
    JsonField field;
    field.key = it.key();
    if (v.is_null()) {
      field.value = Value();
    } else if (v.is_boolean()) {
      field.value = v.get<bool>();
    } else if (v.is_number_unsigned()) {
      auto u = v.get<std::uint64_t>();
      if (u <= std::uint64_t(std::numeric_limits<std::int64_t>::max())) {
        field.value = static_cast<std::int64_t>(u);
      } else {
        field.value = u;
      }
    } else if (v.is_number_integer()) {
      field.value = v.get<std::int64_t>();
    } else if (v.is_number_float()) {
      field.value = v.dump();  // shortest text that reads back as the same double
      field.number_text = true;
      field.number = v.get<double>();
    } else if (v.is_string()) {
      field.value = v.get<std::string>();
    } else {
      throw Error("the value of \"" + it.key() + "\" is a JSON " + v.type_name() +
                  "; expected null, a boolean, a number or a string");
    }
    fields.push_back(std::move(field));
  }
  return fields;
}

}  // namespace tabula::detail

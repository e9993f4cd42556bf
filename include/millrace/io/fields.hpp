// millrace::io field maps: bind JSON object fields to struct members by name, for typed reading
// (read_jsonl<Doc>) and writing (write_jsonl of Doc).
//   auto doc_fields = millrace::io::fields(millrace::io::field("id", &Doc::id), millrace::io::field("text", &Doc::text));
#pragma once

#include <millrace/io/json.hpp>

#include <concepts>
#include <cstdio>
#include <limits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace millrace::io {

// A member bound to a JSON field name. Supported member types: std::string, bool, integers,
// floating point, and std::optional of those (an optional field may be absent or null). A string
// member also accepts a JSON number (its text), as ids often come as numbers.
template <class T, class M>
struct field_binding {
  std::string_view name;
  M T::*member;
};

template <class T, class M>
constexpr field_binding<T, M> field(std::string_view name, M T::*member) {
  return {name, member};
}

template <class... B>
struct field_map {
  std::tuple<B...> bindings;
};

template <class... B>
constexpr field_map<B...> fields(B... b) {
  return {std::tuple<B...>{b...}};
}

namespace detail {

template <class M> struct is_optional : std::false_type {};
template <class M> struct is_optional<std::optional<M>> : std::true_type {};

// Decodes one element into a member; returns an error text, empty on success.
template <class M>
std::string decode_value(simdjson::dom::element el, M& out) {
  using simdjson::dom::element_type;
  if constexpr (is_optional<M>::value) {
    if (el.is_null()) { out.reset(); return {}; }
    typename M::value_type v{};
    auto e = decode_value(el, v);
    if (e.empty()) out = std::move(v);
    return e;
  } else if constexpr (std::is_same_v<M, std::string>) {
    switch (el.type()) {
      case element_type::STRING: out = std::string(el.get_string().value_unsafe()); return {};
      case element_type::INT64: out = std::to_string(el.get_int64().value_unsafe()); return {};
      case element_type::UINT64: out = std::to_string(el.get_uint64().value_unsafe()); return {};
      default: return "expected a string";
    }
  } else if constexpr (std::is_same_v<M, bool>) {
    bool b;
    if (el.get_bool().get(b)) return "expected true or false";
    out = b;
    return {};
  } else if constexpr (std::is_integral_v<M> && std::is_signed_v<M>) {
    std::int64_t x;
    if (el.get_int64().get(x) || x < std::int64_t(std::numeric_limits<M>::min()) ||
        x > std::int64_t(std::numeric_limits<M>::max()))
      return "expected an integer in range";
    out = static_cast<M>(x);
    return {};
  } else if constexpr (std::is_integral_v<M>) {
    std::uint64_t x;
    if (el.get_uint64().get(x) || x > std::uint64_t(std::numeric_limits<M>::max()))
      return "expected a non-negative integer in range";
    out = static_cast<M>(x);
    return {};
  } else if constexpr (std::is_floating_point_v<M>) {
    double x;
    if (el.get_double().get(x)) return "expected a number";
    out = static_cast<M>(x);
    return {};
  } else {
    static_assert(sizeof(M) == 0, "millrace::io::field: unsupported member type");
  }
}

template <class M>
void encode_value(std::string& out, const M& v) {
  if constexpr (is_optional<M>::value) {
    if (v) encode_value(out, *v);
    else out += "null";
  } else if constexpr (std::is_same_v<M, std::string> || std::is_convertible_v<const M&, std::string_view>) {
    json_append_string(out, std::string_view(v));
  } else if constexpr (std::is_same_v<M, bool>) {
    out += v ? "true" : "false";
  } else if constexpr (std::is_integral_v<M>) {
    out += std::to_string(v);
  } else if constexpr (std::is_floating_point_v<M>) {
    char buf[32];
    // %.17g round-trips a double; JSON has no inf/nan, write null for them.
    if (v != v || v - v != 0) { out += "null"; return; }
    int n = std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>(v));
    out.append(buf, static_cast<std::size_t>(n));
  } else {
    static_assert(sizeof(M) == 0, "millrace::io::field: unsupported member type");
  }
}

}  // namespace detail

// Fills t from a parsed JSON object. Returns an error text naming the field, empty on success.
template <class T, class... B>
std::string decode_fields(simdjson::dom::object obj, const field_map<B...>& map, T& t) {
  std::string err;
  std::apply(
      [&](const auto&... b) {
        auto one = [&](const auto& binding) {
          if (!err.empty()) return;
          using M = std::remove_cvref_t<decltype(t.*(binding.member))>;
          simdjson::dom::element el;
          if (obj.at_key(binding.name).get(el)) {
            if constexpr (!detail::is_optional<M>::value)
              err = "missing field '" + std::string(binding.name) + "'";
            return;
          }
          auto e = detail::decode_value(el, t.*(binding.member));
          if (!e.empty()) err = "field '" + std::string(binding.name) + "': " + e;
        };
        (one(b), ...);
      },
      map.bindings);
  return err;
}

// Appends t as one JSON object (fields in map order), without a newline.
template <class T, class... B>
void encode_fields(std::string& out, const field_map<B...>& map, const T& t) {
  out.push_back('{');
  bool first = true;
  std::apply(
      [&](const auto&... b) {
        auto one = [&](const auto& binding) {
          if (!first) out.push_back(',');
          first = false;
          json_append_string(out, binding.name);
          out.push_back(':');
          detail::encode_value(out, t.*(binding.member));
        };
        (one(b), ...);
      },
      map.bindings);
  out.push_back('}');
}

}  // namespace millrace::io

// millrace::io field maps: bind JSON object fields to struct members by name, for typed reading
// (read_jsonl<Doc>) and writing (write_jsonl of Doc).
//   auto doc_fields = millrace::io::fields(millrace::io::field("id", &Doc::id), millrace::io::field("text", &Doc::text));
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/json.hpp>

#include <array>
#include <concepts>
#include <cstdio>
#include <limits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace millrace::io {

/// A member bound to a JSON field name. Supported member types: std::string, bool, integers,
/// floating point, and std::optional of those (an optional field may be absent or null). A string
/// member also accepts a JSON integer (its text, exactly as written for integers beyond 64 bits),
/// as ids often come as numbers. A key that repeats: the last occurrence is the field's value.
template <class T, class M>
struct field_binding {
  using record_type = T;   ///< the type whose member it binds
  using member_type = M;   ///< the member's type
  std::string_view name;
  M T::*member;
};

/// Binds a JSON/CSV field name to a member of the record type (for read_jsonl/write_jsonl).
template <class T, class M>
constexpr field_binding<T, M> field(std::string_view name, M T::*member) {
  return {name, member};
}

/// The field bindings of a record type, made by io::fields(io::field(...), ...).
template <class... B>
struct field_map {
  std::tuple<B...> bindings;
};

template <class... B>
constexpr field_map<B...> fields(B... b) {
  return {std::tuple<B...>{b...}};
}

namespace detail {

// ---- the check of a field map, where a reader or writer of T is made -------------------------
// A field map is a type, so a wrong one is a compile error at read_jsonl<T>/write_jsonl<T> (not
// at mr::run, where the record is first decoded or encoded). Each failing check names the record
// type and the binding in its template arguments.
template <class M> inline constexpr bool is_field_type =
    std::is_same_v<M, std::string> || std::is_same_v<M, bool> || std::is_integral_v<M> || std::is_floating_point_v<M>;
template <class M> inline constexpr bool is_field_type<std::optional<M>> = is_field_type<M>;
// Writing also takes members that convert to std::string_view (std::string_view, const char*).
template <class M> inline constexpr bool is_writable_field_type =
    is_field_type<M> || std::is_convertible_v<const M&, std::string_view>;
template <class M> inline constexpr bool is_writable_field_type<std::optional<M>> = is_writable_field_type<M>;

template <class T, class Binding, bool Ok = std::is_base_of_v<typename Binding::record_type, T>>
struct field_of_the_record : std::true_type {};
template <class T, class Binding>
struct field_of_the_record<T, Binding, false> : std::false_type {
  static_assert(sizeof(T) == 0,
                "millrace::io: the field map binds a member of another type than the record type T "
                "(template arguments: T, then field_binding<that type, member type>); write "
                "io::field(\"name\", &T::member)");
};
template <class Binding, bool Ok>
struct supported_field_type : std::true_type {};
template <class Binding>
struct supported_field_type<Binding, false> : std::false_type {
  static_assert(sizeof(Binding) == 0,
                "millrace::io: a field's member type is not supported (template argument: "
                "field_binding<record type, member type>); members must be std::string, bool, an "
                "integer, a floating-point type, or std::optional of one (writers also take types "
                "that convert to std::string_view)");
};

// True when every binding is a member of T of a supported type; else a static_assert names it.
template <class T, bool Writing, class... B>
constexpr bool check_field_map() {
  constexpr bool belongs = (field_of_the_record<T, B>::value && ...);
  if constexpr (belongs)
    return (supported_field_type<B, Writing ? is_writable_field_type<typename B::member_type>
                                            : is_field_type<typename B::member_type>>::value && ...);
  else
    return false;
}

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

namespace detail {

// True for a JSON number token without fraction or exponent ("-123..."): an integer.
inline bool integer_text(std::string_view v) {
  if (!v.empty() && v[0] == '-') v.remove_prefix(1);
  if (v.empty()) return false;
  for (char c : v)
    if (c < '0' || c > '9') return false;
  return true;
}

// A member from a value simdjson cannot hold (huge integer, exponent beyond double range; text
// is the value as written). A string member keeps an integer's text, as it does for any integer.
template <class M>
std::string decode_huge_number(std::string_view text, M& out) {
  if constexpr (is_optional<M>::value) {
    typename M::value_type v{};
    auto e = decode_huge_number(text, v);
    if (e.empty()) out = std::move(v);
    return e;
  } else if constexpr (std::is_same_v<M, std::string>) {
    if (!integer_text(text)) return "expected a string";
    out.assign(text);
    return {};
  } else if constexpr (std::is_same_v<M, bool>) {
    return "expected true or false";
  } else if constexpr (std::is_integral_v<M> && std::is_signed_v<M>) {
    return "expected an integer in range";
  } else if constexpr (std::is_integral_v<M>) {
    return "expected a non-negative integer in range";
  } else {
    return "expected a number in range";
  }
}

// One member from its JSON text (the members path of decode_fields).
template <class M>
std::string decode_text(std::string_view text, M& out) {
  auto& parser = thread_dom_parser();
  auto padded = padded_view(text.data(), text.size(), 0);   // a view into the line: copy
  simdjson::dom::element el;
  if (!parser.parse(padded.data(), padded.size(), false).get(el)) return decode_value(el, out);
  if (!text.empty() && (text[0] == '-' || (text[0] >= '0' && text[0] <= '9'))) return decode_huge_number(text, out);
  // An array or object holding such a number: no member type takes those; say what was expected.
  const std::string_view empty = text[0] == '[' ? "[]" : "{}";
  padded = padded_view(empty.data(), empty.size(), 0);
  if (parser.parse(padded.data(), padded.size(), false).get(el)) return "unreadable value";
  return decode_value(el, out);
}

#if !MILLRACE_HEADER_ONLY
// String members' decoders are compiled once in millrace::compiled (io/detail/read_impl.hpp), not
// again in every unit that reads a record type with a string field.
extern template std::string decode_value<std::string>(simdjson::dom::element, std::string&);
extern template std::string decode_text<std::string>(std::string_view, std::string&);
#endif

// Applies one binding: el is the value found for its name (the last one if the key repeats).
template <class T, class Binding, class Found>
void decode_binding(const Binding& binding, const Found* found, T& t, std::string& err) {
  if (!err.empty()) return;
  using M = std::remove_cvref_t<decltype(t.*(binding.member))>;
  if (!found) {
    if constexpr (!is_optional<M>::value) err = "missing field '" + std::string(binding.name) + "'";
    return;
  }
  std::string e;
  if constexpr (std::is_same_v<Found, std::string_view>) e = decode_text(*found, t.*(binding.member));
  else e = decode_value(*found, t.*(binding.member));
  if (!e.empty()) err = "field '" + std::string(binding.name) + "': " + e;
}

}  // namespace detail

/// Fills t from a parsed JSON object. Returns an error text naming the field, empty on success.
/// A key that occurs more than once: the last occurrence wins (as in Python's json module).
template <class T, class... B>
std::string decode_fields(simdjson::dom::object obj, const field_map<B...>& map, T& t) {
  std::array<simdjson::dom::element, sizeof...(B)> value{};
  std::array<bool, sizeof...(B)> found{};
  for (simdjson::dom::key_value_pair kv : obj) {
    std::size_t i = 0;
    auto match = [&](const auto& binding) {
      if (binding.name == kv.key) {
        value[i] = kv.value;
        found[i] = true;
      }
      ++i;
    };
    std::apply([&](const auto&... b) { (match(b), ...); }, map.bindings);
  }
  std::string err;
  std::size_t i = 0;
  auto one = [&](const auto& binding) {
    detail::decode_binding(binding, found[i] ? &value[i] : nullptr, t, err);
    ++i;
  };
  std::apply([&](const auto&... b) { (one(b), ...); }, map.bindings);
  return err;
}

/// The same from an object's members as text (parse_record's path for numbers simdjson cannot
/// hold); the last occurrence of a key wins here too.
template <class T, class... B>
std::string decode_fields(const std::vector<millrace::json::member_text>& members, const field_map<B...>& map, T& t) {
  std::string err;
  std::apply([&](const auto&... b) {
    auto one = [&](const auto& binding) {
      const std::string_view* found = nullptr;
      for (const auto& m : members)
        if (m.key == binding.name) found = &m.value;
      detail::decode_binding(binding, found, t, err);
    };
    (one(b), ...);
  }, map.bindings);
  return err;
}

/// Appends t as one JSON object (fields in map order), without a newline.
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

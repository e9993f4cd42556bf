// millrace/io/fields.hpp — millrace::io field maps: bind JSON object fields to struct members by
// name, for typed reading (read_jsonl<Doc>) and writing (write_jsonl of Doc).
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
  std::string_view name;  ///< the JSON (or CSV) field name
  M T::*member;  ///< the bound member of T
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

// ---- decoding: the parse is compiled code, the members' types are the template's ---------------
// The line is parsed (simdjson, or our grammar checker for numbers simdjson cannot hold) by
// compiled code (io/detail/parse_impl.hpp), which hands each bound field's value over as a
// field_value; only the assignment to the member is a template. So a unit that reads a record type
// neither includes simdjson.h nor instantiates a parser for it.

/// A JSON value as the decoder hands it to a member: a number as simdjson typed it (int64 when it
/// fits, uint64 beyond, double with a fraction or an exponent), or `huge` (a number no 64-bit type
/// or double holds, as written); `text` is a string's unescaped bytes (valid during the call).
struct field_value {
  enum class kind : std::uint8_t { null, string, int64, uint64, number, boolean, huge, array, object };
  kind type = kind::null;
  std::string_view text;  // string; huge: the number as written
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double d = 0;
  bool b = false;
};

// True for a JSON number token without fraction or exponent ("-123..."): an integer.
inline bool integer_text(std::string_view v) {
  if (!v.empty() && v[0] == '-') v.remove_prefix(1);
  if (v.empty()) return false;
  for (char c : v)
    if (c < '0' || c > '9') return false;
  return true;
}

// One value into a member; returns an error text, empty on success. A string member keeps an
// integer's text (also one beyond 64 bits, exactly as written), as ids often come as numbers.
template <class M>
std::string assign_value(const field_value& v, M& out) {
  using k = field_value::kind;
  if constexpr (is_optional<M>::value) {
    if (v.type == k::null) { out.reset(); return {}; }
    typename M::value_type x{};
    auto e = assign_value(v, x);
    if (e.empty()) out = std::move(x);
    return e;
  } else if constexpr (std::is_same_v<M, std::string>) {
    switch (v.type) {
      case k::string: out.assign(v.text); return {};
      case k::int64: out = std::to_string(v.i); return {};
      case k::uint64: out = std::to_string(v.u); return {};
      case k::huge:
        if (!integer_text(v.text)) return "expected a string";
        out.assign(v.text);
        return {};
      default: return "expected a string";
    }
  } else if constexpr (std::is_same_v<M, bool>) {
    if (v.type != k::boolean) return "expected true or false";
    out = v.b;
    return {};
  } else if constexpr (std::is_integral_v<M> && std::is_signed_v<M>) {
    if (v.type != k::int64 || v.i < std::int64_t(std::numeric_limits<M>::min()) ||
        v.i > std::int64_t(std::numeric_limits<M>::max()))
      return "expected an integer in range";
    out = static_cast<M>(v.i);
    return {};
  } else if constexpr (std::is_integral_v<M>) {
    std::uint64_t x;
    if (v.type == k::int64 && v.i >= 0) x = std::uint64_t(v.i);
    else if (v.type == k::uint64) x = v.u;
    else return "expected a non-negative integer in range";
    if (x > std::uint64_t(std::numeric_limits<M>::max())) return "expected a non-negative integer in range";
    out = static_cast<M>(x);
    return {};
  } else if constexpr (std::is_floating_point_v<M>) {
    switch (v.type) {
      case k::int64: out = static_cast<M>(v.i); return {};
      case k::uint64: out = static_cast<M>(v.u); return {};
      case k::number: out = static_cast<M>(v.d); return {};
      case k::huge: return "expected a number in range";
      default: return "expected a number";
    }
  } else {
    static_assert(sizeof(M) == 0, "millrace::io::field: unsupported member type");
  }
}

/// Called by the compiled decoder for the field named names[i]: v is its value (the last one if
/// the key repeats), null when the record has no such field. Returns an error text.
using field_assign = std::string (*)(void* context, std::size_t i, const field_value* v);

/// The field names of a map, in its order.
template <class... B>
std::array<std::string_view, sizeof...(B)> field_names(const field_map<B...>& map) {
  return std::apply([](const auto&... b) { return std::array<std::string_view, sizeof...(B)>{b.name...}; }, map.bindings);
}

// Applies one binding to its value (null: the field is absent).
template <class T, class Binding>
std::string assign_binding(const Binding& binding, const field_value* v, T& t) {
  using M = std::remove_cvref_t<decltype(t.*(binding.member))>;
  if (!v) {
    if constexpr (!is_optional<M>::value) return "missing field '" + std::string(binding.name) + "'";
    return {};
  }
  std::string e = assign_value(*v, t.*(binding.member));
  if (!e.empty()) e = "field '" + std::string(binding.name) + "': " + e;
  return e;
}

/// The field_assign of a record type T and field map: context is a field_target<T, B...>.
template <class T, class... B>
struct field_target {
  const field_map<B...>* map;
  T* record;
  static std::string assign(void* context, std::size_t i, const field_value* v) {
    auto& self = *static_cast<field_target*>(context);
    std::string err;
    std::size_t k = 0;
    std::apply([&](const auto&... b) { ((k++ == i ? (void)(err = assign_binding(b, v, *self.record)) : void()), ...); },
               self.map->bindings);
    return err;
  }
};

}  // namespace detail

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

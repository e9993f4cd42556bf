// millrace/core/json_value.hpp — a small JSON reader for configuration files (module parameters).
// Bulk data goes through simdjson in io/; this one keeps the core free of heavy dependencies.
// Also: the project's JSON string writer (append_quoted) and a strict grammar checker that keeps
// numbers as text (check_grammar), which io/ falls back on for numbers simdjson cannot hold.
//   auto v = mr::json::parse(R"({"threshold": 0.8, "dedup": {"num_perm": 128}})");
#pragma once

#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <millrace/detail/config.hpp>

namespace millrace::json {

struct value;
/// A JSON object: members by name (sorted, so output is deterministic).
using object = std::map<std::string, value, std::less<>>;
/// A JSON array.
using array = std::vector<value>;

/// A JSON value: null, bool, number, string, array or object (module configs, reports).
struct value {
  /// The held value; arrays and objects sit behind shared_ptr, so copies share them.
  std::variant<std::nullptr_t, bool, double, std::string, std::shared_ptr<array>, std::shared_ptr<object>> v;
  /// Whether the value is null (as a default-constructed value is).
  bool is_null() const { return std::holds_alternative<std::nullptr_t>(v); }
  /// Whether the value is true or false.
  bool is_bool() const { return std::holds_alternative<bool>(v); }
  /// Whether the value is a number (held as a double).
  bool is_number() const { return std::holds_alternative<double>(v); }
  /// Whether the value is a string (held unescaped).
  bool is_string() const { return std::holds_alternative<std::string>(v); }
  /// Whether the value is an array (read it with as_array()).
  bool is_array() const { return std::holds_alternative<std::shared_ptr<array>>(v); }
  /// Whether the value is an object (read it with as_object()).
  bool is_object() const { return std::holds_alternative<std::shared_ptr<object>>(v); }
  /// The object; throws std::bad_variant_access when the value is not one.
  const object& as_object() const { return *std::get<std::shared_ptr<object>>(v); }
  /// The array; throws std::bad_variant_access when the value is not one.
  const array& as_array() const { return *std::get<std::shared_ptr<array>>(v); }
  /// The kind's JSON name ("null", "boolean", "number", "string", "array", "object"), for error messages.
  const char* type_name() const {
    static constexpr const char* names[] = {"null", "boolean", "number", "string", "array", "object"};
    return names[v.index()];
  }
};

/// Thrown for malformed JSON; what() is "json: offset N: reason".
struct parse_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Parses a complete JSON document; throws parse_error.
value parse(std::string_view text);

namespace detail {

// Length of the valid UTF-8 sequence starting at s[i] (a byte >= 0x80), 0 if it is not one
// (stray continuation byte, overlong form, surrogate, beyond U+10FFFF, cut short).
inline std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  const unsigned c = at(0);
  const auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    const unsigned b = at(k);
    return b >= lo && b <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

}  // namespace detail

/// Appends s as a JSON string literal (quotes included). The one JSON string writer of the
/// project (reports, manifests, writers, rejects). Valid UTF-8 passes through; each byte that is
/// not part of a valid UTF-8 sequence (a file name that is not UTF-8, say) becomes U+FFFD, so the
/// output is always valid JSON. (A "\u00XX" escape of the byte would read as a different, valid
/// character; U+FFFD says honestly that something was not text. Where the exact bytes matter,
/// the rejects file keeps them as raw_base64.)
void append_quoted(std::string& out, std::string_view s);

/// One member of a JSON object as check_grammar lists it: the key (unescaped) and the value's
/// text exactly as written (a view into the checked text).
struct member_text {
  std::string key;  ///< the member's name, unescaped
  std::string_view value;  ///< the value's text as written: a view into the checked text (valid while it is)
};

/// Checks text against the JSON grammar without converting numbers (numbers of any size and
/// exponent are valid JSON); UTF-8 is not checked. Returns the reason it is not JSON, empty when
/// it is. With members, the text must be an object and its top-level members are appended in
/// order (duplicate keys included: the caller picks, millrace takes the last).
std::string check_grammar(std::string_view text, std::vector<member_text>* members = nullptr);

/// s as a JSON string literal (quotes included).
std::string quote(std::string_view s);

}  // namespace millrace::json

#if MILLRACE_HEADER_ONLY
#include <millrace/core/detail/json_value_impl.hpp>
#endif

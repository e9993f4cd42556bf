// millrace/core/module.hpp — modules with named, printable, loadable parameters (PyTorch / DSPy
// style). A module is a struct with forward() returning a chain, and parameters() listing its
// tunables by reference (declared with mr::param, core/param.hpp); nested modules nest in the config.
//   struct Clean {
//     std::size_t min_chars = 200;  double max_digit_ratio = 0.3;
//     auto parameters() { return mr::params(mr::param("min_chars", min_chars, "shortest kept text"),
//                                           mr::param("max_digit_ratio", max_digit_ratio)); }
//     auto forward() const { return mr::filter([n = min_chars](const Doc& d) { return d.text.size() >= n; }); }
//   };
//   Clean c;  mr::load_config(c, R"({"min_chars": 500})");  fmt::print("{}", mr::describe(c));
#pragma once

#include <cmath>
#include <concepts>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <initializer_list>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <millrace/core/json_value.hpp>
#include <millrace/core/param.hpp>

namespace millrace {

/// Thrown by load_config for unknown keys and values of the wrong type; names the parameter path.
class config_error : public std::runtime_error {
 public:
  /// A problem with the config as a whole (path() empty).
  explicit config_error(const std::string& what) : std::runtime_error(what) {}
  /// A problem with one parameter: the message names it, path() gives it ("near.threshold").
  config_error(const std::string& what, std::string path) : std::runtime_error(what), path_(std::move(path)) {}
  /// The parameter's path, nested names joined by '.' ("" when the error is not about one parameter).
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

namespace detail {

template <class M>
void load_object(M& m, const json::object& obj, const std::string& prefix);

template <class T>
std::string param_value_json(const T& v) {
  if constexpr (std::is_same_v<T, bool>)
    return v ? "true" : "false";
  else if constexpr (std::is_arithmetic_v<T>)
    return fmt::format("{}", v);
  else if constexpr (std::is_convertible_v<const T&, std::string_view>)
    return json::quote(std::string_view(v));
  else if constexpr (string_like_param<T>)
    return json::quote(v.string());
  else
    static_assert(sizeof(T) == 0, "millrace: parameter type must be bool, a number, std::string, a path, an enum named with "
                                  "one_of, a module or std::optional of a module");
}

// An enum parameter's name for v (one_of's list); a value with no name is a logic error naming the parameter.
template <class T>
std::string_view enum_name(const param_ref<T>& p, T v) {
  for (std::size_t i = 0; i < p.named.size(); ++i)
    if (p.named[i] == v) return p.choices[i];
  throw std::logic_error(fmt::format("millrace: enum parameter '{}' has no name for value {} (declare it with "
                                     "one_of({{{{\"name\", value}}, ...}}))",
                                     p.name, static_cast<long long>(v)));
}

// The value of any non-module parameter as JSON text (enums by name).
template <class T>
std::string param_json(const param_ref<T>& p) {
  if constexpr (std::is_enum_v<T>)
    return json::quote(enum_name(p, *p.value));
  else
    return param_value_json(*p.value);
}

// "[0, 1]", "(0, 1]", "one of word, char", or "" when the parameter has no limits.
template <class T>
std::string param_limits(const param_ref<T>& p) {
  std::string limits;
  if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
    if (std::isfinite(p.min) || std::isfinite(p.max)) limits = fmt::format("{}{}, {}]", p.min_open ? '(' : '[', p.min, p.max);
  } else if constexpr (std::is_convertible_v<const T&, std::string_view> || std::is_enum_v<T>) {
    for (auto c : p.choices) limits += (limits.empty() ? "one of " : ", ") + std::string(c);
  }
  return limits;
}

template <class T>
void set_param(T& target, const json::value& v, const std::string& path) {
  auto wrong = [&](const char* want) {
    return config_error(fmt::format("config: parameter '{}' expects {}, got {}", path, want, v.type_name()), path);
  };
  if constexpr (has_parameters<T>) {
    if (!v.is_object()) throw wrong("an object");
    load_object(target, v.as_object(), path + ".");
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_bool()) throw wrong("a boolean");
    target = std::get<bool>(v.v);
  } else if constexpr (std::is_integral_v<T>) {
    if (!v.is_number()) throw wrong("an integer");
    const double d = std::get<double>(v.v);
    // 2^digits is exact as a double while max() is not (it rounds up to 2^digits): compare with it.
    const double bound = std::ldexp(1.0, std::numeric_limits<T>::digits);
    if (d != std::floor(d) || d >= bound || d < (std::is_signed_v<T> ? -bound : 0.0))
      throw config_error(fmt::format("config: parameter '{}' expects an integer in range, got {}", path, d), path);
    target = static_cast<T>(d);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!v.is_number()) throw wrong("a number");
    const double d = std::get<double>(v.v);
    // 1e400 parses as infinity; a config holding it could not be written back as JSON.
    if (!std::isfinite(d) || (std::is_same_v<T, float> && std::abs(d) > double(std::numeric_limits<float>::max())))
      throw config_error(fmt::format("config: parameter '{}' expects a finite number in range, got {}", path, d), path);
    target = static_cast<T>(d);
  } else {
    if (!v.is_string()) throw wrong("a string");
    target = T(std::get<std::string>(v.v));
  }
}

// The checks a param_ref carries: a value outside them is an error naming the parameter.
template <class T>
void check_param(const param_ref<T>& p, const T& v, const std::string& path) {
  if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
    if (double(v) < p.min || double(v) > p.max || (p.min_open && double(v) == p.min))
      throw config_error(fmt::format("config: parameter '{}' must be in {}, got {}", path, param_limits(p), v), path);
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    if (p.choices.empty()) return;
    for (auto c : p.choices)
      if (c == std::string_view(v)) return;
    std::string list;
    for (auto c : p.choices) list += (list.empty() ? "" : ", ") + std::string(c);
    throw config_error(fmt::format("config: parameter '{}' must be one of {}, got {}", path, list, json::quote(std::string_view(v))), path);
  }
}

// Sets one parameter: a module in place, an optional module from null (unset) or an object (set,
// starting from its defaults when unset), an enum from its name, a value through a copy that must
// pass check_param first.
template <class T>
void load_param(const param_ref<T>& p, const json::value& val, const std::string& path) {
  if constexpr (has_parameters<T>) {
    set_param(*p.value, val, path);
  } else if constexpr (is_optional<T>::value) {
    static_assert(has_parameters<typename T::value_type>, "millrace: a std::optional parameter must hold a module");
    if (val.is_null()) {
      p.value->reset();
      return;
    }
    if (!val.is_object())
      throw config_error(fmt::format("config: parameter '{}' expects an object or null, got {}", path, val.type_name()), path);
    typename T::value_type m = p.value->value_or(typename T::value_type{});
    set_param(m, val, path);
    *p.value = std::move(m);
  } else if constexpr (std::is_enum_v<T>) {
    if (!val.is_string())
      throw config_error(fmt::format("config: parameter '{}' expects a string ({}), got {}", path, param_limits(p), val.type_name()), path);
    const auto& name = std::get<std::string>(val.v);
    for (std::size_t i = 0; i < p.choices.size(); ++i)
      if (p.choices[i] == name) {
        *p.value = p.named[i];
        return;
      }
    throw config_error(fmt::format("config: parameter '{}' must be {}, got {}", path,
                                   p.choices.empty() ? std::string("named (one_of)") : param_limits(p), json::quote(name)), path);
  } else {
    T v = *p.value;
    set_param(v, val, path);
    check_param(p, v, path);
    *p.value = std::move(v);
  }
}

template <class M>
void load_object(M& m, const json::object& obj, const std::string& prefix) {
  auto list = m.parameters();
  for (const auto& entry : obj) {
    const std::string& key = entry.first;  // (clang 14 cannot capture structured bindings)
    const json::value& val = entry.second;
    bool found = false;
    std::apply([&](auto&... p) { ((p.name == key ? (load_param(p, val, prefix + key), found = true) : false), ...); },
               list.items);
    if (!found) {
      std::string known;
      std::apply([&](auto&... p) { ((known += (known.empty() ? "" : ", ") + std::string(p.name)), ...); }, list.items);
      throw config_error(fmt::format("config: unknown parameter '{}{}' (known: {})", prefix, key, known), prefix + key);
    }
  }
}

// The one walk over a module's parameters: on_leaf(path, param_ref) for every parameter that is
// not a module, nested ones by their dotted path ("lsh.bands"); on_unset(path, param_ref) for an
// optional module that holds no value (a set one is walked like a nested module).
template <class M, class Leaf, class Unset>
void walk_parameters(M& m, const std::string& prefix, Leaf& on_leaf, Unset& on_unset) {
  auto list = m.parameters();
  std::apply(
      [&](auto&... p) {
        (([&] {
           using T = std::remove_pointer_t<decltype(p.value)>;
           const std::string path = prefix + std::string(p.name);
           if constexpr (has_parameters<T>) {
             walk_parameters(*p.value, path + ".", on_leaf, on_unset);
           } else if constexpr (is_optional<T>::value) {
             if (*p.value) walk_parameters(**p.value, path + ".", on_leaf, on_unset);
             else on_unset(path, p);
           } else {
             on_leaf(path, p);
           }
         }()),
         ...);
      },
      list.items);
}

// Calls f(path, param_ref) for every parameter that is not a module; an unset optional module is
// walked on a default value (f must not keep the reference).
template <class M, class F>
void for_each_leaf(M& m, const std::string& prefix, F&& f) {
  auto unset = [&](const std::string& path, auto& p) {
    using T = std::remove_pointer_t<decltype(p.value)>;
    typename T::value_type shown{};
    for_each_leaf(shown, path + ".", f);
  };
  walk_parameters(m, prefix, f, unset);
}

// Sets the one parameter at a dotted path ("lsh.bands") as load_config would from {"lsh": {"bands": v}}.
template <class M>
void load_path(M& m, std::string_view path, json::value v) {
  std::vector<std::string> keys;
  for (std::size_t start = 0;;) {
    const auto dot = path.find('.', start);
    keys.emplace_back(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  for (std::size_t k = keys.size(); k-- > 1;) {
    auto obj = std::make_shared<json::object>();
    obj->emplace(keys[k], std::move(v));
    v = json::value{std::move(obj)};
  }
  json::object top;
  top.emplace(keys[0], std::move(v));
  load_object(m, top, "");
}

// One "path = value  # doc limits" line.
inline void describe_line(std::string& out, const std::string& path, const std::string& value, std::string_view doc,
                          const std::string& limits) {
  out += fmt::format("{} = {}", path, value);
  if (!doc.empty() || !limits.empty())
    out += fmt::format("  # {}{}{}", doc, !doc.empty() && !limits.empty() ? " " : "", limits);
  out += '\n';
}

template <class M>
void describe_into(M& m, const std::string& prefix, std::string& out) {
  auto leaf = [&](const std::string& path, auto& p) { describe_line(out, path, param_json(p), p.doc, param_limits(p)); };
  auto unset = [&](const std::string& path, auto& p) { describe_line(out, path, "null", p.doc, ""); };
  walk_parameters(m, prefix, leaf, unset);
}

template <class M>
std::string config_json_of(M& m) {
  std::string out = "{";
  bool first = true;
  auto list = m.parameters();
  std::apply(
      [&](auto&... p) {
        (([&] {
           using T = std::remove_pointer_t<decltype(p.value)>;
           out += first ? "" : ", ";
           first = false;
           out += json::quote(p.name) + ": ";
           if constexpr (has_parameters<T>)
             out += config_json_of(*p.value);
           else if constexpr (is_optional<T>::value)
             out += *p.value ? config_json_of(**p.value) : std::string("null");
           else
             out += param_json(p);
         }()),
         ...);
      },
      list.items);
  return out + "}";
}

}  // namespace detail

/// One line per parameter: "path = value  # doc".
template <has_parameters M>
std::string describe(M& m) {
  std::string out;
  detail::describe_into(m, "", out);
  return out;
}

/// The parameters as a JSON object (load_config reads it back).
template <has_parameters M>
std::string config_json(M& m) {
  return detail::config_json_of(m);
}

/// Sets parameters from a JSON object; keys not given keep their values. Throws config_error
/// (unknown key, wrong type) or json::parse_error.
template <has_parameters M>
void load_config(M& m, std::string_view json_text) {
  const json::value v = json::parse(json_text);
  if (!v.is_object()) throw config_error("config: the top level must be a JSON object");
  detail::load_object(m, v.as_object(), "");
}

}  // namespace millrace

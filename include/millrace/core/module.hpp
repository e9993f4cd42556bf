// millrace/core/module.hpp — modules with named, printable, loadable parameters (PyTorch / DSPy
// style). A module is a struct with forward() returning a chain, and parameters() listing its
// tunables by reference; nested modules nest in the config.
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
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <initializer_list>
#include <vector>

#include <fmt/format.h>

#include <millrace/core/json_value.hpp>

namespace millrace {

/// A named reference to one tunable member, with optional checks that load_config applies before
/// it assigns (the error names the parameter):
///   mr::param("ngram", ngram, "shingle size").range(1, 64)
///   mr::param("mode", mode, "cycle or chain").one_of({"cycle", "chain"})
template <class T>
struct param_ref {
  std::string_view name;
  T* value = nullptr;
  std::string_view doc;
  double min = -std::numeric_limits<double>::infinity();  ///< numbers: the closed range allowed
  double max = std::numeric_limits<double>::infinity();
  std::vector<std::string_view> choices;  ///< strings: the values allowed (empty: any)

  param_ref range(double lo, double hi) const {
    static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, "millrace: param(...).range() is for numbers");
    param_ref r = *this;
    r.min = lo;
    r.max = hi;
    return r;
  }
  param_ref one_of(std::initializer_list<std::string_view> allowed) const {
    static_assert(std::is_convertible_v<const T&, std::string_view>, "millrace: param(...).one_of() is for strings");
    param_ref r = *this;
    r.choices.assign(allowed.begin(), allowed.end());
    return r;
  }
};

/// Declares a module parameter bound to `value`, with its doc; chain .range(lo, hi) or .one_of({...}) to limit it.
template <class T>
param_ref<T> param(std::string_view name, T& value, std::string_view doc = {}) {
  param_ref<T> p;
  p.name = name;
  p.value = &value;
  p.doc = doc;
  return p;
}

/// The parameters a module's parameters() returns (a tuple of param_ref, nested modules included).
template <class... Ps>
struct param_list {
  std::tuple<Ps...> items;
};

/// mr::params(mr::param(...), ...): what a module's parameters() returns.
template <class... Ps>
param_list<Ps...> params(Ps... ps) {
  return {std::make_tuple(ps...)};
}

/// A module: a type with parameters() (see mr::param), configurable from JSON.
template <class M>
concept has_parameters = requires(M& m) { m.parameters(); };

/// Thrown by load_config for unknown keys and values of the wrong type; names the parameter path.
struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
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
  else
    static_assert(sizeof(T) == 0, "millrace: parameter type must be bool, a number, std::string or a module");
}

template <class T>
void set_param(T& target, const json::value& v, const std::string& path) {
  auto wrong = [&](const char* want) {
    return config_error(fmt::format("config: parameter '{}' expects {}, got {}", path, want, v.type_name()));
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
      throw config_error(fmt::format("config: parameter '{}' expects an integer in range, got {}", path, d));
    target = static_cast<T>(d);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!v.is_number()) throw wrong("a number");
    const double d = std::get<double>(v.v);
    // 1e400 parses as infinity; a config holding it could not be written back as JSON.
    if (!std::isfinite(d) || (std::is_same_v<T, float> && std::abs(d) > double(std::numeric_limits<float>::max())))
      throw config_error(fmt::format("config: parameter '{}' expects a finite number in range, got {}", path, d));
    target = static_cast<T>(d);
  } else {
    if (!v.is_string()) throw wrong("a string");
    target = std::get<std::string>(v.v);
  }
}

// The checks a param_ref carries: a value outside them is an error naming the parameter.
template <class T>
void check_param(const param_ref<T>& p, const T& v, const std::string& path) {
  if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
    if (double(v) < p.min || double(v) > p.max)
      throw config_error(fmt::format("config: parameter '{}' must be in [{}, {}], got {}", path, p.min, p.max, v));
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    if (p.choices.empty()) return;
    for (auto c : p.choices)
      if (c == std::string_view(v)) return;
    std::string list;
    for (auto c : p.choices) list += (list.empty() ? "" : ", ") + std::string(c);
    throw config_error(fmt::format("config: parameter '{}' must be one of {}, got {}", path, list, json::quote(std::string_view(v))));
  }
}

// Sets one parameter: a module in place, a value through a copy that must pass check_param first.
template <class T>
void load_param(const param_ref<T>& p, const json::value& val, const std::string& path) {
  if constexpr (has_parameters<T>) {
    set_param(*p.value, val, path);
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
      throw config_error(fmt::format("config: unknown parameter '{}{}' (known: {})", prefix, key, known));
    }
  }
}

template <class M>
void describe_into(M& m, const std::string& prefix, std::string& out) {
  auto list = m.parameters();
  std::apply(
      [&](auto&... p) {
        (([&] {
           using T = std::remove_pointer_t<decltype(p.value)>;
           if constexpr (has_parameters<T>) {
             describe_into(*p.value, prefix + std::string(p.name) + ".", out);
           } else {
             out += fmt::format("{}{} = {}", prefix, p.name, param_value_json(*p.value));
             std::string limits;
             if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
               if (std::isfinite(p.min) || std::isfinite(p.max)) limits = fmt::format("[{}, {}]", p.min, p.max);
             } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
               for (auto c : p.choices) limits += (limits.empty() ? "one of " : ", ") + std::string(c);
             }
             if (!p.doc.empty() || !limits.empty())
               out += fmt::format("  # {}{}{}", p.doc, !p.doc.empty() && !limits.empty() ? " " : "", limits);
             out += '\n';
           }
         }()),
         ...);
      },
      list.items);
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
           else
             out += param_value_json(*p.value);
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

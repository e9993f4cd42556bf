// millrace/core/param.hpp — declaring a module's parameters: mr::param (a named reference to one
// member, with its doc, range or choices) and mr::params (what parameters() returns). Light on
// purpose: options structs include it to declare their parameters; core/module.hpp loads, prints
// and checks them (load_config, describe, config_json), millrace/cli/parameters.hpp makes flags.
//   struct shingles { std::size_t ngram = 5;
//     auto parameters() { return mr::params(mr::param("ngram", ngram, "words per shingle").range(1, 64)); } };
#pragma once

#include <concepts>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace millrace {

namespace detail {
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
// A path-like value (std::filesystem::path) without including <filesystem>: built from a string, read back by .string().
template <class T>
concept string_like_param = !std::is_convertible_v<const T&, std::string_view> && std::constructible_from<T, std::string> &&
                            requires(const T& t) { { t.string() } -> std::convertible_to<std::string>; };
}  // namespace detail

/// A named reference to one tunable member, with optional checks that load_config applies before
/// it assigns (the error names the parameter). Parameter types: bool, numbers, std::string (or a
/// path), enums named with one_of, modules (nested in the config), std::optional of a module (null
/// when unset):
///   mr::param("ngram", ngram, "shingle size").range(1, 64)
///   mr::param("threshold", threshold, "Jaccard").range(0, 1).exclusive_min()   // (0, 1]
///   mr::param("mode", mode, "cycle or chain").one_of({"cycle", "chain"})
///   mr::param("shingle", kind, "n-gram unit").one_of({{"word", kind::word}, {"char", kind::character}})
template <class T>
struct param_ref {
  std::string_view name;  ///< the key in the config and the flag's path (a view: usually a literal)
  T* value = nullptr;  ///< the member it binds to, not owned (set by mr::param)
  std::string_view doc;  ///< help text for describe() and --help (a view, like name)
  double min = -std::numeric_limits<double>::infinity();  ///< numbers: the range allowed (closed unless min_open)
  double max = std::numeric_limits<double>::infinity();  ///< numbers: the upper bound, always included
  bool min_open = false;                  ///< numbers: min itself is not allowed
  std::vector<std::string_view> choices;  ///< strings: the values allowed (empty: any); enums: the names of `named`
  /// Enums: the value of each name in choices, in the same order.
  std::conditional_t<std::is_enum_v<T>, std::vector<T>, std::tuple<>> named{};

  /// Limits a number to [lo, hi] (with exclusive_min(): (lo, hi]).
  param_ref range(double lo, double hi) const {
    static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, "millrace: param(...).range() is for numbers");
    param_ref r = *this;
    r.min = lo;
    r.max = hi;
    return r;
  }
  /// Makes the range's lower bound exclusive: .range(0, 1).exclusive_min() is (0, 1].
  param_ref exclusive_min() const {
    static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, "millrace: param(...).exclusive_min() is for numbers");
    param_ref r = *this;
    r.min_open = true;
    return r;
  }
  /// Limits a string to the values listed.
  param_ref one_of(std::initializer_list<std::string_view> allowed) const {
    static_assert(std::is_convertible_v<const T&, std::string_view>, "millrace: param(...).one_of({\"a\", \"b\"}) is for strings; "
                                                                     "an enum names its values: one_of({{\"a\", E::a}, ...})");
    param_ref r = *this;
    r.choices.assign(allowed.begin(), allowed.end());
    return r;
  }
  /// Names an enum's values: the config holds the name (a string), e.g. one_of({{"word", kind::word}, {"char", kind::character}}).
  template <class E = T>
    requires std::is_enum_v<E>
  param_ref one_of(std::initializer_list<std::pair<std::string_view, E>> names) const {
    param_ref r = *this;
    r.choices.clear();
    r.named.clear();
    for (const auto& [n, v] : names) {
      r.choices.push_back(n);
      r.named.push_back(v);
    }
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
  std::tuple<Ps...> items;  ///< one param_ref per parameter (nested modules included), in declaration order
};

/// mr::params(mr::param(...), ...): what a module's parameters() returns.
template <class... Ps>
param_list<Ps...> params(Ps... ps) {
  return {std::make_tuple(ps...)};
}

/// A module: a type with parameters() (see mr::param), configurable from JSON.
template <class M>
concept has_parameters = requires(M& m) { m.parameters(); };

}  // namespace millrace

// millrace/tune/search_space.hpp — the values mr::tune may try for a module: every parameter
// declared with a finite .range(lo, hi) (integer or real) or .one_of({...}), nested modules
// included (paths "inner.name"), and booleans when asked for by name.
//   for (const auto& d : mr::search_space_of(module)) fmt::print("{}\n", d.describe());
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include <millrace/core/random.hpp>
#include <millrace/core/json_value.hpp>
#include <millrace/core/module.hpp>

namespace millrace {

/// One searchable parameter: its path in the config and the values it may take.
struct search_dimension {
  /// How values are drawn: an integer or a real in [lo, hi], or one of `choices`.
  enum class kind { integer, real, choice };
  std::string path;                 ///< "threshold", or "inner.ngram" for a nested module
  kind type = kind::real;           ///< which of lo/hi or choices holds the values
  double lo = 0, hi = 0;            ///< integer / real: the closed range declared next to the parameter
  std::vector<std::string> choices; ///< choice: the values as JSON text ("\"cycle\"", "true")
  std::string current;              ///< the module's value when the space was read, as JSON text
  bool lo_open = false;             ///< real: lo itself is excluded, (lo, hi] (a parameter's exclusive_min())

  /// "ngram: integer in [1, 8]", "mode: one of \"cycle\", \"chain\"".
  std::string describe() const {
    if (type == kind::integer) return fmt::format("{}: integer in [{}, {}]", path, lo, hi);
    if (type == kind::real) return fmt::format("{}: real in {}{}, {}]", path, lo_open ? '(' : '[', lo, hi);
    std::string s = path + ": one of ";
    for (std::size_t i = 0; i < choices.size(); ++i) s += (i ? ", " : "") + choices[i];
    return s;
  }

  /// A value drawn uniformly (reals to 4 significant digits, kept in range), as JSON text.
  std::string draw(millrace::splitmix64& r) const {
    if (type == kind::choice) return choices[r.below(choices.size())];
    if (type == kind::integer) {
      const double span = hi - lo + 1;
      return fmt::format("{}", static_cast<std::int64_t>(lo) + static_cast<std::int64_t>(r.below(static_cast<std::size_t>(span))));
    }
    // Short values read better in the trial table and the config; rounding may leave the range.
    // An excluded lo (drawn, or rounded to) is drawn again: load_config would refuse it.
    auto draw_real = [&] { return std::fmin(hi, std::fmax(lo, std::stod(fmt::format("{:.4g}", lo + r.uniform() * (hi - lo))))); };
    double x = draw_real();
    for (int attempt = 1; lo_open && x <= lo && attempt < 64; ++attempt) x = draw_real();
    if (lo_open && x <= lo) x = hi;  // (a range too narrow for 4 digits: its one allowed end)
    return fmt::format("{}", x);
  }

  /// {"a": {"b": value}} for path "a.b": what load_config reads to set this one parameter.
  std::string config_with(const std::string& value_json) const {
    std::string open, close;
    std::string_view rest = path;
    for (;;) {
      const auto dot = rest.find('.');
      // Appends, not "{" + ...: g++ 12 reports a bogus -Wrestrict on the latter (PR 105329).
      open += '{';
      json::append_quoted(open, rest.substr(0, dot));
      open += ": ";
      close += '}';
      if (dot == std::string_view::npos) break;
      rest.remove_prefix(dot + 1);
    }
    open += value_json;
    open += close;
    return open;
  }
};

/// A narrower range to search for one numeric parameter than the one it declares (the declared
/// range is what a config may hold; this one is where a search looks): {"threshold", 0.3, 0.95}.
struct search_range {
  std::string path;  ///< as in search_dimension::path
  double lo = 0, hi = 0;  ///< closed; must lie inside the declared range
};

namespace detail {

template <class M>
void collect_dimensions(M& m, const std::string& prefix, const std::vector<std::string>& only,
                        std::vector<search_dimension>& out) {
  auto named = [&](const std::string& path) {
    for (const auto& o : only)
      if (o == path) return true;
    return false;
  };
  auto leaf = [&](const std::string& path, auto& p) {
    using T = std::remove_pointer_t<decltype(p.value)>;
    if (!only.empty() && !named(path)) return;
    search_dimension d;
    d.path = path;
    d.current = param_json(p);
    if constexpr (std::is_enum_v<T>) {
      if (p.choices.empty()) return;
      d.type = search_dimension::kind::choice;
      for (auto c : p.choices) d.choices.push_back(json::quote(c));
    } else if constexpr (std::is_same_v<T, bool>) {
      if (!named(path)) return;  // a switch is searched only when asked for by name
      d.type = search_dimension::kind::choice;
      d.choices = {"false", "true"};
    } else if constexpr (std::is_arithmetic_v<T>) {
      if (!std::isfinite(p.min) || !std::isfinite(p.max)) return;
      d.type = std::is_integral_v<T> ? search_dimension::kind::integer : search_dimension::kind::real;
      d.lo = std::is_integral_v<T> ? (p.min_open ? std::floor(p.min) + 1 : std::ceil(p.min)) : p.min;
      d.hi = std::is_integral_v<T> ? std::floor(p.max) : p.max;
      d.lo_open = !std::is_integral_v<T> && p.min_open;
      if (d.lo > d.hi) return;
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      if (p.choices.empty()) return;
      d.type = search_dimension::kind::choice;
      for (auto c : p.choices) d.choices.push_back(json::quote(c));
    } else {
      return;
    }
    out.push_back(std::move(d));
  };
  auto unset = [](const std::string&, auto&) {};  // an unset optional module is not searched
  walk_parameters(m, prefix, leaf, unset);
}

}  // namespace detail

/// The module's searchable parameters, in declaration order. With `only` non-empty, just those
/// paths (a boolean is searched only when named there); a named path that cannot be searched
/// (no finite range, no choices, unknown) is a config_error naming it.
/// `ranges` narrows numeric dimensions (a range outside the declared one, or for a path not searched,
/// is a config_error naming it).
template <has_parameters M>
std::vector<search_dimension> search_space_of(M module, const std::vector<std::string>& only = {},
                                              const std::vector<search_range>& ranges = {}) {
  std::vector<search_dimension> dims;
  detail::collect_dimensions(module, "", only, dims);
  for (const auto& o : only) {
    bool found = false;
    for (const auto& d : dims) found = found || d.path == o;
    if (!found)
      throw config_error(fmt::format(
          "tune: parameter '{}' cannot be searched (unknown, or declared without .range(lo, hi) or .one_of({{...}}))", o));
  }
  for (const auto& r : ranges) {
    search_dimension* dim = nullptr;
    for (auto& d : dims)
      if (d.path == r.path) dim = &d;
    if (!dim || dim->type == search_dimension::kind::choice)
      throw config_error(fmt::format("tune: range for '{}': not a numeric parameter that is searched", r.path));
    const bool integer = dim->type == search_dimension::kind::integer;
    const double lo = integer ? std::ceil(r.lo) : r.lo, hi = integer ? std::floor(r.hi) : r.hi;
    if (!(lo >= dim->lo && hi <= dim->hi && lo <= hi))
      throw config_error(fmt::format("tune: range for '{}' [{}, {}] is not inside its declared range [{}, {}]", r.path, r.lo,
                                     r.hi, dim->lo, dim->hi));
    dim->lo_open = dim->lo_open && lo == dim->lo;  // a narrower range is closed at its own lo
    dim->lo = lo;
    dim->hi = hi;
  }
  return dims;
}

}  // namespace millrace

// millrace/recipe/registry.hpp — the operator registry: the single list of what a recipe can
// name. Each entry has a name, a doc line, typed parameters (default, doc, range or choices) and
// a factory that builds the operator on recipe::document records; C++ users add their own.
//   auto reg = mr::recipe::builtin_registry();   // recipe/builtin.hpp
//   reg.add({.name = "shout", .doc = "upper-cases the text", .build = [](const mr::recipe::param_values&, const mr::recipe::step_context&) {
//     return mr::recipe::make_step(mr::map([](mr::recipe::document d) { for (auto& c : d.text) c = char(std::toupper(c)); return d; }, "shout")); }});
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <millrace/core/json_value.hpp>
#include <millrace/filters/filter_result.hpp>
#include <millrace/recipe/detail/erased.hpp>
#include <millrace/recipe/document.hpp>

namespace millrace::recipe {

class exclusion_writer;  // recipe/exclusions.hpp

/// The type of one operator parameter as a recipe writes it.
enum class param_type {
  boolean,      ///< true / false
  integer,      ///< a whole number (YAML 12, JSON 12)
  number,       ///< any finite number
  string,       ///< text
  string_list,  ///< a list of strings (YAML [a, b] or a block list; JSON ["a", "b"])
};

/// "boolean", "integer", ... (messages and --explain).
inline const char* type_name(param_type t) {
  static constexpr const char* names[] = {"boolean", "integer", "number", "string", "list of strings"};
  return names[static_cast<int>(t)];
}

/// One parameter of an operator: its name, type, default, doc and the values allowed.
struct param_spec {
  std::string name;                       ///< the key a recipe writes in the step's parameter map
  param_type type = param_type::number;   ///< the kind of value the recipe must give
  json::value default_value{};  ///< null: unset (only with nullable: the test is off)
  std::string doc{};            ///< one line for --explain and "parameter is required" errors
  double min = -std::numeric_limits<double>::infinity();  ///< numbers: the closed range allowed
  double max = std::numeric_limits<double>::infinity();   ///< numbers: upper end of that range
  std::vector<std::string> choices{};  ///< strings: the values allowed (empty: any)
  bool nullable = false;               ///< null (YAML ~ or null, JSON null) switches the test off
  bool required = false;               ///< a recipe must give it (no default)
  // (last: the members above are set by position in the registry's lists)
  bool min_exclusive = false;          ///< numbers: min itself is not allowed, the range is (min, max]

  /// The closed range [lo, hi] a number must lie in.
  param_spec range(double lo, double hi) && {
    min = lo, max = hi;
    return std::move(*this);
  }
  /// Excludes the range's lower end: (lo, hi] (a threshold of 0 means nothing).
  param_spec exclusive_min() && {
    min_exclusive = true;
    return std::move(*this);
  }
  /// The values a string may take.
  param_spec one_of(std::vector<std::string> allowed) && {
    choices = std::move(allowed);
    return std::move(*this);
  }
  /// Null is allowed and means "off".
  param_spec or_null() && {
    nullable = true;
    return std::move(*this);
  }
};

/// A boolean parameter with its default.
inline param_spec flag_param(std::string name, bool def, std::string doc) {
  return {std::move(name), param_type::boolean, json::value{def}, std::move(doc)};
}
/// An integer parameter; std::nullopt as default makes it nullable and unset.
inline param_spec int_param(std::string name, std::optional<double> def, std::string doc) {
  param_spec p{std::move(name), param_type::integer, def ? json::value{*def} : json::value{}, std::move(doc)};
  p.nullable = !def;
  return p;
}
/// A number parameter; std::nullopt as default makes it nullable and unset.
inline param_spec number_param(std::string name, std::optional<double> def, std::string doc) {
  param_spec p{std::move(name), param_type::number, def ? json::value{*def} : json::value{}, std::move(doc)};
  p.nullable = !def;
  return p;
}
/// A string parameter with its default.
inline param_spec string_param(std::string name, std::string def, std::string doc) {
  return {std::move(name), param_type::string, json::value{std::move(def)}, std::move(doc)};
}
/// A list-of-strings parameter with its default.
inline param_spec strings_param(std::string name, std::vector<std::string> def, std::string doc) {
  auto arr = std::make_shared<json::array>();
  for (auto& s : def) arr->push_back(json::value{std::move(s)});
  return {std::move(name), param_type::string_list, json::value{std::move(arr)}, std::move(doc)};
}

/// Thrown for a parameter a factory reads but its entry does not declare (a registry bug).
struct registry_error : std::logic_error {
  using std::logic_error::logic_error;
};

/// The resolved parameters of one step: every declared parameter has a value (given or default),
/// already checked against its spec. Factories read them by name.
class param_values {
 public:
  /// Sets a parameter's value (the recipe compiler does, after checking it).
  void set(std::string name, json::value v) {
    for (auto& [n, old] : values_)
      if (n == name) {
        old = std::move(v);
        return;
      }
    values_.emplace_back(std::move(name), std::move(v));
  }
  /// The value as given or defaulted (null: unset).
  const json::value& get(std::string_view name) const {
    for (auto& [n, v] : values_)
      if (n == name) return v;
    throw registry_error(fmt::format("recipe: operator reads undeclared parameter '{}'", name));
  }
  /// False when the parameter is null (a test switched off).
  bool is_set(std::string_view name) const { return !get(name).is_null(); }
  /// A boolean parameter (these typed getters throw std::bad_variant_access when the value is
  /// null or of another type: use is_set() / optional_* for nullable parameters).
  bool flag(std::string_view name) const { return std::get<bool>(get(name).v); }
  /// A number (or integer) parameter.
  double number(std::string_view name) const { return std::get<double>(get(name).v); }
  /// An integer parameter.
  std::int64_t integer(std::string_view name) const { return static_cast<std::int64_t>(number(name)); }
  /// A count parameter (the number cast to std::size_t).
  std::size_t size(std::string_view name) const { return static_cast<std::size_t>(number(name)); }
  /// A string parameter.
  const std::string& string(std::string_view name) const { return std::get<std::string>(get(name).v); }
  /// A list-of-strings parameter, copied.
  std::vector<std::string> strings(std::string_view name) const {
    std::vector<std::string> out;
    for (auto& e : get(name).as_array()) out.push_back(std::get<std::string>(e.v));
    return out;
  }
  /// A nullable number: std::nullopt when null.
  std::optional<double> optional_number(std::string_view name) const {
    if (!is_set(name)) return std::nullopt;
    return number(name);
  }
  /// A nullable count: std::nullopt when null.
  std::optional<std::size_t> optional_size(std::string_view name) const {
    if (!is_set(name)) return std::nullopt;
    return size(name);
  }
  /// (name, value) in declaration order (--dry-run prints them).
  const std::vector<std::pair<std::string, json::value>>& items() const { return values_; }

 private:
  std::vector<std::pair<std::string, json::value>> values_;
};

/// What a factory may use from the recipe around its step.
struct step_context {
  std::string text_field = "text";        ///< the JSON field that is document::text
  std::string step_name;                  ///< the step's name in the run report (default: the operator's)
  filters::filter_tally* tally = nullptr; ///< per-filter counts of the run (the report prints them)
  std::size_t threads = 0;                ///< the run's thread count (0: all cores)
  /// The recipe's exclusion output (null without `exclusions`): a step that drops records writes
  /// each one there with its step name and reason (recipe/step_exclusions.hpp helps).
  std::shared_ptr<exclusion_writer> exclusions{};
};

/// What a recipe step is: a reader (the source), a transform (document -> document) or a writer.
enum class op_kind { reader, transform, writer };

/// A built step: `source` for a reader, `lower` for transforms and writers.
struct built_step {
  detail::source_fn source{};   ///< reader: builds the pipeline's source (empty for other kinds)
  detail::lower_fn lower{};     ///< transform / writer: adds its stages to the plan (empty for readers)
  /// Set by make_quality_step: the step's filters, which recipe::build may fuse with adjacent ones.
  std::shared_ptr<const detail::fusable_filters> fusable{};
};

/// One registered operator.
struct op_entry {
  std::string name;                    ///< what a recipe writes to use it (unique in a registry)
  std::string doc;                     ///< one line for --list-ops and --explain
  op_kind kind = op_kind::transform;   ///< where in a recipe it may stand
  std::vector<param_spec> params{};    ///< the parameters it accepts, in --explain order
  /// The factory: builds the step from its checked parameters (required).
  std::function<built_step(const param_values&, const step_context&)> build{};
  std::string group{};  ///< --list-ops heading ("filters", "dedup", "io", ...)
};

/// Wraps a chain of operators on recipe::document (row operators, stages, a fragment) as a step.
template <class Chain>
built_step make_step(Chain c) {
  return {{}, detail::erase_chain(std::move(c))};
}
/// Wraps a sink on recipe::document (a writer) as a step.
template <class Sink>
built_step make_sink_step(Sink s) {
  return {{}, detail::erase_chain(std::move(s))};
}
/// Wraps a reader pipeline (a source and its parsing stages, producing recipe::document).
template <class Pipeline>
built_step make_reader_step(Pipeline p) {
  return {detail::erase_source(std::move(p)), {}};
}

/// Levenshtein distance (byte-wise): how far a misspelled name is from a known one.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

/// The closest of `known` to `name` within a third of its length (at least 2 edits), or "".
inline std::string closest_name(std::string_view name, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, name.size() / 3) + 1;
  for (auto& k : known) {
    const std::size_t d = edit_distance(name, k);
    if (d < best_d) best_d = d, best = k;
  }
  return best;
}

/// The list of operators a recipe can name. Names are unique; entries keep insertion order.
class registry {
 public:
  /// Adds an operator; throws std::invalid_argument when its name is taken or it has no factory.
  void add(op_entry e) {
    if (e.name.empty() || !e.build) throw std::invalid_argument("recipe::registry::add: an entry needs a name and a factory");
    if (find(e.name)) throw std::invalid_argument(fmt::format("recipe::registry::add: operator '{}' is already registered", e.name));
    entries_.push_back(std::move(e));
  }
  /// The entry named `name`, or null.
  const op_entry* find(std::string_view name) const {
    for (auto& e : entries_)
      if (e.name == name) return &e;
    return nullptr;
  }
  /// Every entry, in the order added.
  const std::vector<op_entry>& entries() const { return entries_; }
  /// The names of the entries of one kind (suggestions).
  std::vector<std::string> names(std::optional<op_kind> kind = std::nullopt) const {
    std::vector<std::string> out;
    for (auto& e : entries_)
      if (!kind || e.kind == *kind) out.push_back(e.name);
    return out;
  }

 private:
  std::vector<op_entry> entries_;
};

/// One parameter's value as a recipe or --dry-run prints it (JSON text).
inline std::string value_text(const json::value& v) {
  if (v.is_null()) return "null";
  if (v.is_bool()) return std::get<bool>(v.v) ? "true" : "false";
  if (v.is_number()) return fmt::format("{}", std::get<double>(v.v));
  if (v.is_string()) return json::quote(std::get<std::string>(v.v));
  if (v.is_array()) {
    std::string out = "[";
    for (auto& e : v.as_array()) out += (out.size() > 1 ? ", " : "") + value_text(e);
    return out + "]";
  }
  return "{...}";
}

/// The operator's parameters as --explain prints them: "name: type = default  # doc [range]".
inline std::string explain(const op_entry& e) {
  static constexpr const char* kinds[] = {"reader", "transform", "writer"};
  std::string out = fmt::format("{} ({})\n  {}\n", e.name, kinds[static_cast<int>(e.kind)], e.doc);
  if (e.params.empty()) out += "  (no parameters)\n";
  for (auto& p : e.params) {
    out += fmt::format("  {}: {}{} = {}", p.name, type_name(p.type), p.nullable ? " or null" : "",
                       p.required ? "(required)" : value_text(p.default_value));
    std::string limits;
    if (std::isfinite(p.min) || std::isfinite(p.max)) limits = fmt::format(" {}{}, {}]", p.min_exclusive ? '(' : '[', p.min, p.max);
    if (!p.choices.empty()) {
      limits = " one of";
      for (auto& c : p.choices) limits += " " + c;
    }
    out += fmt::format("\n      {}{}\n", p.doc, limits);
  }
  return out;
}

}  // namespace millrace::recipe

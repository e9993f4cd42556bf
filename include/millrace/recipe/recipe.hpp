// millrace/recipe/recipe.hpp — recipe files: a reader, steps with parameters and a writer,
// checked against an operator registry before any data is read (errors name the file and line
// and suggest the closest name), then built into an ordinary millrace pipeline.
//   auto r = mr::recipe::compile(mr::recipe::parse_json_file("fineweb.json"), mr::recipe::builtin_registry());
//   auto built = mr::recipe::build(r);   mr::run(built.pipeline, mr::cpu{});
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <millrace/core/compose.hpp>
#include <millrace/core/json_value.hpp>
#include <millrace/filters/filter_result.hpp>
#include <millrace/recipe/detail/erased.hpp>
#include <millrace/recipe/exclusions.hpp>
#include <millrace/recipe/quality_step.hpp>
#include <millrace/recipe/registry.hpp>

namespace millrace::recipe {

/// A recipe that cannot be used: what() is "file:line: reason" (line omitted when not known).
class recipe_error : public std::runtime_error {
 public:
  /// "file:line: reason" ("file: reason" when the line is 0: the whole recipe, or not known).
  recipe_error(std::string file, std::size_t line, std::string reason)
      : std::runtime_error(line ? fmt::format("{}:{}: {}", file, line, reason) : fmt::format("{}: {}", file, reason)),
        file_(std::move(file)), line_(line), reason_(std::move(reason)) {}
  /// A message without a place (file() empty).
  explicit recipe_error(const std::string& what) : std::runtime_error(what), reason_(what) {}
  /// The recipe file (as given to parse_*; "" when the error has no place).
  const std::string& file() const noexcept { return file_; }
  /// 1-based line in the recipe; 0 when the error concerns the whole recipe or the line is not known.
  std::size_t line() const noexcept { return line_; }
  /// What is wrong, without the place.
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string file_;
  std::size_t line_ = 0;
  std::string reason_;
};

/// A value of a recipe file with the line it starts on; YAML and JSON recipes both parse into it.
struct node {
  /// The kinds of value a recipe holds (k says which one this node is).
  enum class kind { null, boolean, number, string, list, map };
  kind k = kind::null;                              ///< which of the members below is meaningful
  bool boolean = false;                             ///< the value when k is kind::boolean
  double number = 0;                                ///< the value when k is kind::number
  std::string string;                               ///< the value (unescaped) when k is kind::string
  std::vector<node> items;                          ///< list
  std::vector<std::pair<std::string, node>> members;  ///< map, in file order
  std::size_t line = 0;                             ///< 1-based; 0: not known

  /// The member named key, or null.
  const node* find(std::string_view key) const {
    for (auto& [k2, v] : members)
      if (k2 == key) return &v;
    return nullptr;
  }
  /// "a map", "a string", ... (messages).
  const char* type_name() const {
    static constexpr const char* names[] = {"null", "a boolean", "a number", "a string", "a list", "a map"};
    return names[static_cast<int>(k)];
  }
};

/// A parsed recipe file: its name (for messages) and its root.
struct recipe_source {
  std::string file;   ///< the recipe's path or name, as messages print it
  node root;          ///< the top-level value (a map, for a valid recipe)
};

namespace detail {

inline std::string where(const std::string& file, std::size_t line) {
  return line ? fmt::format("{}:{}", file, line) : file;
}

// 1-based line of a byte offset.
inline std::size_t line_of(std::string_view text, std::size_t offset) {
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + std::min(offset, text.size()), '\n'));
}

// A strict JSON reader that keeps the line each value starts on (the project's simdjson reads
// bulk data; a recipe is small and its messages need lines).
class json_node_reader {
 public:
  json_node_reader(std::string_view s, std::string file) : s_(s), file_(std::move(file)) {}
  node read() {
    node n = value(0);
    ws();
    if (pos_ != s_.size()) fail("trailing characters after the recipe");
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw recipe_error(file_, line_of(s_, pos_), why);
  }
  void ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) ++pos_;
  }
  node value(int depth) {
    ws();
    if (pos_ >= s_.size()) fail("unexpected end of the recipe");
    if (depth > 64) fail("nested too deeply");
    node n;
    n.line = line_of(s_, pos_);
    const char c = s_[pos_];
    if (c == '{') {
      n.k = node::kind::map;
      ++pos_;
      ws();
      if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, n;
      for (;;) {
        ws();
        const std::size_t key_line = line_of(s_, pos_);
        if (pos_ >= s_.size() || s_[pos_] != '"') fail("expected a quoted key");
        std::string key = string_token();
        ws();
        if (pos_ >= s_.size() || s_[pos_] != ':') fail("expected ':' after a key");
        ++pos_;
        node v = value(depth + 1);
        v.line = key_line;  // messages point at the key
        if (n.find(key)) {
          throw recipe_error(file_, key_line, fmt::format("key '{}' appears twice", key));
        }
        n.members.emplace_back(std::move(key), std::move(v));
        ws();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, n;
        fail("expected ',' or '}'");
      }
    }
    if (c == '[') {
      n.k = node::kind::list;
      ++pos_;
      ws();
      if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, n;
      for (;;) {
        n.items.push_back(value(depth + 1));
        ws();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, n;
        fail("expected ',' or ']'");
      }
    }
    if (c == '"') {
      n.k = node::kind::string;
      n.string = string_token();
      return n;
    }
    if (s_.substr(pos_, 4) == "true") return pos_ += 4, n.k = node::kind::boolean, n.boolean = true, n;
    if (s_.substr(pos_, 5) == "false") return pos_ += 5, n.k = node::kind::boolean, n;
    if (s_.substr(pos_, 4) == "null") return pos_ += 4, n;
    const std::size_t start = pos_;
    while (pos_ < s_.size() && std::string_view("+-0123456789.eE").find(s_[pos_]) != std::string_view::npos) ++pos_;
    const std::string num(s_.substr(start, pos_ - start));
    if (num.empty() || !json::check_grammar(num).empty()) fail("expected a value (string, number, true, false, null, [ or {)");
    n.k = node::kind::number;
    n.number = std::strtod(num.c_str(), nullptr);
    return n;
  }
  std::string string_token() {
    // The token's extent by the project's grammar, its value by the project's JSON reader.
    std::size_t end = pos_ + 1;
    while (end < s_.size() && s_[end] != '"') end += s_[end] == '\\' ? 2 : 1;
    if (end >= s_.size()) fail("unterminated string");
    const std::string_view tok = s_.substr(pos_, end + 1 - pos_);
    try {
      auto v = json::parse(tok);
      pos_ = end + 1;
      return std::get<std::string>(v.v);
    } catch (const json::parse_error& e) {
      fail(fmt::format("bad string: {}", e.what()));
    }
  }
  std::string_view s_;
  std::string file_;
  std::size_t pos_ = 0;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw recipe_error(path, 0, std::string("cannot open the recipe"));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace detail

/// Parses a JSON recipe; `file` names it in messages.
inline recipe_source parse_json(std::string_view text, std::string file = "recipe.json") {
  recipe_source r{file, detail::json_node_reader(text, file).read()};
  return r;
}
/// Reads and parses a JSON recipe file.
inline recipe_source parse_json_file(const std::string& path) { return parse_json(detail::read_file(path), path); }

/// One step of a compiled recipe: the operator, its report name, its checked parameters.
struct resolved_step {
  /// A copy of the registry's entry, shared: a compiled recipe does not depend on the registry it
  /// was compiled against staying alive (compile(src, builtin_registry()) is the common call).
  std::shared_ptr<const op_entry> entry{};
  std::string name;      ///< the operator's name; "name#2" for its second use
  param_values values;   ///< every declared parameter: checked value or default (required: null until given)
  std::size_t line = 0;  ///< where the step is in the recipe
};

/// A recipe checked against a registry: nothing left to fail but the data.
struct compiled_recipe {
  std::string file;                       ///< the recipe's name in messages (recipe_source::file)
  std::string text_field = "text";        ///< recipe key `text_field`: the JSON field that is document::text
  std::optional<std::size_t> threads{};   ///< recipe key `threads` (0: all cores; unset: not given)
  /// Adjacent quality-filter steps with the same action run as one filters::apply (one text
  /// analysis); false (recipe key `fuse: false`, millrace-run --no-fuse): one stage per step.
  bool fuse = true;
  /// Non-empty (recipe key `exclusions: DIR`, millrace-run --exclusions DIR): records the steps
  /// drop (filters, URL, PII, dedup, take) go to DIR/excluded.jsonl with the step, filter and
  /// reason (recipe/exclusions.hpp); per step, records in = records out + records excluded.
  std::string exclusions_dir{};
  resolved_step reader;                ///< the source step (cannot be disabled)
  std::vector<resolved_step> steps;    ///< the enabled transform steps, in recipe order
  resolved_step writer;                ///< the sink step (cannot be disabled)
};

/// What the command line replaces in a recipe.
struct recipe_overrides {
  std::vector<std::string> inputs{};  ///< non-empty: the reader's inputs
  std::string output_dir{};           ///< non-empty: the writer's dir
  bool no_fuse = false;               ///< true: every filter step its own stage (compare with fusion)
  std::string exclusions_dir{};       ///< non-empty: the exclusion output's directory
};

namespace detail {

inline json::value check_value(const param_spec& p, const node& v, const std::string& file, std::size_t at, const std::string& step) {
  auto bad = [&](const std::string& why) {
    return recipe_error(file, at, fmt::format("{}: parameter '{}' {}", step, p.name, why));
  };
  if (v.k == node::kind::null) {
    if (!p.nullable) throw bad(fmt::format("expects {}, got null (it cannot be switched off)", type_name(p.type)));
    return json::value{};
  }
  switch (p.type) {
    case param_type::boolean:
      if (v.k != node::kind::boolean) throw bad(fmt::format("expects a boolean, got {}", v.type_name()));
      return json::value{v.boolean};
    case param_type::integer:
    case param_type::number: {
      if (v.k != node::kind::number) throw bad(fmt::format("expects {}, got {}", p.type == param_type::integer ? "an integer" : "a number", v.type_name()));
      if (!std::isfinite(v.number)) throw bad("expects a finite number");
      if (p.type == param_type::integer && v.number != std::floor(v.number)) throw bad(fmt::format("expects an integer, got {}", v.number));
      if (v.number < p.min || v.number > p.max || (p.min_exclusive && v.number == p.min))
        throw bad(fmt::format("must be in {}{}, {}], got {}", p.min_exclusive ? '(' : '[', p.min, p.max, v.number));
      return json::value{v.number};
    }
    case param_type::string: {
      if (v.k != node::kind::string) throw bad(fmt::format("expects a string, got {}", v.type_name()));
      if (!p.choices.empty() && std::find(p.choices.begin(), p.choices.end(), v.string) == p.choices.end()) {
        std::string list;
        for (auto& c : p.choices) list += (list.empty() ? "" : ", ") + c;
        const std::string near = closest_name(v.string, p.choices);
        throw bad(fmt::format("must be one of {}, got {}{}", list, json::quote(v.string),
                              near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near)));
      }
      return json::value{v.string};
    }
    case param_type::string_list: {
      auto arr = std::make_shared<json::array>();
      if (v.k == node::kind::string) {
        arr->push_back(json::value{v.string});
        return json::value{arr};
      }
      if (v.k != node::kind::list) throw bad(fmt::format("expects a list of strings, got {}", v.type_name()));
      for (auto& e : v.items) {
        if (e.k != node::kind::string) throw bad(fmt::format("expects a list of strings, got {} in it", e.type_name()));
        arr->push_back(json::value{e.string});
      }
      return json::value{arr};
    }
  }
  throw bad("has an unknown type");
}

// A step is a one-key map {operator: {parameters}} (parameters may be null or absent).
inline resolved_step resolve_step(const node& step, const registry& reg, const std::string& file, op_kind want,
                                  std::vector<std::string>& used) {
  static constexpr const char* kinds[] = {"reader", "transform", "writer"};
  const std::size_t at = step.line;
  if (step.k != node::kind::map || step.members.size() != 1)
    throw recipe_error(file, at, fmt::format("a step is a map with one key, the operator: `- gopher_quality: {{min_doc_words: 50}}`"));
  const auto& [op, params] = step.members[0];
  const std::size_t op_at = params.line ? params.line : step.line;
  const op_entry* e = reg.find(op);
  if (!e) {
    const std::string near = closest_name(op, reg.names(want));
    throw recipe_error(file, op_at, fmt::format("unknown operator '{}'{} (millrace-run --list-ops lists them)", op, near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near)));
  }
  if (e->kind != want)
    throw recipe_error(file, op_at, fmt::format("'{}' is a {}, not a {}", op, kinds[static_cast<int>(e->kind)], kinds[static_cast<int>(want)]));
  if (params.k != node::kind::map && params.k != node::kind::null)
    throw recipe_error(file, op_at, fmt::format("the parameters of '{}' must be a map, got {}", op, params.type_name()));
  resolved_step r;
  r.entry = std::make_shared<const op_entry>(*e);
  r.line = params.line ? params.line : step.line;
  const auto uses = static_cast<std::size_t>(std::count(used.begin(), used.end(), op));
  used.push_back(op);
  r.name = uses ? fmt::format("{}#{}", op, uses + 1) : op;
  bool enabled = true;
  for (auto& [key, val] : params.members) {
    const std::size_t key_at = val.line ? val.line : r.line;
    if (key == "enabled") {  // every step: switch it off without deleting it
      if (val.k != node::kind::boolean) throw recipe_error(file, key_at, fmt::format("{}: 'enabled' expects a boolean", op));
      enabled = val.boolean;
      continue;
    }
    const param_spec* spec = nullptr;
    for (auto& p : e->params)
      if (p.name == key) spec = &p;
    if (!spec) {
      std::vector<std::string> known;
      for (auto& p : e->params) known.push_back(p.name);
      const std::string near = closest_name(key, known);
      std::string list;
      for (auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw recipe_error(file, key_at, fmt::format("{}: unknown parameter '{}'{} (known: {})", op, key, near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near), list.empty() ? "none" : list));
    }
    r.values.set(key, check_value(*spec, val, file, key_at, op));
  }
  for (auto& p : e->params) {
    bool given = false;
    for (auto& [k, v] : r.values.items()) given = given || k == p.name;
    if (!given) r.values.set(p.name, p.required ? json::value{} : p.default_value);  // required: null until given
  }
  if (!enabled) r.entry = nullptr;  // dropped by compile()
  return r;
}

inline void check_required(const resolved_step& s, const std::string& file) {
  for (auto& p : s.entry->params) {
    if (!p.required) continue;
    const json::value& v = s.values.get(p.name);
    const bool empty = v.is_null() || (v.is_string() && std::get<std::string>(v.v).empty()) || (v.is_array() && v.as_array().empty());
    if (empty)
      throw recipe_error(file, s.line, fmt::format("{}: parameter '{}' is required ({})", s.entry->name, p.name, p.doc));
  }
}

}  // namespace detail

/// Checks a parsed recipe against the registry and applies the overrides: unknown operators or
/// parameters (with the closest name), wrong types, values out of range, a missing reader or
/// writer all throw recipe_error naming the file and line. Reads no data.
inline compiled_recipe compile(const recipe_source& src, const registry& reg, const recipe_overrides& ov = {}) {
  const std::string& file = src.file;
  const node& root = src.root;
  if (root.k != node::kind::map)
    throw recipe_error(file, root.line, std::string("a recipe is a map with reader, steps and writer"));
  static const std::vector<std::string> top = {"reader", "steps", "writer", "text_field", "threads", "fuse", "exclusions", "name", "description"};
  for (auto& [key, val] : root.members)
    if (std::find(top.begin(), top.end(), key) == top.end()) {
      const std::string near = closest_name(key, top);
      throw recipe_error(file, val.line, fmt::format("unknown recipe key '{}'{} (known: reader, steps, writer, text_field, threads, fuse, exclusions, name, description)", key, near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near)));
    }
  compiled_recipe r;
  r.file = file;
  if (const node* tf = root.find("text_field")) {
    if (tf->k != node::kind::string || tf->string.empty())
      throw recipe_error(file, tf->line, std::string("text_field expects a field name"));
    r.text_field = tf->string;
  }
  if (const node* th = root.find("threads")) {
    if (th->k != node::kind::number || th->number < 0 || th->number != std::floor(th->number) || th->number > 4096)
      throw recipe_error(file, th->line, std::string("threads expects an integer in [0, 4096] (0: all cores)"));
    r.threads = static_cast<std::size_t>(th->number);
  }
  if (const node* fu = root.find("fuse")) {
    if (fu->k != node::kind::boolean) throw recipe_error(file, fu->line, std::string("fuse expects a boolean"));
    r.fuse = fu->boolean;
  }
  if (ov.no_fuse) r.fuse = false;
  if (const node* ex = root.find("exclusions")) {
    if (ex->k != node::kind::string || ex->string.empty())
      throw recipe_error(file, ex->line, std::string("exclusions expects a directory"));
    r.exclusions_dir = ex->string;
  }
  if (!ov.exclusions_dir.empty()) r.exclusions_dir = ov.exclusions_dir;
  std::vector<std::string> used;
  const node* rd = root.find("reader");
  if (!rd || rd->k == node::kind::null)
    throw recipe_error(file, 0, fmt::format("the recipe has no reader (add `reader: {{read_jsonl: {{inputs: [data.jsonl]}}}}`)"));
  r.reader = detail::resolve_step(*rd, reg, file, op_kind::reader, used);
  if (!r.reader.entry) throw recipe_error(file, rd->line, std::string("the reader cannot be disabled"));
  if (!ov.inputs.empty()) {
    auto arr = std::make_shared<json::array>();
    for (auto& i : ov.inputs) arr->push_back(json::value{i});
    r.reader.values.set("inputs", json::value{arr});
  }
  detail::check_required(r.reader, file);
  if (const node* st = root.find("steps")) {
    if (st->k != node::kind::list && st->k != node::kind::null)
      throw recipe_error(file, st->line, std::string("steps must be a list"));
    for (auto& s : st->items) {
      auto step = detail::resolve_step(s, reg, file, op_kind::transform, used);
      if (!step.entry) continue;
      detail::check_required(step, file);
      r.steps.push_back(std::move(step));
    }
  }
  const node* wr = root.find("writer");
  if (!wr || wr->k == node::kind::null)
    throw recipe_error(file, 0, fmt::format("the recipe has no writer (add `writer: {{write_jsonl: {{dir: out/}}}}`)"));
  r.writer = detail::resolve_step(*wr, reg, file, op_kind::writer, used);
  if (!r.writer.entry) throw recipe_error(file, wr->line, std::string("the writer cannot be disabled"));
  if (!ov.output_dir.empty()) r.writer.values.set("dir", json::value{ov.output_dir});
  detail::check_required(r.writer, file);
  return r;
}

/// The pipeline type every recipe builds: reader | steps | writer.
using recipe_pipeline = decltype(std::declval<detail::erased_source>() | std::declval<detail::erased_steps>() |
                                 std::declval<detail::erased_sink>());

/// A built recipe: the pipeline (run it with mr::run; it keeps what it needs alive, so it may
/// outlive this struct) and the per-filter tally it fills.
struct built_recipe {
  recipe_pipeline pipeline;                       ///< reader | steps | writer, ready for mr::run
  std::shared_ptr<filters::filter_tally> tally;   ///< per-filter counts, filled as the pipeline runs
  /// The exclusion output (null without `exclusions`); commit() it after mr::run succeeded.
  std::shared_ptr<exclusion_writer> exclusions{};
};

/// Builds the operators of a compiled recipe (factories may still refuse a combination, e.g. an
/// input pattern that matches nothing: recipe_error naming the step's line). Reads no data.
inline built_recipe build(const compiled_recipe& r, std::size_t threads = 0) {
  auto tally = std::make_shared<filters::filter_tally>();
  std::shared_ptr<exclusion_writer> exclusions;
  if (!r.exclusions_dir.empty()) exclusions = std::make_shared<exclusion_writer>(r.exclusions_dir);
  auto ctx_for = [&](const resolved_step& s) {
    step_context c;
    c.text_field = r.text_field;
    c.step_name = s.name;
    c.tally = tally.get();
    c.threads = threads;
    c.exclusions = exclusions;
    return c;
  };
  auto make = [&](const resolved_step& s) {
    try {
      return s.entry->build(s.values, ctx_for(s));
    } catch (const recipe_error&) {
      throw;
    } catch (const std::exception& e) {
      throw recipe_error(r.file, s.line, fmt::format("{}: {}", s.name, e.what()));
    }
  };
  detail::erased_source src;
  src.fn = make(r.reader).source;
  detail::erased_steps steps;
  steps.hold = tally;  // every copy of the pipeline keeps the tally its filters write to
  // A run of fusable steps with one action becomes one filters::apply; it ends after a step that
  // rewrites the text, so every filter reads the text it would read unfused.
  std::vector<std::shared_ptr<const detail::fusable_filters>> run;
  auto flush = [&] {
    if (run.size() == 1 && !exclusions) steps.steps.push_back(run.front()->lower_alone);
    else if (!run.empty())
      for (auto& l : detail::fuse_run(run, tally.get(), exclusions)) steps.steps.push_back(std::move(l));
    run.clear();
  };
  for (auto& s : r.steps) {
    built_step b = make(s);
    if (!b.fusable) {
      flush();
      steps.steps.push_back(std::move(b.lower));
      continue;
    }
    if (!run.empty() && run.back()->action != b.fusable->action) flush();
    auto f = std::make_shared<detail::fusable_filters>(*b.fusable);
    f->lower_alone = std::move(b.lower);
    run.push_back(std::move(f));
    if (run.back()->rewrites_text || !r.fuse) flush();
  }
  flush();
  detail::erased_sink sink;
  sink.fn = make(r.writer).lower;
  return {std::move(src) | std::move(steps) | std::move(sink), std::move(tally), std::move(exclusions)};
}

/// The resolved parameters of every step, one line per parameter ("step.param = value").
inline std::string describe(const compiled_recipe& r) {
  std::string out = fmt::format("# {} (text_field: {})\n", r.file, r.text_field);
  auto one = [&](const resolved_step& s) {
    out += fmt::format("{}  # line {}\n", s.name, s.line);
    for (auto& [k, v] : s.values.items()) out += fmt::format("  {}.{} = {}\n", s.name, k, value_text(v));
  };
  one(r.reader);
  for (auto& s : r.steps) one(s);
  one(r.writer);
  return out;
}

}  // namespace millrace::recipe

// millrace/cli/parameters.hpp — a module's parameters as command-line options of a CLI11 app:
// one flag per parameter (nested ones by path), with its doc, default, range or choices, and the
// value checked by the parameter's own validation (the error names the flag and the parameter).
// Only this header needs CLI11; the library does not.
//   dd::near_dedup_options no;
//   auto flags = millrace::cli::add_parameters(app, no, {.flags = {{"lsh.bands", "--bands"}}});
//   CLI11_PARSE(app, argc, argv);   // --threshold 0.7 --bands 20 --lsh-rows 13 --shingle char --verify
#pragma once

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include <millrace/core/json_value.hpp>
#include <millrace/core/module.hpp>

namespace millrace::cli {

/// One parameter's flag name(s) in CLI11 syntax ("--bands", "--input,-i") and, when not empty, a
/// doc that replaces the parameter's own in --help.
struct flag_name {
  std::string path;  ///< the parameter's path: "threshold", "lsh.bands"
  std::string name;  ///< CLI11 name(s); for a switch, what sets it to the opposite of its default
  std::string doc{};  ///< --help text replacing the parameter's own doc (empty: keep that one)
};

/// How add_parameters names the flags. By default a parameter at path "lsh.bands" is
/// "--<prefix>lsh-bands" ('_' and '.' become '-'); a bool is a switch that sets the opposite of
/// its value when added: "--verify" (default false) or "--no-normalize" (default true).
struct flag_options {
  std::string prefix{};             ///< put before every default name: "exact-" gives --exact-normalize
  std::vector<flag_name> flags{};   ///< names (and docs) other than the default ones
  std::vector<std::string> skip{};  ///< paths left out, a module's path leaving out all of it
  std::string group{};              ///< CLI11 option group in --help (empty: the app's options)
};

/// The options add_parameters made, by parameter path (for needs(), excludes(), count()).
struct parameter_flags {
  std::vector<std::pair<std::string, CLI::Option*>> items;  ///< (path, option), in declaration order

  /// The option of the parameter at `path`; throws std::out_of_range for a path with none.
  CLI::Option* operator[](std::string_view path) const {
    for (const auto& [p, o] : items)
      if (p == path) return o;
    throw std::out_of_range("millrace::cli: no flag for parameter '" + std::string(path) + "'");
  }
  /// Whether the parameter at `path` was given on the command line.
  bool given(std::string_view path) const { return (*this)[path]->count() > 0; }
};

namespace detail {

// "lsh.bands" -> "lsh-bands"
inline std::string kebab(std::string_view path) {
  std::string s(path);
  for (auto& c : s)
    if (c == '_' || c == '.') c = '-';
  return s;
}

inline bool skipped(const std::string& path, const std::vector<std::string>& skip) {
  for (const auto& s : skip)
    if (path == s || (path.size() > s.size() && path.compare(0, s.size(), s) == 0 && path[s.size()] == '.')) return true;
  return false;
}

// A config_error as CLI11's validation error: "--bands: parameter 'lsh.bands' must be in [1, 65536], got 0".
[[noreturn]] inline void rethrow_as_cli(const CLI::Option* opt, const std::exception& e) {
  std::string what = e.what();
  if (what.rfind("config: ", 0) == 0) what.erase(0, 8);
  throw CLI::ValidationError(opt ? opt->get_name() : std::string("option"), what);
}

}  // namespace detail

/// Adds every parameter of `module` (nested modules included) to `app` as an option or switch that
/// sets it in place when the command line is parsed (CLI11 runs option callbacks in the order the
/// options were added: add a preset or --config option first to let these flags override it).
/// The module must outlive app.parse(). --help shows each parameter's doc, limits and default.
template <has_parameters M>
parameter_flags add_parameters(CLI::App& app, M& module, const flag_options& how = {}) {
  parameter_flags out;
  millrace::detail::for_each_leaf(module, "", [&](const std::string& path, const auto& p) {
    using T = std::remove_pointer_t<decltype(p.value)>;
    if (detail::skipped(path, how.skip)) return;
    std::string name;
    std::string doc(p.doc);
    bool own_doc = false;
    for (const auto& f : how.flags)
      if (f.path == path) {
        name = f.name;
        if (!f.doc.empty()) doc = f.doc, own_doc = true;
      }
    M* root = &module;
    auto self = std::make_shared<CLI::Option*>(nullptr);  // the option, for its name in errors
    CLI::Option* opt = nullptr;
    if constexpr (std::is_same_v<T, bool>) {
      const bool set_to = !*p.value;
      if (name.empty()) name = "--" + how.prefix + (set_to ? "" : "no-") + detail::kebab(path);
      if (!set_to && !own_doc) doc = "turns off: " + doc;
      opt = app.add_flag_callback(
          name,
          [root, path, set_to, self] {
            try {
              millrace::detail::load_path(*root, path, json::value{set_to});
            } catch (const config_error& e) {
              detail::rethrow_as_cli(*self, e);
            }
          },
          doc);
      *self = opt;
    } else {
      if (name.empty()) name = "--" + how.prefix + detail::kebab(path);
      const std::string limits = millrace::detail::param_limits(p);
      if (!limits.empty()) doc += (doc.empty() ? "" : "; ") + limits;
      opt = app.add_option_function<std::string>(
          name,
          [root, path, self](const std::string& text) {
            json::value v;
            if constexpr (std::is_arithmetic_v<T>) {
              try {
                v = json::parse(text);
              } catch (const json::parse_error&) {
                v = json::value{text};  // a string: load_path names the parameter and what it expects
              }
            } else {
              v = json::value{text};
            }
            try {
              millrace::detail::load_path(*root, path, std::move(v));
            } catch (const config_error& e) {
              detail::rethrow_as_cli(*self, e);
            }
          },
          doc);
      if constexpr (std::is_enum_v<T>)
        opt->default_str(std::string(millrace::detail::enum_name(p, *p.value)));
      else if constexpr (std::is_convertible_v<const T&, std::string_view>)
        opt->default_str(std::string(std::string_view(*p.value)));
      else if constexpr (std::is_arithmetic_v<T>)
        opt->default_str(millrace::detail::param_json(p));
      else
        opt->default_str(p.value->string());
      opt->type_name(std::is_floating_point_v<T> ? "NUMBER" : std::is_integral_v<T> ? "INT" : "TEXT");
      *self = opt;
    }
    if (!how.group.empty()) opt->group(how.group);
    out.items.emplace_back(path, opt);
  });
  return out;
}

/// Adds `--config FILE.json` (or `name`): the file's JSON object is loaded into `module` with
/// mr::load_config when the command line is parsed; a bad file or value is a CLI11 error naming it.
template <has_parameters M>
CLI::Option* add_config_file(CLI::App& app, M& module, const std::string& name = "--config",
                             const std::string& doc = "JSON file of parameters (mr::load_config); flags given too override it") {
  auto self = std::make_shared<CLI::Option*>(nullptr);
  M* root = &module;
  CLI::Option* opt = app.add_option_function<std::string>(
      name,
      [root, self](const std::string& file) {
        std::string text;
        {
          std::FILE* f = std::fopen(file.c_str(), "rb");
          if (!f) throw CLI::ValidationError((*self)->get_name(), "cannot read '" + file + "'");
          char buf[65536];
          for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
          std::fclose(f);
        }
        try {
          load_config(*root, text);
        } catch (const std::exception& e) {
          throw CLI::ValidationError((*self)->get_name(), file + ": " + e.what());
        }
      },
      doc);
  *self = opt;
  return opt;
}

}  // namespace millrace::cli

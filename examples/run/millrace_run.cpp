// millrace-run: runs a recipe file (YAML or JSON): a reader, operators with parameters, a writer.
//   millrace-run fineweb.yaml --input shards/ --output out/ --threads 8
//   millrace-run --list-ops;  millrace-run --explain gopher_quality;  millrace-run r.yaml --dry-run
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <millrace/core.hpp>
#include <millrace/io/output_paths.hpp>
#include <millrace/observe/dot.hpp>
#include <millrace/observe/progress_bar.hpp>
#include <millrace/recipe/builtin.hpp>
#include <millrace/recipe/recipe.hpp>
#if MILLRACE_HAVE_YAML
#include <millrace/recipe/yaml.hpp>
#endif
#if MILLRACE_HAVE_PII
#include <millrace/recipe/builtin_pii.hpp>
#endif
#if MILLRACE_HAVE_CLD2
#include <millrace/recipe/builtin_langid.hpp>
#endif

namespace mr = millrace;
namespace rc = millrace::recipe;

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// .json (or text starting with '{') is JSON; .yaml / .yml are YAML.
rc::recipe_source load(const std::string& path) {
  if (ends_with(path, ".yaml") || ends_with(path, ".yml")) {
#if MILLRACE_HAVE_YAML
    return rc::parse_yaml_file(path);
#else
    throw rc::recipe_error(path, 0, "this millrace-run was built without yaml-cpp; write the recipe as JSON");
#endif
  }
  return rc::parse_json_file(path);
}

void list_ops(const rc::registry& reg) {
  std::map<std::string, std::vector<const rc::op_entry*>> groups;
  for (auto& e : reg.entries()) groups[e.group.empty() ? "other" : e.group].push_back(&e);
  for (auto& [g, es] : groups) {
    fmt::print("{}:\n", g);
    for (auto* e : es) fmt::print("  {:<22} {}\n", e->name, e->doc);
  }
  fmt::print("\nmillrace-run --explain OP prints an operator's parameters.\n");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"millrace-run: runs a recipe (YAML or JSON): reader -> operators with parameters -> writer. "
               "The recipe is checked against the operator registry before any data is read."};
  std::string recipe_path, output, explain_op, report_file, exclusions;
  std::vector<std::string> inputs;
  std::size_t threads = 0;
  bool threads_given = false, list = false, dry_run = false, quiet = false, no_fuse = false;
  app.add_option("recipe", recipe_path, "the recipe file (.yaml, .yml or .json)");
  app.add_option("--input,-i", inputs, "input files, directories or globs: replace the reader's inputs");
  app.add_option("--output,-o", output, "output directory: replaces the writer's dir");
  auto* th = app.add_option("--threads,-t", threads, "worker threads (0: all cores; default: the recipe's, else 0)");
  app.add_flag("--list-ops", list, "list the operators a recipe can name");
  app.add_option("--explain", explain_op, "print an operator's parameters with docs and defaults");
  app.add_flag("--dry-run", dry_run, "check the recipe, print the lowered graph (DOT) and the resolved parameters; read nothing");
  app.add_option("--report", report_file, "also write the run report as JSON to this file");
  app.add_option("--exclusions", exclusions, "write the records filter steps drop to DIR/excluded.jsonl (step, filter, reason)");
  app.add_flag("--no-fuse", no_fuse, "one filters::apply per filter step (as `fuse: false`), to compare with fusion");
  app.add_flag("--quiet,-q", quiet, "no progress bar and no report on standard output");
  CLI11_PARSE(app, argc, argv);
  threads_given = th->count() > 0;

  rc::registry reg = rc::builtin_registry();
#if MILLRACE_HAVE_PII
  rc::add_pii_ops(reg);
#endif
#if MILLRACE_HAVE_CLD2
  rc::add_langid_ops(reg);
#endif
  try {
    if (list) {
      list_ops(reg);
      return 0;
    }
    if (!explain_op.empty()) {
      const rc::op_entry* e = reg.find(explain_op);
      if (!e) {
        const std::string near = rc::closest_name(explain_op, reg.names());
        fmt::print(stderr, "millrace-run: unknown operator '{}'{}\n", explain_op, near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near));
        return 2;
      }
      fmt::print("{}", rc::explain(*e));
      return 0;
    }
    if (recipe_path.empty()) {
      fmt::print(stderr, "millrace-run: a recipe file is needed (or --list-ops, --explain OP); see --help\n");
      return 2;
    }
    const rc::compiled_recipe r = rc::compile(load(recipe_path), reg, {.inputs = inputs, .output_dir = output, .no_fuse = no_fuse, .exclusions_dir = exclusions});
    if (!threads_given) threads = r.threads.value_or(0);
    auto built = rc::build(r, threads);  // expands inputs; still reads no record
    if (dry_run) {
      fmt::print("{}\n{}", mr::to_dot(built.pipeline), rc::describe(r));
      return 0;
    }
    // Before any data is read: the output must not overlap an input and must be writable.
    std::vector<std::filesystem::path> files;
    if (!report_file.empty()) files.push_back(report_file);
    if (!r.exclusions_dir.empty()) {
      std::filesystem::create_directories(r.exclusions_dir);
      files.push_back(std::filesystem::path(r.exclusions_dir) / "excluded.jsonl");
    }
    mr::io::check_outputs(r.reader.values.strings("inputs"), {.dir = r.writer.values.string("dir"), .files = files});
    mr::run_options opts;
    if (!quiet && ::isatty(STDERR_FILENO)) opts.on_progress = mr::progress_bar("millrace-run");
    const auto report = mr::run(built.pipeline, mr::cpu{.threads = threads}, opts);
    if (built.exclusions) built.exclusions->commit();  // the run succeeded: the exclusions appear whole
    if (!quiet) fmt::print("{}\n", report);  // per operator, and per filter its reasons
    if (!quiet && built.exclusions)
      fmt::print("excluded {} records -> {}\n", built.exclusions->count(), built.exclusions->path().string());
    if (!report_file.empty()) {
      std::ofstream f(report_file);
      f << report.to_json() << '\n';
      if (!f) throw std::runtime_error(fmt::format("{}: cannot write the report", report_file));
    }
    if (!quiet) mr::io::check_stdout();
  } catch (const rc::recipe_error& e) {
    fmt::print(stderr, "millrace-run: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "millrace-run: {}\n", e.what());
    return 1;
  }
  return 0;
}

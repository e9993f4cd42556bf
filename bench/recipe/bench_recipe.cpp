// bench_recipe: the FineWeb-style recipe (examples/run/recipes/fineweb.json) without its dedup
// step, in MB and documents per CPU-second (per core), against the same pipeline written by hand
// in C++ in the same run (the ratio shows what the recipe's erased seams cost). The corpus is
// bench/filters' generated web-like text, written as JSONL so that run.sh can time datatrove's
// same filters on the same file.
//   bench_recipe [--mb 16] [--reps 3] [--jsonl corpus.jsonl] [--recipe path.json] [--corpus in.jsonl]
// --jsonl writes the generated corpus there (for run.sh's datatrove run); --corpus reads an existing
// JSONL corpus ({"id", "text"} per line, e.g. bench/filters/real_corpus.py's real prose) instead.
// g++ 12 warns -Wrestrict on `"x" + std::string` chains at -O3, a false positive (GCC PR 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <millrace/core.hpp>
#include <millrace/filters.hpp>
#include <millrace/recipe.hpp>
#include <millrace/synth/corpus.hpp>

#include "../common/web_corpus.hpp"
#if MILLRACE_HAVE_PII
#include <millrace/recipe/builtin_pii.hpp>
#endif
#if MILLRACE_HAVE_CLD2
#include <millrace/recipe/builtin_langid.hpp>
#endif

namespace mr = millrace;
namespace rc = millrace::recipe;
namespace mf = millrace::filters;
namespace fs = std::filesystem;

namespace {

// bench/filters' corpus (bench/common/web_corpus.hpp) as JSONL.
std::string make_corpus_jsonl(std::size_t mb, std::size_t& docs_out) {
  std::string out;
  docs_out = web_corpus::generate(mb, [&](const std::string& id, const std::string& text) {
    out += fmt::format("{{\"id\":{},\"text\":{}}}\n", mr::json::quote(id), mr::json::quote(text));
  });
  return out;
}

double cpu_seconds() { return double(std::clock()) / CLOCKS_PER_SEC; }

struct timing {
  double cpu = 1e300, wall = 1e300;
  std::uint64_t kept = 0;
};

template <class Build>
timing best_of(int reps, Build build) {
  timing t;
  for (int r = 0; r < reps; ++r) {
    auto p = build();
    const double c0 = cpu_seconds();
    const auto rep = mr::run(p, mr::cpu{.threads = 1});
    t.cpu = std::min(t.cpu, cpu_seconds() - c0);
    t.wall = std::min(t.wall, std::chrono::duration<double>(rep.wall).count());
    t.kept = rep.records_out();
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mb = 16;
  int reps = 3;
  std::string jsonl, corpus_path, recipe_path = MILLRACE_SOURCE_DIR "/examples/run/recipes/fineweb.json";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--mb") mb = std::stoul(argv[i + 1]);
    else if (a == "--reps") reps = std::stoi(argv[i + 1]);
    else if (a == "--jsonl") jsonl = argv[i + 1];
    else if (a == "--recipe") recipe_path = argv[i + 1];
    else if (a == "--corpus") corpus_path = argv[i + 1];
  }
  const fs::path dir = fs::temp_directory_path() / fmt::format("bench_recipe_{}", ::getpid());
  fs::create_directories(dir);
  std::string in = jsonl.empty() ? (dir / "in.jsonl").string() : jsonl;
  std::size_t docs = 0;
  if (!corpus_path.empty()) {
    in = corpus_path;
    std::ifstream f(in, std::ios::binary);
    if (!f) {
      fmt::print(stderr, "bench_recipe: cannot read the corpus '{}'\n", in);
      return 2;
    }
    for (std::string line; std::getline(f, line);) docs += !line.empty();
  } else {
    const std::string corpus = make_corpus_jsonl(mb, docs);
    std::ofstream(in, std::ios::binary) << corpus;
  }
  const double mbytes = double(fs::file_size(in)) / 1e6;

  rc::registry reg = rc::builtin_registry();
#if MILLRACE_HAVE_PII
  rc::add_pii_ops(reg);
#endif
#if MILLRACE_HAVE_CLD2
  rc::add_langid_ops(reg);
#endif
  auto r = rc::compile(rc::parse_json_file(recipe_path), reg, {.inputs = {in}, .output_dir = (dir / "recipe").string()});
  std::erase_if(r.steps, [](const rc::resolved_step& s) { return s.entry->group == "dedup"; });  // "without dedup"
  std::string steps;
  for (auto& s : r.steps) steps += (steps.empty() ? "" : " -> ") + s.name;
  r.writer.values.set("compression", mr::json::value{std::string("none")});
  r.writer.values.set("fsync", mr::json::value{false});

  const timing tr = best_of(reps, [&] { return rc::build(r).pipeline; });
  // Fusion off: one filters::apply (one text analysis) per filter step.
  auto ru = r;
  ru.fuse = false;
  const timing tu = best_of(reps, [&] { return rc::build(ru).pipeline; });
  // The steps datatrove has offline (run.sh times them there): no Unicode clean-up, no language ID.
  auto rd = r;
  std::erase_if(rd.steps, [](const rc::resolved_step& s) { return s.name == "unicode_cleanup" || s.name == "language_id"; });
  const timing td = best_of(reps, [&] { return rc::build(rd).pipeline; });
  auto rdu = rd;
  rdu.fuse = false;
  const timing tdu = best_of(reps, [&] { return rc::build(rdu).pipeline; });

  // The same steps by hand (the recipe's parameters: C4 without the punctuation rule).
  const timing th = best_of(reps, [&] {
    mf::c4_quality c4;
    c4.params.filter_no_terminal_punct = false;
    mr::io::write_options wo;
    wo.fsync = false;
    return rc::read_jsonl_documents({in}) | mf::unicode_cleanup_op<rc::document>() |
#if MILLRACE_HAVE_CLD2
           mf::apply<rc::document>(mf::language_filter{mf::cld2_detector{}, {.languages = {"en"}, .min_score = 0.65}}) |
#endif
           mf::apply<rc::document>(mf::gopher_repetition{}) | mf::apply<rc::document>(mf::gopher_quality{}) |
           mf::apply<rc::document>(c4) | mf::apply<rc::document>(mf::fineweb_quality{}) |
#if MILLRACE_HAVE_PII
           mf::pii<rc::document>() |
#endif
           rc::write_jsonl_documents(dir / "hand", "text", wo);
  });

  fmt::print("bench_recipe: {} documents, {:.1f} MB; steps: {} -> write_jsonl; 1 thread, best of {}\n", docs, mbytes, steps, reps);
  fmt::print("  {:<26} {:>9.1f} MB/CPU-s {:>10.0f} docs/CPU-s  ({:.1f} MB/s wall)  kept {}\n", "recipe (millrace-run)",
             mbytes / tr.cpu, double(docs) / tr.cpu, mbytes / tr.wall, tr.kept);
  fmt::print("  {:<26} {:>9.1f} MB/CPU-s {:>10.0f} docs/CPU-s  ({:.1f} MB/s wall)  kept {}\n", "same pipeline by hand",
             mbytes / th.cpu, double(docs) / th.cpu, mbytes / th.wall, th.kept);
  fmt::print("  recipe / hand-written: {:.2f}x\n", th.cpu / tr.cpu);
  fmt::print("  {:<26} {:>9.1f} MB/CPU-s {:>10.0f} docs/CPU-s  ({:.1f} MB/s wall)  kept {}\n", "recipe, fuse: false",
             mbytes / tu.cpu, double(docs) / tu.cpu, mbytes / tu.wall, tu.kept);
  fmt::print("  fused / unfused: {:.2f}x\n", tu.cpu / tr.cpu);
  fmt::print("  {:<26} {:>9.1f} MB/CPU-s {:>10.0f} docs/CPU-s  ({:.1f} MB/s wall)  kept {}\n", "recipe, datatrove's steps",
             mbytes / td.cpu, double(docs) / td.cpu, mbytes / td.wall, td.kept);
  fmt::print("  {:<26} {:>9.1f} MB/CPU-s {:>10.0f} docs/CPU-s  ({:.1f} MB/s wall)  kept {}\n", "datatrove's steps, unfused",
             mbytes / tdu.cpu, double(docs) / tdu.cpu, mbytes / tdu.wall, tdu.kept);
  fmt::print("  fused / unfused on datatrove's steps: {:.2f}x\n", tdu.cpu / td.cpu);
  fmt::print("RECIPE_MB_PER_CPU_S {:.3f}\nRECIPE_DT_STEPS_MB_PER_CPU_S {:.3f}\n", mbytes / tr.cpu, mbytes / td.cpu);
  if (tr.kept != tu.kept || td.kept != tdu.kept) {
    fmt::print(stderr, "bench_recipe: fused kept {} records, unfused {}\n", tr.kept, tu.kept);
    return 1;
  }
  if (tr.kept != th.kept) {
    fmt::print(stderr, "bench_recipe: the recipe kept {} records, the hand-written pipeline {}\n", tr.kept, th.kept);
    return 1;
  }
  fs::remove_all(dir);
  return 0;
}

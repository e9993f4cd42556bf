// bench_augment: augmentation throughput (variants per second, per core) on the bundled corpus,
// against the Python EDA baseline (eda_baseline.py: Wei & Zou's eda.py with nltk reading the same
// Debian WordNet files), measured in the same run. Same workload: 4 variants per record, one EDA
// operation each (synonym, insert, swap, delete), rate 0.1.
//   bench_augment data/augment/corpus.jsonl [--python python3] [--reps 3]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <millrace/augment/operators.hpp>
#include <millrace/core.hpp>
#include <millrace/io/read.hpp>

namespace mr = millrace;
namespace au = millrace::augment;
using clk = std::chrono::steady_clock;

namespace {
double seconds_since(clk::time_point t) { return std::chrono::duration<double>(clk::now() - t).count(); }

// Runs the pipeline over the corpus `reps` times; returns variants per second.
double measure(const std::vector<au::source_doc>& docs, const au::wordnet& wn, std::size_t threads, bool guarded, int reps,
               std::uint64_t& kept) {
  auto aug = std::make_shared<const au::augmenter>(&wn, au::augment_options{.variants = 4, .seed = 1});
  auto guard = std::make_shared<const au::similarity_guard>(au::guard_options{});
  std::uint64_t generated = 0;
  kept = 0;
  const auto t0 = clk::now();
  for (int r = 0; r < reps; ++r) {
    auto t = std::make_shared<au::augment_tally>();
    std::size_t out = 0;
    auto sink = mr::sink([&out](au::variant_group&& g) { out += g.variants.size(); });
    const mr::cpu exec{.threads = threads, .batch_size = 256};
    if (guarded)
      mr::run(mr::from_range(docs) | au::number() | au::make_variants(aug) | au::guard(guard) | au::tally(t) | sink, exec);
    else
      mr::run(mr::from_range(docs) | au::number() | au::make_variants(aug) | au::tally(t) | sink, exec);
    generated += t->get().generated;
    kept += out;
  }
  return double(generated) / seconds_since(t0);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_augment CORPUS.jsonl [--python CMD] [--reps N]\n");
    return 2;
  }
  const std::string corpus = argv[1];
  std::string python = std::getenv("MILLRACE_BENCH_PYTHON") ? std::getenv("MILLRACE_BENCH_PYTHON") : "python3";
  int reps = 3;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--python") python = argv[i + 1];
    if (std::string(argv[i]) == "--reps") reps = std::atoi(argv[i + 1]);
  }

  auto t0 = clk::now();
  const auto wn = au::wordnet::load();
  const double load_s = seconds_since(t0);
  auto docs = mr::to_vector(mr::io::read_jsonl({corpus}) | mr::map([](mr::io::json_record r) {
                              return au::source_doc{0, r.get_string("id").value_or(""), r.get_string("text").value_or(""), ""};
                            }),
                            mr::cpu{});
  fmt::print("corpus: {} records; WordNet load {:.3f} s\n", docs.size(), load_s);

  // Baseline first (same run): the Python EDA script on the same corpus.
  const std::string here = std::string(__FILE__).substr(0, std::string(__FILE__).rfind('/'));
  const std::string cmd = fmt::format("'{}' '{}/eda_baseline.py' '{}' 2>&1", python, here, corpus);
  double py = 0;
  std::string py_line;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    while (std::fgets(buf, sizeof buf, p)) {
      std::string l = buf;
      if (l.rfind("eda_python", 0) == 0) {
        py_line = l;
        if (auto at = l.find("variants_per_s="); at != std::string::npos) py = std::atof(l.c_str() + at + 15);
      }
    }
    ::pclose(p);
  }
  if (py > 0) fmt::print("baseline: {}", py_line);
  else fmt::print("baseline: Python EDA unavailable (needs `pip install nltk`; set MILLRACE_BENCH_PYTHON)\n");

  fmt::print("{:<34} {:>12} {:>14} {:>12}\n", "configuration", "variants/s", "per core", "vs Python");
  auto row = [&](const char* name, std::size_t threads, bool guarded) {
    std::uint64_t kept = 0;
    const double v = measure(docs, wn, threads, guarded, reps, kept);
    const double per_core = v / double(threads);
    fmt::print("{:<34} {:>12.0f} {:>14.0f} {:>11}\n", name, v, per_core, py > 0 ? fmt::format("{:.1f}x", per_core / py) : "-");
  };
  if (py > 0) fmt::print("{:<34} {:>12.0f} {:>14.0f} {:>11}\n", "python eda.py (nltk), 1 core", py, py, "1.0x");
  row("millrace EDA, 1 thread", 1, false);
  row("millrace EDA + guard, 1 thread", 1, true);
  row("millrace EDA, 2 threads", 2, false);
  row("millrace EDA + guard, 2 threads", 2, true);
  return 0;
}

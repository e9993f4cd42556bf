// bench_filters: MB/s per core of the quality filters on a generated web-like corpus: the one
// scan (analyze) alone, each filter alone (its own scan), all four fused on one scan, and the
// four one after the other (a scan each), in annotate mode (every filter runs on every document)
// and in drop mode (the first failure stops, as a pipeline of datatrove filters does); NeMo
// Curator's 28-filter English set the same two ways; and the
// fused operator through mr::run on 1 and 2 threads. Optional: writes the corpus as JSONL for
// bench/filters/datatrove_baseline.py.
//   bench_filters [--mb 32] [--reps 3] [--jsonl out.jsonl]
// g++ 12 warns -Wrestrict on `"x" + std::string` chains at -O3, a false positive (GCC PR 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include <millrace/core.hpp>
#include <millrace/core/json_value.hpp>
#include <millrace/filters.hpp>
#include <millrace/filters/nemo.hpp>
#include <millrace/synth/corpus.hpp>

#include "../common/web_corpus.hpp"

namespace mr = millrace;
namespace mf = millrace::filters;

namespace {

struct Doc {
  std::string id, text;
  mf::filter_result filter_result{};
};

std::vector<Doc> make_corpus(std::size_t mb) {
  std::vector<Doc> docs;
  web_corpus::generate(mb, [&](const std::string& id, std::string text) { docs.push_back({id, std::move(text)}); });
  return docs;
}

double cpu_seconds() { return double(std::clock()) / CLOCKS_PER_SEC; }

template <class F>
double best_mb_per_cpu_s(std::size_t bytes, int reps, F&& f) {
  double best = 0;
  for (int r = 0; r < reps; ++r) {
    const double t0 = cpu_seconds();
    f();
    const double dt = cpu_seconds() - t0;
    best = std::max(best, double(bytes) / 1e6 / dt);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mb = 32;
  int reps = 3;
  const char* jsonl = nullptr;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--mb")) mb = std::strtoul(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--jsonl")) jsonl = argv[i + 1];
  }
  const auto docs = make_corpus(mb);
  std::size_t bytes = 0;
  for (auto& d : docs) bytes += d.text.size();
  fmt::print("corpus: {} documents, {:.1f} MB\n", docs.size(), double(bytes) / 1e6);
  if (jsonl) {
    std::FILE* f = std::fopen(jsonl, "w");
    for (auto& d : docs) fmt::print(f, "{{\"id\":{},\"text\":{}}}\n", mr::json::quote(d.id), mr::json::quote(d.text));
    std::fclose(f);
  }

  const mf::gopher_quality gq{};
  const mf::gopher_repetition gr{};
  const mf::c4_quality c4{};
  const mf::fineweb_quality fw{};
  if (jsonl) {  // each filter alone on each document, for the agreement check against datatrove
    std::FILE* f = std::fopen((std::string(jsonl) + ".decisions.tsv").c_str(), "w");
    for (auto& d : docs) {
      const auto st = mf::analyze(d.text);
      fmt::print(f, "{}\t{}\t{}\t{}\t{}\n", d.id, gq.check(st), gr.check(st), c4.check(st), fw.check(st));
    }
    std::fclose(f);
  }
  std::size_t sink = 0;  // keeps the work observable

  const double scan = best_mb_per_cpu_s(bytes, reps, [&] {
    for (auto& d : docs) sink += mf::analyze(d.text).words.size();
  });
  fmt::print("{:<44} {:>8.1f} MB/CPU-s\n", "analyze (the one scan) alone", scan);
  auto alone = [&](const auto& f) {
    return best_mb_per_cpu_s(bytes, reps, [&] {
      for (auto& d : docs) sink += f.check(mf::analyze(d.text)).size();
    });
  };
  fmt::print("{:<44} {:>8.1f} MB/CPU-s\n", "gopher_quality alone (its own scan)", alone(gq));
  fmt::print("{:<44} {:>8.1f} MB/CPU-s\n", "gopher_repetition alone", alone(gr));
  fmt::print("{:<44} {:>8.1f} MB/CPU-s\n", "c4_quality alone", alone(c4));
  fmt::print("{:<44} {:>8.1f} MB/CPU-s\n", "fineweb_quality alone", alone(fw));

  // Annotate mode: all four filters measure every document.
  const double fused_all = best_mb_per_cpu_s(bytes, reps, [&] {
    for (auto& d : docs) {
      mf::filter_result r;
      const auto st = mf::analyze(d.text);
      sink += gq.check(st, &r).size() + gr.check(st, &r).size() + c4.check(st, &r).size() + fw.check(st, &r).size();
    }
  });
  const double separate_all = best_mb_per_cpu_s(bytes, reps, [&] {
    for (auto& d : docs) {
      mf::filter_result r;
      sink += gq.check(mf::analyze(d.text), &r).size() + gr.check(mf::analyze(d.text), &r).size() +
              c4.check(mf::analyze(d.text), &r).size() + fw.check(mf::analyze(d.text), &r).size();
    }
  });
  fmt::print("{:<44} {:>8.1f} MB/CPU-s\n", "annotate: 4 filters fused (1 scan)", fused_all);
  fmt::print("{:<44} {:>8.1f} MB/CPU-s   fused/separate {:.2f}x\n", "annotate: 4 filters one after the other", separate_all,
             fused_all / separate_all);

  // Drop mode: the first failure decides (the order of the FineWeb pipeline: Gopher rep, Gopher
  // quality, C4, FineWeb); one scan, or one scan per filter the document reaches.
  std::size_t kept = 0;
  const double fused_drop = best_mb_per_cpu_s(bytes, reps, [&] {
    kept = 0;
    for (auto& d : docs) kept += mf::first_failure(mf::analyze(d.text), gr, gq, c4, fw).keep();
  });
  const double separate_drop = best_mb_per_cpu_s(bytes, reps, [&] {
    for (auto& d : docs) {
      bool keep = gr.check(mf::analyze(d.text)).empty();
      keep = keep && gq.check(mf::analyze(d.text)).empty();
      keep = keep && c4.check(mf::analyze(d.text)).empty();
      keep = keep && fw.check(mf::analyze(d.text)).empty();
      sink += keep;
    }
  });
  fmt::print("{:<44} {:>8.1f} MB/CPU-s   ({} of {} kept)\n", "drop: 4 filters fused (1 scan)", fused_drop, kept, docs.size());
  fmt::print("{:<44} {:>8.1f} MB/CPU-s   fused/separate {:.2f}x\n", "drop: 4 filters one after the other", separate_drop,
             fused_drop / separate_drop);

  // NeMo Curator's 28-filter English set (filters/nemo.hpp): one scan for all 28 against one
  // scan per filter (as NeMo's ScoreFilter chain, where each filter splits the text itself).
  const auto nemo_set = mf::nemo::english_filters();
  const double nemo_fused_all = best_mb_per_cpu_s(bytes, reps, [&] {
    for (auto& d : docs) {
      mf::filter_result r;
      const auto st = mf::analyze(d.text);
      std::apply([&](const auto&... f) { ((sink += f.check(st, &r).size()), ...); }, nemo_set);
    }
  });
  const double nemo_separate_all = best_mb_per_cpu_s(bytes, reps, [&] {
    for (auto& d : docs) {
      mf::filter_result r;
      std::apply([&](const auto&... f) { ((sink += f.check(mf::analyze(d.text), &r).size()), ...); }, nemo_set);
    }
  });
  fmt::print("{:<44} {:>8.1f} MB/CPU-s\n", "annotate: NeMo 28 fused (1 scan)", nemo_fused_all);
  fmt::print("{:<44} {:>8.1f} MB/CPU-s   fused/separate {:.2f}x\n", "annotate: NeMo 28 one after the other", nemo_separate_all,
             nemo_fused_all / nemo_separate_all);
  std::size_t nemo_kept = 0;
  const double nemo_fused_drop = best_mb_per_cpu_s(bytes, reps, [&] {
    nemo_kept = 0;
    for (auto& d : docs) {
      const auto st = mf::analyze(d.text);
      nemo_kept += std::apply([&](const auto&... f) { return mf::first_failure(st, f...); }, nemo_set).keep();
    }
  });
  const double nemo_separate_drop = best_mb_per_cpu_s(bytes, reps, [&] {
    for (auto& d : docs) {
      bool keep = true;
      std::apply([&](const auto&... f) { ((keep = keep && f.check(mf::analyze(d.text)).empty()), ...); }, nemo_set);
      sink += keep;
    }
  });
  fmt::print("{:<44} {:>8.1f} MB/CPU-s   ({} of {} kept)\n", "drop: NeMo 28 fused (1 scan)", nemo_fused_drop, nemo_kept, docs.size());
  fmt::print("{:<44} {:>8.1f} MB/CPU-s   fused/separate {:.2f}x\n", "drop: NeMo 28 one after the other", nemo_separate_drop,
             nemo_fused_drop / nemo_separate_drop);
  {
    std::size_t per_doc = 0;
    for (auto& d : docs) per_doc += d.text.size();
    const double mean_bytes = double(per_doc) / double(docs.size());
    fmt::print("{:<44} {:>8.0f} docs/CPU-s (mean {:.0f} bytes/doc)\n", "drop: NeMo 28 fused, documents", nemo_fused_drop * 1e6 / mean_bytes,
               mean_bytes);
  }

  // The operator through the executors (drop mode, copies of the documents as the source).
  for (std::size_t threads : {1, 2}) {
    std::size_t out_n = 0;
    const double w0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    mr::run(mr::from_range(docs) | mf::apply<Doc>(gr, gq, c4, fw) | mr::sink([&](Doc&&) { ++out_n; }),
            mr::cpu{.threads = threads});
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpu_seconds() - w0;
    fmt::print("{:<44} {:>8.1f} MB/s wall, {:.1f} MB/CPU-s ({} kept)\n", fmt::format("mr::run apply<Doc>, cpu{{.threads={}}}", threads),
               double(bytes) / 1e6 / wall, double(bytes) / 1e6 / cpu, out_n);
  }
  if (sink == 42) std::puts("");
  return 0;
}

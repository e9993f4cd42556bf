// bench_langid: MB/s and docs/s per CPU-second of language ID on generated documents in four
// languages (sentences of each language's common words, 2..12 lines): CLD2, a fastText model (one
// trained here by `fasttext supervised`, as the tests do, or --model FILE such as lid.176.bin),
// against analyze() (the scan every quality filter pays) and gopher_quality on the same documents;
// and the language filter through mr::run on 1 and 2 threads.
//   bench_langid [--mb 16] [--reps 3] [--model lid.176.bin]
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
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include <millrace/augment/rng.hpp>
#include <millrace/core.hpp>
#include <millrace/filters.hpp>
#include <millrace/filters/cld2.hpp>
#include <millrace/filters/fasttext_langid.hpp>

namespace mr = millrace;
namespace mf = millrace::filters;
namespace fs = std::filesystem;

namespace {

struct Doc {
  std::string lang, text;
  mf::filter_result filter_result{};
};

const std::map<std::string, std::vector<std::string>> vocabulary = {
    {"en", {"the", "of", "and", "to", "in", "is", "that", "it", "was", "for", "on", "are", "with", "they", "be", "at",
            "one", "have", "this", "from", "by", "word", "but", "what", "some", "we", "can", "out", "other", "were",
            "all", "there", "when", "up", "use", "your", "how", "said", "each", "which", "their", "time", "will",
            "way", "about", "many", "then", "them", "would", "write", "like", "these", "her", "long", "make", "thing"}},
    {"de", {"der", "die", "und", "in", "den", "von", "zu", "das", "mit", "sich", "des", "auf", "für", "ist", "im",
            "dem", "nicht", "ein", "eine", "als", "auch", "es", "an", "werden", "aus", "er", "hat", "dass", "sie",
            "nach", "wird", "bei", "einer", "um", "am", "sind", "noch", "wie", "einem", "über", "einen", "so", "zum",
            "war", "haben", "nur", "oder", "aber", "vor", "zur", "bis", "mehr", "durch", "man", "sein", "wurde"}},
    {"fr", {"le", "de", "un", "être", "et", "à", "il", "avoir", "ne", "je", "son", "que", "se", "qui", "ce", "dans",
            "en", "du", "elle", "au", "pour", "pas", "plus", "pouvoir", "par", "sur", "faire", "avec", "tout", "nous",
            "mais", "aller", "vous", "dire", "leur", "bien", "où", "sans", "encore", "même", "aussi", "quand", "très",
            "peu", "après", "chose", "toujours", "jour", "monde", "homme", "temps", "ville", "parce", "maison"}},
    {"es", {"el", "la", "de", "que", "y", "a", "en", "un", "ser", "se", "no", "haber", "por", "con", "su", "para",
            "como", "estar", "tener", "le", "lo", "todo", "pero", "más", "hacer", "o", "poder", "decir", "este", "ir",
            "otro", "ese", "si", "me", "ya", "ver", "porque", "dar", "cuando", "él", "muy", "sin", "vez", "mucho",
            "saber", "qué", "sobre", "mi", "alguno", "mismo", "yo", "también", "hasta", "año", "dos", "querer"}},
};

std::string sentence(const std::vector<std::string>& words, mr::augment::rng& r) {
  const std::size_t n = 6 + r.below(10);
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += (i ? " " : "") + words[r.below(words.size())];
  return s + ".";
}

std::vector<Doc> make_docs(std::uint64_t seed, std::size_t bytes_wanted, std::size_t max_lines) {
  std::vector<Doc> docs;
  std::size_t bytes = 0;
  for (std::uint64_t key = 0; bytes < bytes_wanted; ++key)
    for (auto& [lang, words] : vocabulary) {
      mr::augment::rng r(seed, key, 0, 0);
      std::string t;
      const std::size_t lines = 2 + r.below(max_lines - 1);
      for (std::size_t l = 0; l < lines; ++l) t += sentence(words, r) + " " + sentence(words, r) + "\n";
      bytes += t.size();
      docs.push_back({lang, std::move(t)});
    }
  return docs;
}

double cpu_seconds() { return double(std::clock()) / CLOCKS_PER_SEC; }

template <class F>
double best_cpu_s(int reps, F&& f) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    const double t0 = cpu_seconds();
    f();
    best = std::min(best, cpu_seconds() - t0);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mb = 16;
  int reps = 3;
  std::string model;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--mb")) mb = std::strtoul(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--model")) model = argv[i + 1];
  }
  const fs::path dir = fs::temp_directory_path() / ("millrace-bench-langid-" + std::to_string(::getpid()));
  if (model.empty()) {
    fs::create_directories(dir);
    {
      std::ofstream f(dir / "train.txt");
      for (auto& d : make_docs(20261202, 2 << 20, 3)) {
        std::string t = d.text;
        std::replace(t.begin(), t.end(), '\n', ' ');
        f << "__label__" << d.lang << ' ' << t << '\n';
      }
    }
    const std::string cmd = std::string(MILLRACE_FASTTEXT_BIN) + " supervised -input " + (dir / "train.txt").string() +
                            " -output " + (dir / "model").string() +
                            " -epoch 10 -lr 0.5 -dim 16 -minn 2 -maxn 4 -bucket 200000 -thread 1 -verbose 0";
    if (std::system(cmd.c_str()) != 0) {
      fmt::print(stderr, "bench_langid: fasttext supervised failed: {}\n", cmd);
      return 1;
    }
    model = (dir / "model.bin").string();
  }
  const auto docs = make_docs(7, mb << 20, 12);
  std::size_t bytes = 0;
  for (auto& d : docs) bytes += d.text.size();
  fmt::print("corpus: {} documents in 4 languages, {:.1f} MB; fastText model: {}\n", docs.size(), double(bytes) / 1e6,
             model);

  const mf::cld2_detector cld2{};
  const mf::fasttext_detector ft{model};
  const mf::gopher_quality gq{};
  std::size_t sink = 0, cld2_right = 0, ft_right = 0;
  for (auto& d : docs) {
    cld2_right += cld2.detect(d.text).language == d.lang;
    ft_right += ft.detect(d.text).language == d.lang;
  }
  struct row {
    const char* name;
    double s;
  };
  std::vector<row> rows;
  rows.push_back({"analyze (the filters' one scan)", best_cpu_s(reps, [&] {
                    for (auto& d : docs) sink += mf::analyze(d.text).words.size();
                  })});
  rows.push_back({"gopher_quality (scan + check)", best_cpu_s(reps, [&] {
                    for (auto& d : docs) sink += gq.check(mf::analyze(d.text)).size();
                  })});
  rows.push_back({"cld2_detector.detect", best_cpu_s(reps, [&] {
                    for (auto& d : docs) sink += cld2.detect(d.text).language.size();
                  })});
  rows.push_back({"fasttext_detector.detect", best_cpu_s(reps, [&] {
                    for (auto& d : docs) sink += ft.detect(d.text).language.size();
                  })});
  const mf::language_filter lid_cld2{cld2, {.languages = {"en"}}};
  rows.push_back({"apply(language_filter<cld2>), serial run", best_cpu_s(reps, [&] {
                    std::vector<Doc> kept;
                    mr::run(mr::from_range(docs) | mf::apply<Doc>(lid_cld2) | mr::collect(kept), mr::serial_executor{});
                    sink += kept.size();
                  })});
  const mf::language_filter lid_ft{ft, {.languages = {"en"}}};
  rows.push_back({"apply(language_filter<fasttext>), serial run", best_cpu_s(reps, [&] {
                    std::vector<Doc> kept;
                    mr::run(mr::from_range(docs) | mf::apply<Doc>(lid_ft) | mr::collect(kept), mr::serial_executor{});
                    sink += kept.size();
                  })});
  const double gopher_s = rows[1].s;
  fmt::print("{:<46} {:>10} {:>12} {:>16}\n", "per CPU-second", "MB/s", "docs/s", "x gopher_quality");
  for (auto& r : rows)
    fmt::print("{:<46} {:>10.1f} {:>12.0f} {:>16.2f}\n", r.name, double(bytes) / 1e6 / r.s, double(docs.size()) / r.s,
               gopher_s / r.s);
  // Two threads: wall-clock docs/s of the fastText filter (the shared model on both).
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Doc> kept;
  mr::run(mr::from_range(docs) | mf::apply<Doc>(lid_ft) | mr::collect(kept), mr::cpu{.threads = 2});
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("apply(language_filter<fasttext>) on 2 threads: {:.0f} docs/s wall ({} kept)\n", double(docs.size()) / wall,
             kept.size());
  fmt::print("accuracy on these documents: cld2 {:.3f}, fasttext {:.3f}\n", double(cld2_right) / double(docs.size()),
             double(ft_right) / double(docs.size()));
  std::error_code ec;
  fs::remove_all(dir, ec);
  return sink == 42 ? 1 : 0;
}

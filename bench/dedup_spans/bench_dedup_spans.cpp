// bench_dedup_spans: corpus-wide line dedup and Bloom n-gram dedup on a generated web-like corpus
// (a third of the lines boilerplate drawn from a small pool, the rest unique), against baselines
// in the same run: a std::unordered_set<std::string> of lines (line dedup, one thread) and a
// std::unordered_set<std::uint64_t> of n-gram hashes (exact n-gram dedup, one thread). Prints
// MB/s, the ratio to the baseline, the sets' memory, and checks that line dedup's output equals
// the baseline's (exit 1 if not).
//   bench_dedup_spans [--mb 32] [--reps 3]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

#include <millrace/core.hpp>
#include <millrace/dedup/bloom_ngram.hpp>
#include <millrace/dedup/span_dedup.hpp>
#include <millrace/dedup/span_dedup_out_of_core.hpp>
#include <millrace/text/shingle.hpp>

namespace mr = millrace;
namespace dd = millrace::dedup;

namespace {

struct Doc {
  std::size_t id = 0;
  std::string text;
};
auto doc_text = [](Doc& d) -> std::string& { return d.text; };

std::string word(std::mt19937_64& rng) {
  static const char* syl[] = {"ka", "ro", "mi", "te", "su", "lo", "an", "ve", "di", "por", "nex", "qua", "ti", "bel", "or", "un"};
  std::string w;
  const std::size_t n = 1 + rng() % 3;
  for (std::size_t i = 0; i < n; ++i) w += syl[rng() % 16];
  return w;
}
std::string line(std::mt19937_64& rng) {
  std::string l;
  const std::size_t n = 4 + rng() % 16;
  for (std::size_t i = 0; i < n; ++i) l += (i ? " " : "") + word(rng);
  return l + ".";
}

std::vector<Doc> make_corpus(std::size_t mb) {
  std::mt19937_64 rng(2026);
  std::vector<std::string> boilerplate;
  for (int i = 0; i < 500; ++i) boilerplate.push_back(line(rng));
  std::vector<Doc> docs;
  std::size_t bytes = 0;
  while (bytes < mb << 20) {
    std::string t;
    const std::size_t lines = 5 + rng() % 30;
    for (std::size_t i = 0; i < lines; ++i) {
      t += (rng() % 3 == 0) ? boilerplate[rng() % boilerplate.size()] : line(rng);
      t += (rng() % 6 == 0) ? "\n\n" : "\n";
    }
    bytes += t.size();
    docs.push_back({docs.size(), std::move(t)});
  }
  return docs;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || (s.front() >= '\t' && s.front() <= '\r'))) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || (s.back() >= '\t' && s.back() <= '\r'))) s.remove_suffix(1);
  return s;
}

// The baseline: line dedup with a set of the lines themselves.
std::vector<Doc> baseline_lines(std::vector<Doc> docs, std::size_t& memory) {
  std::unordered_set<std::string> seen;
  std::vector<Doc> out;
  for (Doc& d : docs) {
    std::string kept;
    bool changed = false;
    std::size_t b = 0;
    while (b < d.text.size()) {
      const std::size_t nl = d.text.find('\n', b);
      const std::size_t e = nl == std::string::npos ? d.text.size() : nl + 1;
      const std::string_view l(d.text.data() + b, e - b);
      const std::string_view key = trim(l);
      if (key.empty() || seen.emplace(key).second) kept.append(l);
      else changed = true;
      b = e;
    }
    if (changed && trim(kept).empty()) continue;
    d.text = std::move(kept);
    out.push_back(std::move(d));
  }
  // libstdc++: a node holds the next pointer, the string and its cached hash; strings over 15
  // bytes live on the heap; one pointer per bucket.
  memory = seen.bucket_count() * sizeof(void*);
  for (auto& s : seen) memory += sizeof(void*) + sizeof(std::string) + sizeof(std::size_t) + (s.size() > 15 ? s.size() + 1 : 0);
  return out;
}

// The Bloom baseline: the same decisions with an exact set of n-gram hashes (no false positives).
std::vector<Doc> baseline_ngrams(std::vector<Doc> docs, const dd::bloom_ngram_options& o, std::size_t& memory) {
  std::unordered_set<std::uint64_t> seen;
  std::vector<Doc> out;
  std::vector<std::uint64_t> h;
  for (Doc& d : docs) {
    std::string kept;
    bool changed = false;
    std::size_t b = 0;
    while (b < d.text.size()) {
      const std::size_t nl = d.text.find('\n', b);
      const std::size_t e = nl == std::string::npos ? d.text.size() : nl + 1;
      const std::string_view l(d.text.data() + b, e - b), para = trim(l);
      std::size_t words = 0;
      for (std::size_t i = 0; i < para.size(); ++i)
        if (para[i] != ' ' && (i == 0 || para[i - 1] == ' ')) ++words;
      bool dup = false;
      if (words >= o.min_words) {
        mr::text::word_shingle_hashes(para, o.ngram, h);
        std::size_t found = 0;
        for (auto x : h) found += seen.count(x);
        dup = double(found) >= o.threshold * double(h.size());
        if (!dup) seen.insert(h.begin(), h.end());
      }
      if (dup) changed = true;
      else kept.append(l);
      b = e;
    }
    if (changed && trim(kept).empty()) continue;
    d.text = std::move(kept);
    out.push_back(std::move(d));
  }
  memory = seen.bucket_count() * sizeof(void*) + seen.size() * (sizeof(void*) + sizeof(std::uint64_t));
  return out;
}

template <class F>
double best_seconds(int reps, F&& f) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

bool same_texts(const std::vector<Doc>& a, const std::vector<Doc>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].id != b[i].id || a[i].text != b[i].text) return false;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mb = 32;
  int reps = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--mb")) mb = std::size_t(std::atol(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(argv[i + 1]);
  }
  const auto docs = make_corpus(mb);
  double total = 0;
  for (auto& d : docs) total += double(d.text.size());
  const double MB = total / 1e6;
  fmt::print("corpus: {} documents, {:.1f} MB\n\n", docs.size(), MB);
  bool ok = true;

  // --- line dedup
  std::size_t base_mem = 0;
  std::vector<Doc> base;
  const double t_base = best_seconds(reps, [&] { base = baseline_lines(docs, base_mem); });
  fmt::print("{:<46} {:>9} {:>8} {:>12}\n", "line dedup", "MB/s", "ratio", "set memory");
  fmt::print("{:<46} {:>9.1f} {:>8.2f} {:>10.1f}MB\n", "baseline unordered_set<string>, 1 thread", MB / t_base, 1.0, base_mem / 1e6);
  auto line_run = [&](const char* what, auto exec) {
    std::vector<Doc> out;
    dd::span_dedup_stage<Doc, decltype(doc_text)> st({}, doc_text);
    const double t = best_seconds(reps, [&] {
      out.clear();
      st = dd::span_dedup_stage<Doc, decltype(doc_text)>({}, doc_text);
      mr::run(mr::from_range(docs) | mr::stage(std::ref(st)) | mr::collect(out), exec);
    });
    const bool same = same_texts(out, base);
    ok = ok && same;
    fmt::print("{:<46} {:>9.1f} {:>8.2f} {:>10.1f}MB{}\n", what, MB / t, t_base / t, st.memory_bytes() / 1e6, same ? "" : "  OUTPUT DIFFERS");
  };
  line_run("dedup::spans, serial executor", mr::serial_executor{});
  line_run("dedup::spans, cpu 2 threads", mr::cpu{.threads = 2});
  {
    std::vector<Doc> out;
    mr::spill_stats sp;
    const double t = best_seconds(reps, [&] {
      out.clear();
      dd::span_dedup_out_of_core sd({}, {.memory_budget = std::size_t(4) << 20});
      mr::run(mr::from_range(docs) | sd.hash_pass(doc_text), mr::cpu{.threads = 2});
      sd.find_duplicates();
      mr::run(mr::from_range(docs) | sd.remove_pass(doc_text) | mr::collect(out), mr::cpu{.threads = 2});
      sp = sd.spill();
    });
    const bool same = same_texts(out, base);
    ok = ok && same;
    fmt::print("{:<46} {:>9.1f} {:>8.2f} {:>10.1f}MB{}  ({} runs, {:.1f} MB spilled)\n", "span_dedup_out_of_core, 4 MB budget, cpu 2T", MB / t,
               t_base / t, sp.peak_buffered_bytes / 1e6, same ? "" : "  OUTPUT DIFFERS", sp.runs, sp.bytes_spilled / 1e6);
  }

  // --- Bloom n-gram dedup
  dd::bloom_ngram_options o{.ngram = 13, .min_words = 5, .threshold = 0.8, .expected_ngrams = 0, .false_positive_rate = 0.01};
  {
    std::vector<std::uint64_t> h;
    std::uint64_t n = 0;
    for (auto& d : docs) {
      mr::text::word_shingle_hashes(d.text, o.ngram, h);
      n += h.size();
    }
    o.expected_ngrams = n;  // an upper bound of the distinct n-grams
  }
  std::size_t nbase_mem = 0;
  std::vector<Doc> nbase;
  const double t_nbase = best_seconds(reps, [&] { nbase = baseline_ngrams(docs, o, nbase_mem); });
  fmt::print("\n{:<46} {:>9} {:>8} {:>12}   (13-grams, threshold 0.8, p = 0.01 at {} n-grams)\n", "Bloom n-gram dedup", "MB/s", "ratio",
             "memory", o.expected_ngrams);
  fmt::print("{:<46} {:>9.1f} {:>8.2f} {:>10.1f}MB\n", "baseline unordered_set<uint64_t>, 1 thread", MB / t_nbase, 1.0, nbase_mem / 1e6);
  auto bloom_run = [&](const char* what, auto make, auto exec) {
    std::vector<Doc> out;
    std::size_t mem = 0;
    const double t = best_seconds(reps, [&] {
      out.clear();
      auto st = make();
      mr::run(mr::from_range(docs) | mr::stage(std::ref(st)) | mr::collect(out), exec);
      mem = st.memory_bytes();
    });
    std::size_t agree = 0;
    for (std::size_t i = 0, j = 0; i < out.size() && j < nbase.size();) {
      if (out[i].id == nbase[j].id) {
        agree += out[i].text == nbase[j].text;
        ++i, ++j;
      } else if (out[i].id < nbase[j].id) {
        ++i;
      } else {
        ++j;
      }
    }
    fmt::print("{:<46} {:>9.1f} {:>8.2f} {:>10.1f}MB  ({} docs out, baseline {}, identical {})\n", what, MB / t, t_nbase / t, mem / 1e6,
               out.size(), nbase.size(), agree);
  };
  using ordered = dd::bloom_ngram_stage<Doc, decltype(doc_text), true>;
  using unordered = dd::bloom_ngram_stage<Doc, decltype(doc_text), false>;
  bloom_run("bloom_ngrams (ordered), serial executor", [&] { return ordered(o, doc_text); }, mr::serial_executor{});
  bloom_run("bloom_ngrams (ordered), cpu 2 threads", [&] { return ordered(o, doc_text); }, mr::cpu{.threads = 2});
  bloom_run("bloom_ngrams_unordered, cpu 2 threads", [&] { return unordered(o, doc_text); }, mr::cpu{.threads = 2});

  if (!ok) {
    fmt::print(stderr, "line dedup output differs from the baseline\n");
    return 1;
  }
  return 0;
}

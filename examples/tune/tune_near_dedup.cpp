// tune-near-dedup: mr::tune chooses near-dedup's threshold, bands x rows and n-gram size to
// maximize pair F1 against exact-Jaccard truth on a generated corpus, then compares the tuned and
// the default configuration on a held-back corpus (another seed). --check fails unless the tuned
// one is better there.
//   tune-near-dedup --docs 1800 --target 0.6 --trials 27 --check
#include <millrace/dedup/all_pairs_jaccard.hpp>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/synth/corpus.hpp>
#include <millrace/synth/score.hpp>
#include <millrace/tune.hpp>

#include <fmt/core.h>

#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mr = millrace;
namespace dd = millrace::dedup;

namespace {

/// What mr::tune searches: near_dedup_options' own parameters (dd::near_dedup_options::parameters),
/// these four, within narrower ranges than they allow; num_perm follows as bands x rows.
const std::vector<std::string> searched = {"threshold", "lsh.bands", "lsh.rows", "ngram"};
const std::vector<mr::search_range> search_ranges = {
    {"threshold", 0.3, 0.95}, {"lsh.bands", 2, 40}, {"lsh.rows", 1, 16}, {"ngram", 2, 8}};

/// The starting point: the defaults with bands x rows explicit (14 x 8 = num_perm 112), so that they are searched.
dd::near_dedup_options start_options() {
  dd::near_dedup_options o;
  o.lsh = dd::lsh_params{14, 8};
  return o;
}

/// The options a trial runs with: num_perm = bands x rows.
dd::near_dedup_options runnable(dd::near_dedup_options o) {
  o.num_perm = o.lsh->bands * o.lsh->rows;
  return o;
}

struct truth_options {
  double target = 0.6;    // a pair is a duplicate when its exact Jaccard is at least this
  std::size_t ngram = 5;  // on word n-grams of this size, normalized (near-dedup's default shingles)
};

/// Pair F1 of the module's clusters against exact-Jaccard truth, on these documents only.
double pair_f1(const dd::near_dedup_options& m, std::span<const std::string> docs, const truth_options& t) {
  dd::near_dedup_options truth_shingles;
  truth_shingles.ngram = t.ngram;
  std::vector<std::vector<std::uint64_t>> sets;
  std::vector<std::string_view> views(docs.begin(), docs.end());
  for (auto v : views) sets.push_back(dd::shingle_set(v, truth_shingles));
  const auto truth = dd::all_pairs_jaccard(sets, t.target);
  const auto r = dd::near_dedup(views, runnable(m));
  const auto s = millrace::synth::score_clustering(r.cluster, sets, truth, t.target, t.target);
  const double p = s.precision(), rc = s.recall();
  return p + rc > 0 ? 2 * p * rc / (p + rc) : 0.0;
}

std::vector<std::string> corpus(std::size_t docs, std::uint64_t seed) {
  std::vector<std::string> out;
  for (auto& d : millrace::synth::generate_corpus({.docs = docs, .seed = seed})) out.push_back(std::move(d.text));
  return out;
}

int usage(int rc) {
  fmt::print(rc ? stderr : stdout,
             "usage: tune-near-dedup [--docs N] [--target J] [--trials N] [--seed S] [--threads N] [--check]\n"
             "  Tunes near-dedup's threshold, bands, rows and n-gram size for pair F1 against pairs of exact\n"
             "  word-5-gram Jaccard >= J (default 0.6) on a generated corpus of N documents (1800), and compares\n"
             "  tuned and default on a held-back corpus. --check: exit 1 unless the tuned config is better there.\n");
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t docs = 1800;
  truth_options truth;
  mr::tune_options opts;
  opts.only = searched;
  opts.ranges = search_ranges;
  bool check = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--help" || a == "-h") return usage(0);
    if (a == "--check") check = true;
    else if (a == "--docs" && (v = next())) docs = std::strtoull(v, nullptr, 10);
    else if (a == "--target" && (v = next())) truth.target = std::strtod(v, nullptr);
    else if (a == "--trials" && (v = next())) opts.trials = std::strtoull(v, nullptr, 10);
    else if (a == "--seed" && (v = next())) opts.seed = std::strtoull(v, nullptr, 10);
    else if (a == "--threads" && (v = next())) opts.threads = std::strtoull(v, nullptr, 10);
    else return usage(2);
  }
  const auto sample = corpus(docs, 1), held_back = corpus(docs, 2);
  const dd::near_dedup_options start = start_options();
  auto metric = [&](const dd::near_dedup_options& m, std::span<const std::string> part) { return pair_f1(m, part, truth); };
  const auto r = mr::tune(start, metric, sample, opts);
  fmt::print("{}", r.to_text());
  dd::near_dedup_options tuned;
  mr::load_config(tuned, r.best_config);
  const double f1_default = pair_f1(start, held_back, truth), f1_tuned = pair_f1(tuned, held_back, truth);
  fmt::print("best config: {}\nheld-back pair F1 (J >= {}): default {:.4f}, tuned {:.4f}\n", r.best_config, truth.target,
             f1_default, f1_tuned);
  if (check && !(f1_tuned > f1_default)) {
    fmt::print(stderr, "tune-near-dedup: the tuned config does not beat the default on the held-back corpus\n");
    return 1;
  }
  return 0;
}

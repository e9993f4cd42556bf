// tune-filters: mr::tune chooses the Gopher quality filter's thresholds so that its keep/drop
// decisions best match a labelled sample (balanced accuracy), then compares tuned and default thresholds on
// a held-back sample. The labels come from a simulated annotator whose notion of a good document
// differs from Gopher's defaults (longer, fewer numbers, more stop words) and who errs 3% of the
// time. --check fails unless the tuned thresholds agree with the held-back labels more often.
//   tune-filters --docs 600 --trials 81 --check
#include <millrace/filters/gopher.hpp>
#include <millrace/synth/corpus.hpp>
#include <millrace/tune.hpp>

#include <fmt/core.h>

#include <array>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

namespace mr = millrace;
namespace fl = millrace::filters;

namespace {

/// The thresholds of filters::gopher_quality a recipe would set, as a module.
struct gopher_recipe_module {
  std::size_t min_doc_words = 50;
  double min_avg_word_length = 3;
  double max_symbol_word_ratio = 0.1;
  double min_alpha_words_ratio = 0.8;
  std::size_t min_stop_words = 2;
  auto parameters() {
    return mr::params(mr::param("min_doc_words", min_doc_words).range(0, 300),
                      mr::param("min_avg_word_length", min_avg_word_length).range(0, 6),
                      mr::param("max_symbol_word_ratio", max_symbol_word_ratio).range(0, 0.5),
                      mr::param("min_alpha_words_ratio", min_alpha_words_ratio).range(0, 1),
                      mr::param("min_stop_words", min_stop_words).range(0, 8));
  }
  fl::gopher_quality filter() const {
    fl::gopher_quality g;
    g.params.min_doc_words = min_doc_words;
    g.params.min_avg_word_length = min_avg_word_length;
    g.params.max_symbol_word_ratio = max_symbol_word_ratio;
    g.params.min_alpha_words_ratio = min_alpha_words_ratio;
    g.params.min_stop_words = min_stop_words;
    return g;
  }
};

struct labelled {
  std::string text;
  bool good = false;  // the annotator's label
};

// Documents of 30-250 words mixing content words, stop words, numbers and '#' tags; labelled good
// when long (>= 100 words), mostly words (<= 10% numbers), with >= 3 distinct stop words and few
// tags; 3% of labels flipped.
std::vector<labelled> sample_of(std::size_t n, std::uint64_t seed) {
  static const std::array<const char*, 16> content = {"river", "market", "garden", "window", "station", "harvest",
                                                       "letter", "winter", "engine", "silver", "forest", "theory",
                                                       "doctor", "island", "museum", "bridge"};
  static const std::array<const char*, 8> stop = {"the", "be", "to", "of", "and", "that", "have", "with"};
  millrace::synth::rng g(seed);
  std::vector<labelled> out;
  for (std::size_t d = 0; d < n; ++d) {
    const std::size_t words = g.between(30, 250);
    const double p_number = g.uniform() * 0.15, p_tag = g.uniform() < 0.1 ? 0.15 : 0.0;
    const std::size_t stops_used = g.between(1, 8);
    labelled l;
    std::size_t numbers = 0, tags = 0;
    std::array<bool, 8> seen{};
    for (std::size_t w = 0; w < words; ++w) {
      if (w) l.text += w % 12 == 0 ? '\n' : ' ';
      if (g.bernoulli(p_number)) {
        l.text += std::to_string(g.between(10, 99999)), ++numbers;
      } else if (g.bernoulli(p_tag)) {
        l.text += "#tag", ++tags;
      } else if (stops_used && g.bernoulli(0.3)) {
        const std::size_t k = g.below_unbiased(stops_used);
        l.text += stop[k];
        seen[k] = true;
      } else {
        l.text += content[g.below_unbiased(content.size())];
      }
    }
    std::size_t distinct = 0;
    for (bool s : seen) distinct += s;
    l.good = words >= 100 && double(numbers) <= 0.1 * double(words) && distinct >= 3 && double(tags) <= 0.05 * double(words);
    if (g.bernoulli(0.03)) l.good = !l.good;
    out.push_back(std::move(l));
  }
  return out;
}

/// Balanced accuracy of the filter's keep/drop decisions against the labels: the mean of the
/// share of good documents kept and of bad ones dropped (keeping all or nothing scores 0.5).
double agreement(const gopher_recipe_module& m, std::span<const labelled> docs) {
  const auto f = m.filter();
  std::size_t good = 0, kept_good = 0, bad = 0, dropped_bad = 0;
  for (const auto& d : docs) {
    const bool keep = f.check(fl::analyze(d.text)).empty();
    (d.good ? good : bad) += 1;
    (d.good ? kept_good : dropped_bad) += d.good == keep;
  }
  const double tpr = good ? double(kept_good) / double(good) : 1.0, tnr = bad ? double(dropped_bad) / double(bad) : 1.0;
  return (tpr + tnr) / 2;
}

int usage(int rc) {
  fmt::print(rc ? stderr : stdout,
             "usage: tune-filters [--docs N] [--trials N (81)] [--seed S] [--threads N] [--check]\n"
             "  Tunes gopher_quality's thresholds to agree with a labelled sample of N documents (600) and\n"
             "  compares tuned and default on a held-back sample. --check: exit 1 unless tuned agrees better.\n");
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t docs = 600;
  mr::tune_options opts;
  opts.trials = 81;  // five thresholds: more draws than the default 27 pay off, and a trial is cheap
  bool check = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--help" || a == "-h") return usage(0);
    if (a == "--check") check = true;
    else if (a == "--docs" && (v = next())) docs = std::strtoull(v, nullptr, 10);
    else if (a == "--trials" && (v = next())) opts.trials = std::strtoull(v, nullptr, 10);
    else if (a == "--seed" && (v = next())) opts.seed = std::strtoull(v, nullptr, 10);
    else if (a == "--threads" && (v = next())) opts.threads = std::strtoull(v, nullptr, 10);
    else return usage(2);
  }
  const auto sample = sample_of(docs, 1), held_back = sample_of(docs, 2);
  const gopher_recipe_module start;
  const auto r = mr::tune(start, agreement, sample, opts);
  fmt::print("{}", r.to_text());
  gopher_recipe_module tuned;
  mr::load_config(tuned, r.best_config);
  const double a_default = agreement(start, held_back), a_tuned = agreement(tuned, held_back);
  fmt::print("best config: {}\nheld-back agreement with the labels: default {:.4f}, tuned {:.4f}\n", r.best_config,
             a_default, a_tuned);
  if (check && !(a_tuned > a_default)) {
    fmt::print(stderr, "tune-filters: the tuned thresholds do not beat the defaults on the held-back sample\n");
    return 1;
  }
  return 0;
}

// mr::tune: the search space read from a module's declared parameters, successive halving's rungs
// and promotions, the optimum found on a known metric, determinism for any thread count, errors.
#include <doctest/doctest.h>

#include <millrace/tune.hpp>

#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace mr = millrace;

namespace {

struct inner_module {
  std::size_t ngram = 3;
  double unbounded = 1.5;  // no range: not searched
  auto parameters() {
    return mr::params(mr::param("ngram", ngram, "shingle size").range(1, 8), mr::param("unbounded", unbounded));
  }
};

struct toy_module {
  double threshold = 0.5;
  int shift = 0;
  std::string mode = "a";
  std::string label = "free text";  // no choices: not searched
  bool flag = false;                // a switch: searched only when named
  inner_module inner;
  auto parameters() {
    return mr::params(mr::param("threshold", threshold).range(0.1, 0.9), mr::param("shift", shift).range(-3, 3),
                      mr::param("mode", mode).one_of({"a", "b", "c"}), mr::param("label", label),
                      mr::param("flag", flag), mr::param("inner", inner));
  }
};

// Best at threshold 0.7, shift 2, mode "b", ngram 5; the sample only scales the score.
double toy_score(const toy_module& m, std::span<const int> sample) {
  double s = -std::pow(m.threshold - 0.7, 2) - 0.1 * std::pow(m.shift - 2, 2) - 0.05 * std::pow(double(m.inner.ngram) - 5, 2);
  if (m.mode != "b") s -= 0.5;
  if (m.flag) s -= 0.01;
  return s * double(sample.size());
}

std::vector<int> ints(int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(i);
  return v;
}

}  // namespace

TEST_CASE("tune.search_space.declared_ranges_and_choices") {
  toy_module m;
  const auto dims = mr::search_space_of(m);
  REQUIRE(dims.size() == 4);
  CHECK(dims[0].path == "threshold");
  CHECK(dims[0].type == mr::search_dimension::kind::real);
  CHECK(dims[0].lo == 0.1);
  CHECK(dims[0].hi == 0.9);
  CHECK(dims[0].current == "0.5");
  CHECK(dims[1].path == "shift");
  CHECK(dims[1].type == mr::search_dimension::kind::integer);
  CHECK(dims[2].describe() == "mode: one of \"a\", \"b\", \"c\"");
  CHECK(dims[3].path == "inner.ngram");
  CHECK(dims[3].describe() == "inner.ngram: integer in [1, 8]");
  CHECK(dims[3].config_with("4") == "{\"inner\": {\"ngram\": 4}}");

  const auto some = mr::search_space_of(m, {"flag", "inner.ngram"});
  REQUIRE(some.size() == 2);
  CHECK(some[0].path == "flag");
  CHECK(some[0].choices == std::vector<std::string>{"false", "true"});
  CHECK(some[1].path == "inner.ngram");
  CHECK_THROWS_WITH_AS(mr::search_space_of(m, {"label"}), doctest::Contains("'label' cannot be searched"), mr::config_error);
  CHECK_THROWS_AS(mr::search_space_of(m, {"inner.unbounded"}), mr::config_error);
  CHECK_THROWS_AS(mr::search_space_of(m, {"nope"}), mr::config_error);
}

TEST_CASE("tune.draws_never_take_an_excluded_minimum") {
  // A real declared .exclusive_min(): (lo, hi]. Drawn at 4 significant digits, a narrow range rounds
  // to lo nearly always; such a draw is taken again (or is hi), never lo, which load_config refuses.
  struct open_module {
    double threshold = 0.50002;
    auto parameters() { return mr::params(mr::param("threshold", threshold).range(0.5, 0.50004).exclusive_min()); }
  } m;
  const auto dims = mr::search_space_of(m);
  REQUIRE(dims.size() == 1);
  CHECK(dims[0].lo_open);
  CHECK(dims[0].describe() == "threshold: real in (0.5, 0.50004]");
  millrace::splitmix64 g{7};
  for (int i = 0; i < 200; ++i) {
    const std::string v = dims[0].draw(g);
    CHECK(std::stod(v) > 0.5);
    open_module c;
    mr::load_config(c, dims[0].config_with(v));
  }
}

TEST_CASE("tune.draws_stay_in_range_and_load") {
  toy_module m;
  auto r = mr::tune(m, toy_score, ints(100), {.seed = 3, .trials = 40, .threads = 2});
  REQUIRE(r.trials.size() == 40);
  for (const auto& t : r.trials) {
    toy_module c;
    mr::load_config(c, t.config);  // every trial's config is loadable (its checks pass)
    CHECK(c.threshold >= 0.1);
    CHECK(c.threshold <= 0.9);
    CHECK(c.shift >= -3);
    CHECK(c.shift <= 3);
    CHECK(c.inner.ngram >= 1);
    CHECK(c.inner.ngram <= 8);
    CHECK(c.label == "free text");  // not searched: as given
    CHECK(c.flag == false);
    CHECK(mr::config_json(c) == t.config);
  }
  CHECK(r.trials[0].config == mr::config_json(m));
  CHECK(r.trials[0].values == "threshold=0.5 shift=0 mode=\"a\" inner.ngram=3");
}

TEST_CASE("tune.finds_the_optimum_of_a_small_space") {
  // shift x mode = 7 x 3 = 21 configurations; 30 trials exhaust them (no repeats are drawn).
  toy_module m;
  m.threshold = 0.7;
  m.inner.ngram = 5;
  auto r = mr::tune(m, toy_score, ints(81), {.seed = 1, .trials = 30, .only = {"shift", "mode"}});
  CHECK(r.trials.size() == 21);
  toy_module best;
  mr::load_config(best, r.best_config);
  CHECK(best.shift == 2);
  CHECK(best.mode == "b");
  CHECK(r.best_score == doctest::Approx(0.0));
  CHECK(r.best_score > r.start_score());
}

TEST_CASE("tune.random_search_improves_on_the_start") {
  toy_module m;
  auto r = mr::tune(m, toy_score, ints(270), {.seed = 7, .trials = 81, .threads = 2});
  CHECK(r.best_score > r.start_score());
  // The winner is the best of the trials that reached the whole sample.
  for (const auto& t : r.trials)
    if (t.scores.size() == r.rung_sizes.size()) CHECK(t.scores.back() <= r.best_score);
  toy_module best;
  mr::load_config(best, r.best_config);
  CHECK(best.mode == "b");
  CHECK(toy_score(best, ints(270)) == doctest::Approx(r.best_score));
}

TEST_CASE("tune.halving.rungs_and_promotions") {
  toy_module m;
  std::mutex mu;
  std::map<std::size_t, int> calls_by_size;
  auto metric = [&](const toy_module& c, std::span<const int> s) {
    std::lock_guard lock(mu);
    ++calls_by_size[s.size()];
    return toy_score(c, s);
  };
  auto r = mr::tune(m, metric, ints(270), {.seed = 2, .trials = 27, .eta = 3, .min_sample = 10, .threads = 3});
  REQUIRE(r.rung_sizes == std::vector<std::size_t>{30, 90, 270});
  CHECK(calls_by_size[30] == 27);
  // 9 promoted (plus the start when it was not among them), then 3 (plus the start).
  CHECK(calls_by_size[90] >= 9);
  CHECK(calls_by_size[90] <= 10);
  CHECK(calls_by_size[270] >= 3);
  CHECK(calls_by_size[270] <= 4);
  CHECK(r.trials[0].scores.size() == 3);  // the start always reaches the last rung
  // Those promoted from rung 0 were the best there (ties to the lower id).
  std::vector<double> rung0;
  for (const auto& t : r.trials) rung0.push_back(t.scores[0]);
  std::sort(rung0.rbegin(), rung0.rend());
  for (const auto& t : r.trials)
    if (t.scores.size() > 1 && t.id != 0) CHECK(t.scores[0] >= rung0[8]);
  // min_sample bounds the first rung: a small sample gets fewer rungs.
  auto small = mr::tune(m, toy_score, ints(40), {.seed = 2, .trials = 27, .eta = 3, .min_sample = 10});
  CHECK(small.rung_sizes == std::vector<std::size_t>{13, 40});
  auto one = mr::tune(m, toy_score, ints(5), {.trials = 27, .min_sample = 10});
  CHECK(one.rung_sizes == std::vector<std::size_t>{5});
  for (const auto& t : one.trials) CHECK(t.scores.size() == 1);
}

TEST_CASE("tune.rungs_see_nested_prefixes_of_a_seeded_shuffle") {
  toy_module m;
  std::mutex mu;
  std::map<std::size_t, std::vector<int>> seen;
  auto metric = [&](const toy_module& c, std::span<const int> s) {
    std::lock_guard lock(mu);
    seen[s.size()].assign(s.begin(), s.end());
    return toy_score(c, s);
  };
  auto r = mr::tune(m, metric, ints(90), {.seed = 5, .trials = 27, .min_sample = 10});
  REQUIRE(r.rung_sizes == std::vector<std::size_t>{10, 30, 90});
  const auto& all = seen[90];
  CHECK(std::vector<int>(all.begin(), all.begin() + 30) == seen[30]);
  CHECK(std::vector<int>(all.begin(), all.begin() + 10) == seen[10]);
  CHECK(all != ints(90));  // shuffled
  auto sorted = all;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == ints(90));  // a permutation
}

TEST_CASE("tune.deterministic.1T_vs_4T") {
  toy_module m;
  // A metric that depends on which records it sees, so the sample's order matters too.
  auto metric = [](const toy_module& c, std::span<const int> s) {
    double sum = 0;
    for (int x : s) sum += std::sin(double(x) * c.threshold) + double(c.shift * x % 7);
    return sum / double(s.size()) + (c.mode == "c" ? 0.3 : 0.0);
  };
  auto a = mr::tune(m, metric, ints(200), {.seed = 11, .trials = 30, .threads = 1});
  auto b = mr::tune(m, metric, ints(200), {.seed = 11, .trials = 30, .threads = 4});
  CHECK(a.to_text() == b.to_text());
  CHECK(a.best_config == b.best_config);
  REQUIRE(a.trials.size() == b.trials.size());
  for (std::size_t i = 0; i < a.trials.size(); ++i) {
    CHECK(a.trials[i].config == b.trials[i].config);
    CHECK(a.trials[i].scores == b.trials[i].scores);
  }
  auto c = mr::tune(m, metric, ints(200), {.seed = 12, .trials = 30, .threads = 4});
  CHECK(c.trials[1].config != a.trials[1].config);  // another seed, other trials
  CHECK(a.to_text().find("(start) threshold=0.5") != std::string::npos);
}

TEST_CASE("tune.errors_name_the_trial") {
  toy_module m;
  CHECK_THROWS_WITH_AS(mr::tune(m, toy_score, std::vector<int>{}), doctest::Contains("sample is empty"), std::invalid_argument);
  CHECK_THROWS_AS(mr::tune(m, toy_score, ints(10), {.trials = 0}), std::invalid_argument);
  auto throwing = [](const toy_module& c, std::span<const int>) -> double {
    if (c.mode == "c") throw std::runtime_error("metric broke");
    return 1;
  };
  CHECK_THROWS_WITH(mr::tune(m, throwing, ints(10), {.seed = 1, .trials = 10, .threads = 2}),
                    doctest::Contains("metric broke"));
  CHECK_THROWS_WITH(mr::tune(m, throwing, ints(10), {.seed = 1, .trials = 10}), doctest::Contains("mode=\"c\""));
  auto nan = [](const toy_module&, std::span<const int>) { return std::nan(""); };
  CHECK_THROWS_WITH(mr::tune(m, nan, ints(10), {.trials = 2}), doctest::Contains("NaN"));
}

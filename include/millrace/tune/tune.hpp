// millrace/tune/tune.hpp — mr::tune: DSPy-style search of a module's declared parameters for the
// values that maximize a metric computed by running the module on a sample. Seeded random search
// with successive halving over growing sample sizes, a budget in trials, trials run in parallel;
// the same seed and sample give the same trials and result for any thread count.
//   auto r = mr::tune(module, [](const Module& m, std::span<const Doc> s) { return f1(m, s); }, docs, {.trials = 27});
//   mr::load_config(module, r.best_config);  fmt::print("{}", r.to_text());
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <millrace/core/random.hpp>
#include <millrace/core/module.hpp>
#include <millrace/tune/search_space.hpp>

namespace millrace {

/// How mr::tune searches. Defaults: 27 trials, eta 3, every declared range and choice.
struct tune_options {
  std::uint64_t seed = 0;        ///< the trials drawn and the sample's order are functions of it
  std::size_t trials = 27;       ///< configurations tried (the budget); trial 0 is the module as given
  std::size_t eta = 3;           ///< successive halving: each rung keeps the best 1/eta on an eta x larger sample
  std::size_t min_sample = 16;   ///< the first rung's sample is at least this (fewer rungs if needed)
  std::size_t threads = 0;       ///< trials run at once (0: the hardware's threads); no effect on results
  std::vector<std::string> only = {}; ///< parameter paths to search (empty: all with a range or choices)
  std::vector<search_range> ranges = {}; ///< narrower ranges to search than the declared ones: {{"threshold", 0.3, 0.95}}
};

/// One configuration tried: its searched values, full config and its score on each rung it reached.
struct tune_trial {
  std::size_t id = 0;               ///< in drawing order; 0 is the starting configuration
  std::string values;               ///< the searched parameters: "threshold=0.7 ngram=5"
  std::string config;               ///< the module's whole config as JSON (load_config reads it)
  std::vector<double> scores;       ///< scores[k]: the metric on rung k's sample
};

/// What mr::tune found: the best configuration (JSON), every trial, and the rungs' sample sizes.
struct tune_result {
  std::string best_config;                  ///< the best trial's config (load_config reads it)
  std::size_t best_trial = 0;               ///< its id
  double best_score = 0;                    ///< its score on the whole sample (the last rung)
  std::vector<search_dimension> dimensions; ///< what was searched
  std::vector<std::size_t> rung_sizes;      ///< sample size of each rung; the last is the whole sample
  std::vector<tune_trial> trials;           ///< by id

  /// The starting configuration's score on the whole sample (it always reaches the last rung).
  double start_score() const { return trials.empty() ? 0 : trials.front().scores.back(); }

  /// The trial table: one row per trial with its scores per rung; the best is marked '*'.
  std::string to_text() const {
    std::string s = fmt::format("tune: {} trials, rungs of", trials.size());
    for (auto n : rung_sizes) s += fmt::format(" {}", n);
    s += fmt::format(" records; best trial {} ({:.4f}, start {:.4f})\n", best_trial, best_score, start_score());
    s += "  trial";
    for (std::size_t k = 0; k < rung_sizes.size(); ++k) s += fmt::format(" {:>9}", fmt::format("rung{}", k));
    s += "  values\n";
    for (const auto& t : trials) {
      s += fmt::format(" {}{:>5}", t.id == best_trial ? '*' : ' ', t.id);
      for (std::size_t k = 0; k < rung_sizes.size(); ++k)
        s += k < t.scores.size() ? fmt::format(" {:>9.4f}", t.scores[k]) : fmt::format(" {:>9}", "-");
      s += "  " + (t.id == 0 ? "(start) " + t.values : t.values) + "\n";
    }
    return s;
  }
};

namespace detail {

// Runs job(i) for i in [0, n) on up to `threads` threads; rethrows the lowest-numbered job's error.
template <class Job>
void run_trials(std::size_t n, std::size_t threads, Job&& job) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, n);
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < n;) {
      try {
        job(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  if (threads <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(work);
    for (auto& t : pool) t.join();
  }
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

// Rung sizes: the whole sample last, each earlier one eta times smaller; as many rungs as it takes
// to cut the trials down to about eta on the last (27, eta 3: 27 -> 9 -> 3), fewer when the first
// rung's part would be smaller than min_sample.
inline std::vector<std::size_t> rung_sizes_for(std::size_t sample, std::size_t trials, std::size_t eta, std::size_t min_sample) {
  std::size_t rungs = 1;
  for (std::size_t t = trials; t > eta; t = (t + eta - 1) / eta) {
    std::size_t first = sample;
    for (std::size_t k = 0; k < rungs; ++k) first /= eta;
    if (first < std::max<std::size_t>(min_sample, 1)) break;
    ++rungs;
  }
  std::vector<std::size_t> sizes(rungs);
  std::size_t n = sample;
  for (std::size_t k = rungs; k-- > 0; n /= eta) sizes[k] = n;
  return sizes;
}

}  // namespace detail

/// Searches module's declared parameters (see search_space_of) for the values that maximize
/// metric(configured_module, sample_part) -> double, and returns the best configuration and the
/// trial table. Trial 0 is the module as given; trials 1.. are drawn at random, each its own
/// seeded stream (no repeats while the space allows). Successive halving: all trials are scored
/// on the first rung's part of the sample (a seeded shuffle's prefix), the best 1/eta go on to a
/// part eta times larger, and so on to the whole sample; the best on the whole sample wins, ties to
/// the lower id (trial 0, the start, always reaches the last rung). The metric must be a function
/// of its arguments (it may run pipelines on any executor); it is called from several threads.
template <has_parameters M, class T, class Metric>
  requires std::copy_constructible<M> && std::invocable<Metric&, const M&, std::span<const T>>
tune_result tune(const M& module, Metric metric, const std::vector<T>& sample, tune_options opts = {}) {
  if (sample.empty()) throw std::invalid_argument("tune: the sample is empty");
  if (opts.trials == 0) throw std::invalid_argument("tune: trials must be at least 1");
  if (opts.eta < 2) throw std::invalid_argument("tune: eta must be at least 2");
  tune_result r;
  r.dimensions = search_space_of(module, opts.only, opts.ranges);

  // Draw the configurations, in order, before anything runs: they depend on the seed alone.
  std::vector<M> configured;
  configured.reserve(opts.trials);
  configured.push_back(module);
  {
    M start = module;
    tune_trial t;
    t.id = 0;
    for (const auto& d : r.dimensions) t.values += (t.values.empty() ? "" : " ") + d.path + "=" + d.current;
    t.config = config_json(start);
    r.trials.push_back(std::move(t));
  }
  for (std::size_t id = 1; id < opts.trials && !r.dimensions.empty(); ++id) {
    bool placed = false;
    for (std::uint64_t attempt = 0; attempt < 64 && !placed; ++attempt) {
      M m = module;
      tune_trial t;
      t.id = r.trials.size();
      for (std::size_t k = 0; k < r.dimensions.size(); ++k) {
        millrace::splitmix64 g = millrace::random_stream(opts.seed, id, attempt, k);
        const std::string v = r.dimensions[k].draw(g);
        load_config(m, r.dimensions[k].config_with(v));
        t.values += (k ? " " : "") + r.dimensions[k].path + "=" + v;
      }
      t.config = config_json(m);
      bool seen = false;
      for (const auto& o : r.trials) seen = seen || o.config == t.config;
      if (seen) continue;  // redraw: a repeat would spend a trial learning nothing
      configured.push_back(std::move(m));
      r.trials.push_back(std::move(t));
      placed = true;
    }
    if (!placed) break;  // the space is (nearly) exhausted
  }

  // The sample in a seeded order: every rung's part is a prefix, so parts are nested.
  std::vector<std::size_t> order(sample.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  millrace::splitmix64 shuffle = millrace::random_stream(opts.seed, ~std::uint64_t{0}, 0, 0);
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[shuffle.below(i)]);
  std::vector<T> shuffled;
  shuffled.reserve(sample.size());
  for (auto i : order) shuffled.push_back(sample[i]);

  r.rung_sizes = detail::rung_sizes_for(sample.size(), r.trials.size(), opts.eta, opts.min_sample);
  std::vector<std::size_t> alive(r.trials.size());
  std::iota(alive.begin(), alive.end(), std::size_t{0});
  std::size_t promoted = alive.size();
  for (std::size_t k = 0; k < r.rung_sizes.size(); ++k) {
    const std::span<const T> part(shuffled.data(), r.rung_sizes[k]);
    std::vector<double> scores(alive.size());
    detail::run_trials(alive.size(), opts.threads, [&](std::size_t i) {
      try {
        scores[i] = static_cast<double>(metric(configured[alive[i]], part));
      } catch (const std::exception& e) {
        throw std::runtime_error(fmt::format("tune: trial {} ({}) failed: {}", alive[i], r.trials[alive[i]].values, e.what()));
      }
    });
    for (std::size_t i = 0; i < alive.size(); ++i) {
      if (std::isnan(scores[i]))
        throw std::runtime_error(fmt::format("tune: trial {} ({}): the metric returned NaN", alive[i], r.trials[alive[i]].values));
      r.trials[alive[i]].scores.push_back(scores[i]);
    }
    if (k + 1 == r.rung_sizes.size()) break;
    // Promote the best ceil(n / eta), ties to the lower id; the start always goes on, so that the
    // table compares every rung's winners with it on the whole sample.
    std::vector<std::size_t> rank(alive.size());
    std::iota(rank.begin(), rank.end(), std::size_t{0});
    std::stable_sort(rank.begin(), rank.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    promoted = std::max<std::size_t>(1, (promoted + opts.eta - 1) / opts.eta);  // ceil(trials / eta^(k+1))
    const std::size_t keep = std::min(promoted, alive.size());
    std::vector<std::size_t> next;
    for (std::size_t i = 0; i < keep; ++i) next.push_back(alive[rank[i]]);
    if (std::find(next.begin(), next.end(), std::size_t{0}) == next.end()) next.push_back(0);
    std::sort(next.begin(), next.end());
    alive = std::move(next);
  }

  const std::size_t last = r.rung_sizes.size();
  r.best_trial = 0;
  for (const auto& t : r.trials)
    if (t.scores.size() == last && t.scores.back() > r.trials[r.best_trial].scores.back()) r.best_trial = t.id;
  r.best_score = r.trials[r.best_trial].scores.back();
  r.best_config = r.trials[r.best_trial].config;
  return r;
}

}  // namespace millrace

// synth::score_clustering on hand-made sets whose Jaccards are known: transitivity, strictness, recall.
#include <millrace/synth/score.hpp>

#include <doctest/doctest.h>

#include <vector>

namespace {
namespace dd = millrace::dedup;

// 0..9 shared by docs 0-2 with different tails; doc 3 is unrelated; doc 4 equals doc 3.
const std::vector<std::vector<std::uint64_t>> sets = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9},          // 0
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 10},         // 1: J(0,1) = 9/11
    {0, 1, 2, 3, 4, 5, 6, 7, 10, 11},        // 2: J(1,2) = 9/11, J(0,2) = 8/12
    {100, 101, 102, 103},                    // 3
    {100, 101, 102, 103},                    // 4: J(3,4) = 1
};
}  // namespace

TEST_CASE("score.transitive_cluster.strict_vs_transitive_precision") {
  const auto truth = dd::all_pairs_jaccard(sets, 0.0);
  // threshold 0.8: edges 0-1, 1-2, 3-4; 0-2 (0.667) only through 1
  const std::vector<std::uint64_t> cluster = {0, 0, 0, 3, 3};
  const auto s = millrace::synth::score_clustering(cluster, sets, truth, 0.8, 0.8);
  CHECK(s.predicted_pairs == 4);        // {0,1,2}: 3 pairs, {3,4}: 1
  CHECK(s.true_predicted == 4);         // all connected in the ground-truth graph
  CHECK(s.strict_true_predicted == 3);  // 0-2 is below 0.8 on its own
  CHECK(s.recall_pairs == 3);
  CHECK(s.recalled == 3);
  CHECK(s.precision() == 1.0);
  CHECK(s.strict_precision() == doctest::Approx(0.75));
}

TEST_CASE("score.false_merge_and_missed_pair") {
  const auto truth = dd::all_pairs_jaccard(sets, 0.0);
  const std::vector<std::uint64_t> cluster = {0, 1, 1, 1, 4};  // 1,2 right; 3 wrongly merged; 3-4 missed
  const auto s = millrace::synth::score_clustering(cluster, sets, truth, 0.8, 0.8);
  CHECK(s.predicted_pairs == 3);  // 1-2, 1-3, 2-3
  CHECK(s.true_predicted == 1);
  CHECK(s.precision() == doctest::Approx(1.0 / 3));
  CHECK(s.recall_pairs == 3);     // 0-1, 1-2, 3-4
  CHECK(s.recalled == 1);
  // a higher recall_from only counts the pairs above it
  const auto high = millrace::synth::score_clustering(cluster, sets, truth, 0.8, 0.95);
  CHECK(high.recall_pairs == 1);
  CHECK(high.recalled == 0);
  CHECK_THROWS_AS(millrace::synth::score_clustering({0, 1}, sets, truth, 0.8, 0.8), std::invalid_argument);
}

// millrace/synth/score.hpp — scores a dedup clustering against exact ground truth: pair precision
// and recall, with transitivity treated the same way on both sides (see docs/quality.md).
//   auto s = millrace::synth::score_clustering(result.cluster, sets, all_pairs_jaccard(sets, 0.8), 0.8, 0.85);
#pragma once

#include <millrace/dedup/all_pairs_jaccard.hpp>
#include <millrace/dedup/jaccard.hpp>
#include <millrace/dedup/lsh.hpp>
#include <millrace/dedup/union_find.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <vector>

namespace millrace::synth {

/// Pair precision and recall of predicted clusters against the generator's truth.
struct pair_scores {
  std::size_t predicted_pairs = 0;        ///< pairs of documents put in one cluster (k(k-1)/2 per cluster)
  std::size_t true_predicted = 0;         ///< ... also connected in the ground-truth graph (edges J >= threshold)
  std::size_t strict_true_predicted = 0;  ///< ... whose own exact J >= threshold
  std::size_t recall_pairs = 0;           ///< ground-truth pairs with J >= recall_from
  std::size_t recalled = 0;               ///< ... put in one cluster
  /// true_predicted / predicted_pairs (1 when nothing was predicted).
  double precision() const { return predicted_pairs ? double(true_predicted) / double(predicted_pairs) : 1.0; }
  /// strict_true_predicted / predicted_pairs (1 when nothing was predicted).
  double strict_precision() const {
    return predicted_pairs ? double(strict_true_predicted) / double(predicted_pairs) : 1.0;
  }
  /// recalled / recall_pairs (1 when there is nothing to recall).
  double recall() const { return recall_pairs ? double(recalled) / double(recall_pairs) : 1.0; }
};

/// cluster[i]: any id shared by the documents of one cluster; sets: the sorted unique shingle sets;
/// truth: all_pairs_jaccard(sets, t) for some t <= min(threshold, recall_from).
inline pair_scores score_clustering(const std::vector<std::uint64_t>& cluster,
                                    const std::vector<std::vector<std::uint64_t>>& sets,
                                    const std::vector<dedup::jaccard_pair>& truth, double threshold,
                                    double recall_from) {
  const std::size_t n = cluster.size();
  if (sets.size() != n) throw std::invalid_argument("score_clustering: cluster and sets differ in size");
  // The ground-truth clusters: components of the pairs at or above the threshold (dedup's union-find).
  std::vector<dedup::doc_edge> edges;
  for (const auto& p : truth)
    if (p.jaccard >= threshold) edges.push_back({p.a, p.b});
  const std::vector<std::uint64_t> truth_cluster = dedup::connected_components(n, edges);
  pair_scores r;
  std::map<std::uint64_t, std::vector<std::uint32_t>> members;
  for (std::uint32_t i = 0; i < n; ++i) members[cluster[i]].push_back(i);
  for (const auto& [id, m] : members) {
    if (m.size() < 2) continue;
    r.predicted_pairs += m.size() * (m.size() - 1) / 2;
    std::map<std::uint64_t, std::size_t> by_truth;
    for (auto d : m) ++by_truth[truth_cluster[d]];
    for (const auto& [root, k] : by_truth) r.true_predicted += k * (k - 1) / 2;
    for (std::size_t x = 0; x < m.size(); ++x)
      for (std::size_t y = x + 1; y < m.size(); ++y) {
        const auto& a = sets[m[x]];
        const auto& b = sets[m[y]];
        const double j = dedup::exact_jaccard(a, b);
        r.strict_true_predicted += j > 0 && j >= threshold;
      }
  }
  for (const auto& p : truth)
    if (p.jaccard >= recall_from) {
      ++r.recall_pairs;
      r.recalled += cluster[p.a] == cluster[p.b];
    }
  return r;
}

}  // namespace millrace::synth

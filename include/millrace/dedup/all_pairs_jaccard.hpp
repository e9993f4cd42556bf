// millrace/dedup/all_pairs_jaccard.hpp — exact all-pairs Jaccard similarity join (ground truth for
// near-dedup quality): every pair of sets whose Jaccard is >= min_jaccard, found with prefix and
// size filters instead of comparing all N^2 pairs.
//   auto pairs = millrace::dedup::all_pairs_jaccard(sets, 0.5);   // sets: sorted, unique, per document
// This header declares; dedup/detail/all_pairs_jaccard_impl.hpp defines the join.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include <millrace/detail/config.hpp>

namespace millrace::dedup {

/// A pair of sets (by input index, a < b) and their exact Jaccard similarity.
struct jaccard_pair {
  std::uint32_t a, b;  ///< input indices, a < b
  double jaccard;  ///< exact Jaccard similarity (intersection / union) of the two sets, >= min_jaccard
  friend bool operator==(const jaccard_pair&, const jaccard_pair&) = default;
};

namespace detail {

// The one formula used for the join and for its brute-force checks, so both compare the same doubles.
inline double jaccard_from_counts(std::size_t intersection, std::size_t size_a, std::size_t size_b) {
  return static_cast<double>(intersection) / static_cast<double>(size_a + size_b - intersection);
}

// Smallest overlap a set of this size needs with any partner of Jaccard >= t:
// |x & y| >= t |x | y| >= t max(|x|, |y|). The epsilon makes the bound looser, never tighter, when
// t * size is an integer that rounding pushed up.
inline std::size_t min_overlap(std::size_t size, double t) {
  if (t <= 0) return 1;
  const double need = std::ceil(t * static_cast<double>(size) - 1e-9);
  return std::max<std::size_t>(1, static_cast<std::size_t>(std::max(need, 0.0)));
}

// Prefix filter: under one global token order, two sets with overlap >= alpha share a token among
// their first |x| - alpha + 1 tokens.
inline std::size_t prefix_length(std::size_t size, double t) {
  const std::size_t alpha = std::min(min_overlap(size, t), size);
  return size - alpha + 1;
}

template <class T>
std::size_t intersection_size(const std::vector<T>& a, const std::vector<T>& b) {
  std::size_t i = 0, j = 0, n = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) ++i;
    else if (b[j] < a[i]) ++j;
    else {
      ++n, ++i, ++j;
    }
  }
  return n;
}

}  // namespace detail

/// All pairs (a < b) with a non-empty intersection and Jaccard >= min_jaccard, sorted by (a, b).
/// Each set must be sorted ascending without duplicates (std::invalid_argument otherwise); empty sets
/// match nothing. Runs in parallel in the current TBB arena; the result does not depend on threads.
///
/// How: tokens are renumbered by global frequency (rarest first) so that prefixes hold rare tokens and
/// few candidates; sets are processed by size, and a set only probes earlier sets that pass the size
/// filter |y| >= t |x|; candidates are verified by an exact merge.
std::vector<jaccard_pair> all_pairs_jaccard(const std::vector<std::vector<std::uint64_t>>& sets,
                                            double min_jaccard);

}  // namespace millrace::dedup

#if MILLRACE_HEADER_ONLY
#include <millrace/dedup/detail/all_pairs_jaccard_impl.hpp>
#endif

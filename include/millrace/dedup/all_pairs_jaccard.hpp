// Exact all-pairs Jaccard similarity join (ground truth for near-dedup quality): every pair of sets
// whose Jaccard is >= min_jaccard, found with prefix and size filters instead of comparing all N^2 pairs.
//   auto pairs = millrace::dedup::all_pairs_jaccard(sets, 0.5);   // sets: sorted, unique, per document
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

#include <millrace/core/parallel.hpp>

namespace millrace::dedup {

struct jaccard_pair {
  std::uint32_t a, b;  // input indices, a < b
  double jaccard;
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

// All pairs (a < b) with a non-empty intersection and Jaccard >= min_jaccard, sorted by (a, b).
// Each set must be sorted ascending without duplicates (std::invalid_argument otherwise); empty sets
// match nothing. Runs in parallel in the current TBB arena; the result does not depend on threads.
//
// How: tokens are renumbered by global frequency (rarest first) so that prefixes hold rare tokens and
// few candidates; sets are processed by size, and a set only probes earlier sets that pass the size
// filter |y| >= t |x|; candidates are verified by an exact merge.
inline std::vector<jaccard_pair> all_pairs_jaccard(const std::vector<std::vector<std::uint64_t>>& sets,
                                                   double min_jaccard) {
  const std::size_t n = sets.size();
  if (n > std::numeric_limits<std::uint32_t>::max())
    throw std::invalid_argument("all_pairs_jaccard: more than 2^32 - 1 sets");
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 1; k < sets[i].size(); ++k)
      if (!(sets[i][k - 1] < sets[i][k]))
        throw std::invalid_argument("all_pairs_jaccard: set " + std::to_string(i) + " is not sorted and unique");

  // 1. Every (token, set) occurrence sorted by token (keys are unique: the result does not depend on
  //    the sort's thread schedule); a group's length is the token's global frequency.
  struct occurrence {
    std::uint64_t token;
    std::uint32_t set;
  };
  std::size_t total = 0;
  for (const auto& s : sets) total += s.size();
  std::vector<occurrence> occ;
  occ.reserve(total);
  for (std::uint32_t i = 0; i < n; ++i)
    for (auto t : sets[i]) occ.push_back({t, i});
  millrace::parallel_sort(occ.begin(), occ.end(), [](const occurrence& x, const occurrence& y) {
    return x.token != y.token ? x.token < y.token : x.set < y.set;
  });
  std::vector<std::size_t> group_start;  // group g = occ[group_start[g], group_start[g + 1])
  for (std::size_t i = 0; i < occ.size(); ++i)
    if (i == 0 || occ[i].token != occ[i - 1].token) group_start.push_back(i);
  const std::size_t distinct = group_start.size();
  group_start.push_back(occ.size());

  // 2. Ranks ordered by (frequency, token), rarest first; each set as its sorted ranks.
  std::vector<std::uint32_t> by_rank(distinct);
  std::iota(by_rank.begin(), by_rank.end(), 0u);
  auto freq = [&](std::uint32_t g) { return group_start[g + 1] - group_start[g]; };
  std::sort(by_rank.begin(), by_rank.end(),
            [&](std::uint32_t x, std::uint32_t y) { return freq(x) != freq(y) ? freq(x) < freq(y) : x < y; });
  std::vector<std::uint32_t> rank_of(distinct);
  for (std::uint32_t r = 0; r < distinct; ++r) rank_of[by_rank[r]] = r;
  std::vector<std::vector<std::uint32_t>> ranked(n);
  for (std::size_t i = 0; i < n; ++i) ranked[i].reserve(sets[i].size());
  for (std::size_t g = 0; g < distinct; ++g)
    for (std::size_t k = group_start[g]; k < group_start[g + 1]; ++k) ranked[occ[k].set].push_back(rank_of[g]);
  occ = {};
  millrace::parallel_for(0, n, 1, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i != hi; ++i) std::sort(ranked[i].begin(), ranked[i].end());
  });

  // 3. Processing order: by size, then index; empty sets drop out.
  std::vector<std::uint32_t> order;
  for (std::uint32_t i = 0; i < n; ++i)
    if (!ranked[i].empty()) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
    return ranked[x].size() != ranked[y].size() ? ranked[x].size() < ranked[y].size() : x < y;
  });
  const std::size_t m = order.size();
  std::vector<std::size_t> size_at(m);
  for (std::size_t p = 0; p < m; ++p) size_at[p] = ranked[order[p]].size();

  // 4. Inverted index (CSR) of prefix tokens -> positions, each list ascending.
  std::vector<std::size_t> offset(distinct + 1, 0);
  for (std::size_t p = 0; p < m; ++p) {
    const auto& s = ranked[order[p]];
    for (std::size_t k = 0, len = detail::prefix_length(s.size(), min_jaccard); k < len; ++k) ++offset[s[k] + 1];
  }
  for (std::size_t r = 0; r < distinct; ++r) offset[r + 1] += offset[r];
  std::vector<std::uint32_t> postings(offset.back());
  {
    std::vector<std::size_t> fill(offset.begin(), offset.end() - 1);
    for (std::size_t p = 0; p < m; ++p) {
      const auto& s = ranked[order[p]];
      for (std::size_t k = 0, len = detail::prefix_length(s.size(), min_jaccard); k < len; ++k)
        postings[fill[s[k]]++] = static_cast<std::uint32_t>(p);
    }
  }

  // 5. Probe: each set against the earlier (not larger) sets sharing a prefix token; verify exactly.
  struct scratch {
    std::vector<std::uint32_t> stamp;  // stamp[q] == p + 1: q already a candidate of p
    std::vector<std::uint32_t> candidates;
    std::vector<jaccard_pair> found;
  };
  millrace::per_thread<scratch> local;
  millrace::parallel_for(0, m, 16, [&](std::size_t lo_p, std::size_t hi_p) {
    scratch& sc = local.local();
    if (sc.stamp.size() < m) sc.stamp.assign(m, 0);
    for (std::size_t p = lo_p; p != hi_p; ++p) {
      const auto& x = ranked[order[p]];
      // size filter: a partner y (|y| <= |x|) needs |y| >= min_overlap(|x|)
      const std::size_t min_size = min_jaccard <= 0 ? 1 : detail::min_overlap(x.size(), min_jaccard);
      const auto lo = static_cast<std::uint32_t>(std::lower_bound(size_at.begin(), size_at.begin() + static_cast<std::ptrdiff_t>(p), min_size) - size_at.begin());
      sc.candidates.clear();
      const auto tag = static_cast<std::uint32_t>(p + 1);
      for (std::size_t k = 0, len = detail::prefix_length(x.size(), min_jaccard); k < len; ++k) {
        const std::uint32_t* first = postings.data() + offset[x[k]];
        const std::uint32_t* last = postings.data() + offset[x[k] + 1];
        for (const std::uint32_t* it = std::lower_bound(first, last, lo); it != last && *it < p; ++it)
          if (sc.stamp[*it] != tag) {
            sc.stamp[*it] = tag;
            sc.candidates.push_back(*it);
          }
      }
      for (std::uint32_t q : sc.candidates) {
        const auto& y = ranked[order[q]];
        const std::size_t inter = detail::intersection_size(x, y);
        if (inter == 0) continue;
        const double j = detail::jaccard_from_counts(inter, x.size(), y.size());
        if (j >= min_jaccard) {
          const std::uint32_t a = std::min(order[p], order[q]), b = std::max(order[p], order[q]);
          sc.found.push_back({a, b, j});
        }
      }
    }
  });

  std::vector<jaccard_pair> result;
  local.for_each([&](scratch& sc) { result.insert(result.end(), sc.found.begin(), sc.found.end()); });
  std::sort(result.begin(), result.end(),
            [](const jaccard_pair& x, const jaccard_pair& y) { return x.a != y.a ? x.a < y.a : x.b < y.b; });
  return result;
}

}  // namespace millrace::dedup

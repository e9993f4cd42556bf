// millrace/dedup/detail/all_pairs_jaccard_impl.hpp — the all-pairs Jaccard join's definition
// (dedup/all_pairs_jaccard.hpp declares). Included by dedup/all_pairs_jaccard.hpp in header-only
// mode, compiled once into millrace::compiled (src/dedup.cpp) otherwise.
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
#include <millrace/dedup/all_pairs_jaccard.hpp>
#include <millrace/detail/config.hpp>

namespace millrace::dedup {

MILLRACE_INLINE std::vector<jaccard_pair> all_pairs_jaccard(const std::vector<std::vector<std::uint64_t>>& sets,
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

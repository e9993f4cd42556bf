// LSH banding for MinHash signatures: choosing bands x rows for a threshold, the collision
// probability (the S-curve), band keys and candidate edges from sorted buckets (k docs -> k-1 edges).
//   auto p = millrace::dedup::choose_lsh_params(0.8, 112);   // minimizes weighted FP + FN areas
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include <millrace/dedup/minhash.hpp>

namespace millrace::dedup {

struct lsh_params {
  std::size_t bands = 14;
  std::size_t rows = 8;
  friend bool operator==(const lsh_params&, const lsh_params&) = default;
};

// Probability that two documents of Jaccard similarity J share at least one band: 1 - (1 - J^r)^b.
inline double lsh_collision_probability(double jaccard, lsh_params p) {
  return 1.0 - std::pow(1.0 - std::pow(jaccard, static_cast<double>(p.rows)), static_cast<double>(p.bands));
}

namespace detail {
// Composite Simpson's rule with 256 intervals: smooth integrands, error far below what matters.
template <class F>
double simpson(F f, double lo, double hi) {
  constexpr int n = 256;
  if (hi <= lo) return 0.0;
  const double h = (hi - lo) / n;
  double s = f(lo) + f(hi);
  for (int i = 1; i < n; ++i) s += f(lo + i * h) * (i % 2 ? 4.0 : 2.0);
  return s * h / 3.0;
}
}  // namespace detail

// The objective choose_lsh_params minimizes (as datasketch): fp_weight * (area under the S-curve
// below the threshold) + fn_weight * (area above it, over the threshold).
inline double lsh_objective(double threshold, lsh_params p, double fp_weight = 0.5, double fn_weight = 0.5) {
  const double fp = detail::simpson([&](double s) { return lsh_collision_probability(s, p); }, 0.0, threshold);
  const double fn = detail::simpson([&](double s) { return 1.0 - lsh_collision_probability(s, p); }, threshold, 1.0);
  return fp_weight * fp + fn_weight * fn;
}

// Searches every b x r with b*r <= num_perm; ties go to the smaller b, then the smaller r.
inline lsh_params choose_lsh_params(double threshold, std::size_t num_perm, double fp_weight = 0.5,
                                    double fn_weight = 0.5) {
  if (!(threshold > 0.0 && threshold < 1.0)) throw std::invalid_argument("choose_lsh_params: threshold must be in (0, 1)");
  if (num_perm == 0) throw std::invalid_argument("choose_lsh_params: num_perm must be > 0");
  lsh_params best{1, 1};
  double best_err = std::numeric_limits<double>::infinity();
  for (std::size_t b = 1; b <= num_perm; ++b) {
    for (std::size_t r = 1; r <= num_perm / b; ++r) {
      const double err = lsh_objective(threshold, {b, r}, fp_weight, fn_weight);
      if (err < best_err) {
        best_err = err;
        best = {b, r};
      }
    }
  }
  return best;
}

inline void check_lsh(std::size_t signature_size, lsh_params p) {
  if (p.bands == 0 || p.rows == 0) throw std::invalid_argument("lsh: bands and rows must be > 0");
  if (p.bands * p.rows > signature_size)
    throw std::invalid_argument("lsh: bands * rows exceeds the signature size (num_perm)");
}

// True when some band (r consecutive signature values) is equal in both; a band made only of
// UINT64_MAX (an empty set) never matches.
inline bool lsh_collide(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b, lsh_params p) {
  check_lsh(std::min(a.size(), b.size()), p);
  for (std::size_t band = 0; band < p.bands; ++band) {
    const std::size_t o = band * p.rows;
    bool eq = true, all_empty = true;
    for (std::size_t k = 0; k < p.rows; ++k) {
      eq = eq && a[o + k] == b[o + k];
      all_empty = all_empty && a[o + k] == empty_minhash;
    }
    if (eq && !all_empty) return true;
  }
  return false;
}

// 64-bit key of one band: xxh3-64 of its r values (native byte order), seeded with the band index.
inline std::uint64_t band_key(std::span<const std::uint64_t> signature, std::size_t band, std::size_t rows) {
  return XXH3_64bits_withSeed(signature.data() + band * rows, rows * sizeof(std::uint64_t), band);
}

// A candidate pair of documents, a < b (input indices).
struct doc_edge {
  std::uint32_t a, b;
  friend bool operator==(const doc_edge&, const doc_edge&) = default;
  friend auto operator<=>(const doc_edge&, const doc_edge&) = default;
};

// One band's bucket entry; a band's entries are sorted by (key, doc) and consecutive documents
// with equal keys are linked: a bucket of k docs gives k-1 edges, never k^2. Keys are 64-bit
// hashes, so two different bands values collide with probability 2^-64 per pair (verification,
// when on, drops such an edge like any other dissimilar pair).
struct band_entry {
  std::uint64_t key;
  std::uint32_t doc;
  friend auto operator<=>(const band_entry&, const band_entry&) = default;
  friend bool operator==(const band_entry&, const band_entry&) = default;
};

// Appends the chain edges of one sorted band to `out`: consecutive documents of a bucket.
inline void link_band(std::span<const band_entry> sorted_entries, std::vector<doc_edge>& out) {
  for (std::size_t i = 1; i < sorted_entries.size(); ++i)
    if (sorted_entries[i].key == sorted_entries[i - 1].key)
      out.push_back({sorted_entries[i - 1].doc, sorted_entries[i].doc});
}

// Appends (bucket's first document, member) for every member from the third on: used with
// verification, where a dissimilar document in the middle of a chain would otherwise cut it.
inline void link_band_heads(std::span<const band_entry> sorted_entries, std::vector<doc_edge>& out) {
  std::size_t head = 0;
  for (std::size_t i = 1; i < sorted_entries.size(); ++i) {
    if (sorted_entries[i].key != sorted_entries[i - 1].key) head = i;
    else if (head != i - 1) out.push_back({sorted_entries[head].doc, sorted_entries[i].doc});
  }
}

}  // namespace millrace::dedup

// millrace/dedup/lsh.hpp — LSH banding for MinHash signatures: choosing bands x rows for a
// threshold, the collision probability (the S-curve), band keys and candidate edges from sorted
// buckets (k docs -> k-1 edges).
//   auto p = millrace::dedup::choose_lsh_params(0.8, 112);   // minimizes weighted FP + FN areas
// This header declares; dedup/detail/lsh_impl.hpp defines (and includes xxhash.h).
#pragma once

#include <algorithm>
#include <cmath>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include <millrace/core/param.hpp>
#include <millrace/dedup/doc_edge.hpp>
#include <millrace/dedup/minhash.hpp>
#include <millrace/detail/config.hpp>

namespace millrace::dedup {

/// LSH banding: `bands` bands of `rows` signature values each (bands * rows <= the signature size).
struct lsh_params {
  std::size_t bands = 14;  ///< bands per signature; a pair that agrees on all rows of one band is a candidate
  std::size_t rows = 8;    ///< signature values per band
  friend bool operator==(const lsh_params&, const lsh_params&) = default;

  /// Module parameters "bands" and "rows" (core/param.hpp; bands x rows <= num_perm is checked where both are known).
  auto parameters() {
    return millrace::params(millrace::param("bands", bands, "LSH bands").range(1, 65536),
                            millrace::param("rows", rows, "LSH rows per band").range(1, 65536));
  }
};

/// Probability that two documents of Jaccard similarity J share at least one band: 1 - (1 - J^r)^b.
double lsh_collision_probability(double jaccard, lsh_params p);

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

/// The objective choose_lsh_params minimizes (as datasketch): fp_weight * (area under the S-curve
/// below the threshold) + fn_weight * (area above it, over the threshold).
double lsh_objective(double threshold, lsh_params p, double fp_weight = 0.5, double fn_weight = 0.5);

/// Searches every b x r with b*r <= num_perm; ties go to the smaller b, then the smaller r.
lsh_params choose_lsh_params(double threshold, std::size_t num_perm, double fp_weight = 0.5,
                             double fn_weight = 0.5);

/// Throws std::invalid_argument naming the numbers when the banding does not fit the signature.
void check_lsh(std::size_t signature_size, lsh_params p);

/// True when some band (r consecutive signature values) is equal in both; a band made only of
/// UINT64_MAX (an empty set) never matches.
bool lsh_collide(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b, lsh_params p);

/// 64-bit key of one band: xxh3-64 of its r values (native byte order), seeded with the band index.
std::uint64_t band_key(std::span<const std::uint64_t> signature, std::size_t band, std::size_t rows);

/// One band's bucket entry; a band's entries are sorted by (key, doc) and consecutive documents
/// with equal keys are linked: a bucket of k docs gives k-1 edges, never k^2. Keys are 64-bit
/// hashes, so two different bands values collide with probability 2^-64 per pair (verification,
/// when on, drops such an edge like any other dissimilar pair).
struct band_entry {
  std::uint64_t key;  ///< band_key() of the document's signature for this band
  std::uint32_t doc;  ///< input index of the document
  friend auto operator<=>(const band_entry&, const band_entry&) = default;
  friend bool operator==(const band_entry&, const band_entry&) = default;
};

/// Appends the chain edges of one sorted band to `out`: consecutive documents of a bucket.
void link_band(std::span<const band_entry> sorted_entries, std::vector<doc_edge>& out);

/// Appends (bucket's first document, member) for every member from the third on: used with
/// verification, where a dissimilar document in the middle of a chain would otherwise cut it.
void link_band_heads(std::span<const band_entry> sorted_entries, std::vector<doc_edge>& out);

}  // namespace millrace::dedup

#if MILLRACE_HEADER_ONLY
#include <millrace/dedup/detail/lsh_impl.hpp>
#endif

// millrace/dedup/detail/lsh_impl.hpp — LSH banding's definitions (dedup/lsh.hpp declares).
// Included by dedup/lsh.hpp in header-only mode, compiled once into millrace::compiled
// (src/dedup.cpp) otherwise, so a user's translation unit does not parse xxhash.h for band_key.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <vector>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include <millrace/dedup/lsh.hpp>
#include <millrace/dedup/minhash.hpp>
#include <millrace/detail/config.hpp>

namespace millrace::dedup {

MILLRACE_INLINE double lsh_collision_probability(double jaccard, lsh_params p) {
  return 1.0 - std::pow(1.0 - std::pow(jaccard, static_cast<double>(p.rows)), static_cast<double>(p.bands));
}

MILLRACE_INLINE double lsh_objective(double threshold, lsh_params p, double fp_weight, double fn_weight) {
  const double fp = detail::simpson([&](double s) { return lsh_collision_probability(s, p); }, 0.0, threshold);
  const double fn = detail::simpson([&](double s) { return 1.0 - lsh_collision_probability(s, p); }, threshold, 1.0);
  return fp_weight * fp + fn_weight * fn;
}

MILLRACE_INLINE lsh_params choose_lsh_params(double threshold, std::size_t num_perm, double fp_weight,
                                             double fn_weight) {
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

MILLRACE_INLINE void check_lsh(std::size_t signature_size, lsh_params p) {
  if (p.bands == 0 || p.rows == 0) throw std::invalid_argument("lsh: bands and rows must be > 0");
  if (p.bands * p.rows > signature_size)
    throw std::invalid_argument("lsh: bands * rows exceeds the signature size (num_perm)");
}

MILLRACE_INLINE bool lsh_collide(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b, lsh_params p) {
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

MILLRACE_INLINE std::uint64_t band_key(std::span<const std::uint64_t> signature, std::size_t band, std::size_t rows) {
  return XXH3_64bits_withSeed(signature.data() + band * rows, rows * sizeof(std::uint64_t), band);
}

MILLRACE_INLINE void link_band(std::span<const band_entry> sorted_entries, std::vector<doc_edge>& out) {
  for (std::size_t i = 1; i < sorted_entries.size(); ++i)
    if (sorted_entries[i].key == sorted_entries[i - 1].key)
      out.push_back({sorted_entries[i - 1].doc, sorted_entries[i].doc});
}

MILLRACE_INLINE void link_band_heads(std::span<const band_entry> sorted_entries, std::vector<doc_edge>& out) {
  std::size_t head = 0;
  for (std::size_t i = 1; i < sorted_entries.size(); ++i) {
    if (sorted_entries[i].key != sorted_entries[i - 1].key) head = i;
    else if (head != i - 1) out.push_back({sorted_entries[head].doc, sorted_entries[i].doc});
  }
}

}  // namespace millrace::dedup

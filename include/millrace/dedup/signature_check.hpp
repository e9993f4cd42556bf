// millrace/dedup/signature_check.hpp — the cheap check of a candidate pair before it merges two
// clusters (issue 18): the Jaccard of the two documents estimated from b-bit minwise sketches of
// their MinHash signatures (Li and König, 2010) — the lowest b bits of every one of the num_perm
// values: b = 4 up to 128 permutations (7 x 64-bit words = 56 bytes per document for 112), 1 above
// (40 bytes for 260).
//
// Two documents of Jaccard J agree on a b-bit value with probability P = r + (1 - r) J, r = 2^-b
// (equal minima, or a chance collision of the low bits). From m agreements out of k,
// J_hat = (m / k - r) / (1 - r). A pair is dropped when J_hat < t - z sd(t), where sd(t) is the
// estimator's standard deviation at J = t (the threshold): sqrt(P(t)(1 - P(t)) / k) / (1 - r), and
// z = 1.2816: a pair at the threshold is kept with probability ~90%, one at t + 0.05 with ~99%
// (112 permutations); a pair 0.15 below the threshold almost never. Applied as an integer: keep
// iff m >= min_matches.
//
// Why 4 bits and not 1-2: on the project's corpus with hard negatives (tests/dedup_quality,
// signature_check_quality_test.cpp) 2 bits left the datatrove preset (t = 0.72) at pair precision
// 0.97-0.99 (sd 0.058 at J = 0.6), 4 bits gives >= 0.998 (sd 0.049) at every preset and seed.
//   auto c = dedup::signature_check(112, 0.8);  c.sketch(sig, words);  c.keep(wa, wb);
// This header declares; dedup/detail/signature_check_impl.hpp defines.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>

#include <millrace/detail/config.hpp>

namespace millrace::dedup {

/// Checks a candidate pair by 4-bit minwise sketches of the signatures before it merges (issue 18).
class signature_check {
 public:
  static constexpr double default_z = 1.2816;  ///< one-sided 90% at J = t (>= 99% from about t + 0.05)

  signature_check() = default;
  signature_check(std::size_t num_perm, double threshold, double z = default_z);

  /// Bits kept from each signature value: 4 up to 128 permutations, 1 above.
  static std::size_t bits_for(std::size_t num_perm);
  std::size_t bits() const { return bits_; }  ///< bits per sketched value, bits_for(num_perm)
  std::size_t words() const { return words_; }            ///< 64-bit words per document
  std::size_t bytes_per_document() const { return words_ * 8; }  ///< sketch bytes per document (words() * 8)
  /// Agreeing values (of num_perm) a pair needs to be kept: jaccard_floor() as an integer count.
  std::size_t min_matches() const { return min_matches_; }
  double jaccard_floor() const { return floor_; }          ///< estimates below this are dropped

  /// The sketch of one signature (signature.size() == num_perm) into words() words.
  void sketch(std::span<const std::uint64_t> signature, std::uint64_t* out) const;

  /// How many of the k b-bit values agree.
  std::size_t matches(const std::uint64_t* a, const std::uint64_t* b) const;

  /// True when the pair passes the check: matches(a, b) >= min_matches().
  bool keep(const std::uint64_t* a, const std::uint64_t* b) const;

  /// The estimate itself (for reports and tests).
  double estimate(const std::uint64_t* a, const std::uint64_t* b) const;

 private:
  std::size_t k_ = 0, bits_ = 2, words_ = 0, min_matches_ = 0;
  double floor_ = 0;
};

}  // namespace millrace::dedup

#if MILLRACE_HEADER_ONLY
#include <millrace/dedup/detail/signature_check_impl.hpp>
#endif

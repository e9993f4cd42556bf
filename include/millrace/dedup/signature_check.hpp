// The cheap check of a candidate pair before it merges two clusters (issue 18): the Jaccard of the
// two documents estimated from b-bit minwise sketches of their MinHash signatures (Li and König,
// 2010) — the lowest b bits of every one of the num_perm values: b = 4 up to 128 permutations
// (7 x 64-bit words = 56 bytes per document for 112), 1 above (40 bytes for 260).
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
// signature_check_quality.cpp) 2 bits left the datatrove preset (t = 0.72) at pair precision
// 0.97-0.99 (sd 0.058 at J = 0.6), 4 bits gives >= 0.998 (sd 0.049) at every preset and seed.
//   auto c = dedup::signature_check(112, 0.8);  c.sketch(sig, words);  c.keep(wa, wb);
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>

namespace millrace::dedup {

class signature_check {
 public:
  static constexpr double default_z = 1.2816;  // one-sided 90% at J = t (>= 99% from about t + 0.05)

  signature_check() = default;
  signature_check(std::size_t num_perm, double threshold, double z = default_z)
      : k_(num_perm), bits_(bits_for(num_perm)), words_((num_perm * bits_ + 63) / 64) {
    if (num_perm == 0) throw std::invalid_argument("signature_check: num_perm must be > 0");
    const double r = std::ldexp(1.0, -static_cast<int>(bits_));
    const double k = static_cast<double>(k_);
    const double p_t = r + (1 - r) * threshold;
    const double sd = std::sqrt(p_t * (1 - p_t) / k) / (1 - r);
    floor_ = threshold - z * sd;
    const double m = k * (r + (1 - r) * std::max(0.0, floor_));
    min_matches_ = static_cast<std::size_t>(std::ceil(m - 1e-9));
  }

  static std::size_t bits_for(std::size_t num_perm) { return num_perm <= 128 ? 4 : 1; }
  std::size_t bits() const { return bits_; }
  std::size_t words() const { return words_; }            ///< 64-bit words per document
  std::size_t bytes_per_document() const { return words_ * 8; }
  std::size_t min_matches() const { return min_matches_; }
  double jaccard_floor() const { return floor_; }          ///< estimates below this are dropped

  /// The sketch of one signature (signature.size() == num_perm) into words() words.
  void sketch(std::span<const std::uint64_t> signature, std::uint64_t* out) const {
    std::fill(out, out + words_, 0);
    const std::uint64_t mask = (std::uint64_t{1} << bits_) - 1;
    for (std::size_t i = 0; i < k_; ++i) {
      const std::size_t bit = i * bits_;
      out[bit / 64] |= (signature[i] & mask) << (bit % 64);
    }
  }

  /// How many of the k b-bit values agree.
  std::size_t matches(const std::uint64_t* a, const std::uint64_t* b) const {
    std::size_t m = 0;
    for (std::size_t w = 0; w < words_; ++w) {
      const std::uint64_t x = a[w] ^ b[w];
      const std::size_t used = std::min<std::size_t>(64, k_ * bits_ - w * 64);
      const std::uint64_t valid = used == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << used) - 1;
      if (bits_ == 1) {
        m += static_cast<std::size_t>(std::popcount(~x & valid));
      } else if (bits_ == 2) {  // a 2-bit value agrees when both of its bits are 0 in x
        const std::uint64_t lo = 0x5555555555555555ull & valid;
        m += static_cast<std::size_t>(std::popcount(~(x | (x >> 1)) & lo));
      } else {  // 4 bits
        const std::uint64_t lo = 0x1111111111111111ull & valid;
        m += static_cast<std::size_t>(std::popcount(~(x | (x >> 1) | (x >> 2) | (x >> 3)) & lo));
      }
    }
    return m;
  }

  bool keep(const std::uint64_t* a, const std::uint64_t* b) const { return matches(a, b) >= min_matches_; }

  /// The estimate itself (for reports and tests).
  double estimate(const std::uint64_t* a, const std::uint64_t* b) const {
    const double r = std::ldexp(1.0, -static_cast<int>(bits_));
    return (static_cast<double>(matches(a, b)) / static_cast<double>(k_) - r) / (1 - r);
  }

 private:
  std::size_t k_ = 0, bits_ = 2, words_ = 0, min_matches_ = 0;
  double floor_ = 0;
};

}  // namespace millrace::dedup

// millrace/dedup/detail/signature_check_impl.hpp — signature_check's definitions
// (dedup/signature_check.hpp declares). Included by dedup/signature_check.hpp in header-only mode,
// compiled once into millrace::compiled (src/dedup.cpp) otherwise.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>

#include <millrace/dedup/signature_check.hpp>
#include <millrace/detail/config.hpp>

namespace millrace::dedup {

MILLRACE_INLINE signature_check::signature_check(std::size_t num_perm, double threshold, double z)
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

MILLRACE_INLINE std::size_t signature_check::bits_for(std::size_t num_perm) { return num_perm <= 128 ? 4 : 1; }

MILLRACE_INLINE void signature_check::sketch(std::span<const std::uint64_t> signature, std::uint64_t* out) const {
  std::fill(out, out + words_, 0);
  const std::uint64_t mask = (std::uint64_t{1} << bits_) - 1;
  for (std::size_t i = 0; i < k_; ++i) {
    const std::size_t bit = i * bits_;
    out[bit / 64] |= (signature[i] & mask) << (bit % 64);
  }
}

MILLRACE_INLINE std::size_t signature_check::matches(const std::uint64_t* a, const std::uint64_t* b) const {
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

MILLRACE_INLINE bool signature_check::keep(const std::uint64_t* a, const std::uint64_t* b) const { return matches(a, b) >= min_matches_; }

MILLRACE_INLINE double signature_check::estimate(const std::uint64_t* a, const std::uint64_t* b) const {
  const double r = std::ldexp(1.0, -static_cast<int>(bits_));
  return (static_cast<double>(matches(a, b)) / static_cast<double>(k_) - r) / (1 - r);
}

}  // namespace millrace::dedup

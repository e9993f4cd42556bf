// Exact Jaccard similarity of two sorted, duplicate-free sets of 64-bit shingle hashes.
//   double j = millrace::dedup::exact_jaccard(sorted_a, sorted_b);   // |a ∩ b| / |a ∪ b|
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace millrace::dedup {

// Both inputs must be sorted ascending and unique. Two empty sets give 0 (nothing to match).
inline double exact_jaccard(std::span<const std::uint64_t> sorted_a, std::span<const std::uint64_t> sorted_b) {
  std::size_t i = 0, j = 0, inter = 0;
  const std::size_t na = sorted_a.size(), nb = sorted_b.size();
  while (i < na && j < nb) {
    const std::uint64_t x = sorted_a[i], y = sorted_b[j];
    inter += (x == y);
    i += (x <= y);
    j += (y <= x);
  }
  const std::size_t uni = na + nb - inter;
  return uni == 0 ? 0.0 : static_cast<double>(inter) / static_cast<double>(uni);
}

}  // namespace millrace::dedup

// millrace/dedup/detail/jaccard_impl.hpp — exact_jaccard's definition (dedup/jaccard.hpp declares).
// Included by dedup/jaccard.hpp in header-only mode, compiled once into millrace::compiled
// (src/dedup.cpp) otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <millrace/dedup/jaccard.hpp>
#include <millrace/detail/config.hpp>

namespace millrace::dedup {

MILLRACE_INLINE double exact_jaccard(std::span<const std::uint64_t> sorted_a, std::span<const std::uint64_t> sorted_b) {
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

// millrace/dedup/jaccard.hpp — exact Jaccard similarity of two sorted, duplicate-free sets of
// 64-bit shingle hashes.
//   double j = millrace::dedup::exact_jaccard(sorted_a, sorted_b);   // |a ∩ b| / |a ∪ b|
// This header declares; dedup/detail/jaccard_impl.hpp defines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <millrace/detail/config.hpp>

namespace millrace::dedup {

/// Both inputs must be sorted ascending and unique. Two empty sets give 0 (nothing to match).
double exact_jaccard(std::span<const std::uint64_t> sorted_a, std::span<const std::uint64_t> sorted_b);

}  // namespace millrace::dedup

#if MILLRACE_HEADER_ONLY
#include <millrace/dedup/detail/jaccard_impl.hpp>
#endif

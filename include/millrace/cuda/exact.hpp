// millrace/cuda/exact.hpp — exact dedup on the device: the xxh3-128 digest of each document
// (dedup::exact_digest without normalization; normalize on the host first) and the first-occurrence
// rule over digests sorted with their positions.
//   millrace::cuda::digest_functor f{bytes, offsets, lo, hi}; f(doc);
#pragma once

#include <cstddef>
#include <cstdint>

#include <millrace/detail/host_device.hpp>
#include <millrace/cuda/detail/xxh3.hpp>

namespace millrace::cuda {

/// One document's digest: (lo, hi) = XXH3_128bits of bytes [offsets[doc], offsets[doc + 1]).
struct digest_functor {
  const char* bytes;             ///< every document's bytes, back to back
  const std::uint64_t* offsets;  ///< docs + 1
  std::uint64_t* lo;             ///< out: low 64 bits of each document's digest, one per doc
  std::uint64_t* hi;             ///< out: high 64 bits of each document's digest, one per doc
  MILLRACE_HD void operator()(std::size_t doc) const {
    const detail::xxh128 h = detail::xxh3_128(bytes + offsets[doc], offsets[doc + 1] - offsets[doc]);
    lo[doc] = h.lo;
    hi[doc] = h.hi;
  }
};

/// A digest with its document position: sorted by (hi, lo, position), the first of each run of
/// equal digests is the first occurrence in input order.
struct positioned_digest {
  std::uint64_t hi, lo;    ///< the digest's high and low 64 bits (hi compares first)
  std::uint32_t position;  ///< the document's index in the input
  MILLRACE_HD friend bool operator<(const positioned_digest& x, const positioned_digest& y) {
    if (x.hi != y.hi) return x.hi < y.hi;
    if (x.lo != y.lo) return x.lo < y.lo;
    return x.position < y.position;
  }
};

/// kept[sorted[i].position] = 1 when sorted[i] starts a run of equal digests.
struct first_occurrence_functor {
  const positioned_digest* sorted;  ///< all digests, sorted by (hi, lo, position)
  char* kept;                       ///< out: one flag per document, indexed by position
  MILLRACE_HD void operator()(std::size_t i) const {
    const bool first = i == 0 || sorted[i].hi != sorted[i - 1].hi || sorted[i].lo != sorted[i - 1].lo;
    kept[sorted[i].position] = first ? 1 : 0;
  }
};

/// run_start[i] = i where sorted[i] starts a run of equal digests, else 0 (a max-scan then gives
/// every entry its run's start).
struct run_start_functor {
  const positioned_digest* sorted;  ///< all digests, sorted by (hi, lo, position)
  MILLRACE_HD std::uint32_t operator()(std::size_t i) const {
    return (i == 0 || sorted[i].hi != sorted[i - 1].hi || sorted[i].lo != sorted[i - 1].lo) ? static_cast<std::uint32_t>(i) : 0u;
  }
};

/// cluster[sorted[i].position] = position of its run's first entry: the first occurrence, as the
/// exact stage's cluster id.
struct cluster_of_run_functor {
  const positioned_digest* sorted;  ///< all digests, sorted by (hi, lo, position)
  const std::uint32_t* run_start;   ///< per sorted entry: index of its run's first entry (max-scanned)
  std::uint64_t* cluster;           ///< out: one cluster id per document, indexed by position
  MILLRACE_HD void operator()(std::size_t i) const { cluster[sorted[i].position] = sorted[run_start[i]].position; }
};

}  // namespace millrace::cuda

// millrace/cuda/minhash.hpp — MinHash on the device: the permutation parameters drawn exactly as
// dedup::minhasher draws them, and a MILLRACE_HD functor giving signature value (doc, perm)
// bit-identical to minhasher::sign.
//   millrace::cuda::minhash_params_table t(params);   // then on the device (cuda/algorithms.hpp):
//   minhash_functor f{a0, a1, c0, c1, b, shingles, offsets, sig, t.params.num_perm, mersenne}; f(doc * num_perm + perm);
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include <millrace/detail/host_device.hpp>
#include <millrace/dedup/minhash.hpp>

namespace millrace::cuda {

namespace detail {
inline constexpr std::uint64_t m61 = (std::uint64_t(1) << 61) - 1;
MILLRACE_HD inline std::uint64_t reduce_m61(std::uint64_t x) {
  x = (x & m61) + (x >> 61);
  return x >= m61 ? x - m61 : x;
}
// dedup::detail::m61_hash: (a*x + b) mod p from four 32x32->64 products (x reduced mod p).
MILLRACE_HD inline std::uint64_t m61_hash(std::uint64_t a0, std::uint64_t a1, std::uint64_t b, std::uint64_t x0,
                                          std::uint64_t x1) {
  const std::uint64_t t0 = a0 * x0, mid = a1 * x0 + a0 * x1, t2 = a1 * x1;
  std::uint64_t s = (t0 & m61) + (t0 >> 61) + (mid >> 29) + ((mid & ((1ull << 29) - 1)) << 32) + (t2 << 3) + b;
  s = (s & m61) + (s >> 61);
  return s >= m61 ? s - m61 : s;
}
// dedup::detail::f32_hash: ((a*x0 + c*x1 + b) mod 2^64) >> 32.
MILLRACE_HD inline std::uint64_t f32_hash(std::uint64_t a0, std::uint64_t a1, std::uint64_t c0, std::uint64_t c1,
                                          std::uint64_t b, std::uint64_t x0, std::uint64_t x1) {
  return (a0 * x0 + c0 * x1 + ((a1 * x0 + c1 * x1) << 32) + b) >> 32;
}
}  // namespace detail

/// The parameters of num_perm hash functions, structure of arrays (a, c split in 32-bit halves).
struct minhash_params_table {
  dedup::minhash_params params;  ///< num_perm, seed and family the table was drawn from
  /// Per hash function: a and c split into low (a0, c0) and high (a1, c1) 32-bit halves, and b;
  /// num_perm each. c is 0 for mersenne61.
  std::vector<std::uint64_t> a0, a1, c0, c1, b;

  /// Draws them as dedup::minhasher does: splitmix64 from seed; mersenne61 a = 1 + next() % (p-1),
  /// b = next() % p; fast32 a, c, b = next().
  explicit minhash_params_table(dedup::minhash_params p) : params(p) {
    if (p.num_perm == 0) throw std::invalid_argument("cuda::minhash: num_perm must be > 0");
    dedup::splitmix64 g{p.seed};
    for (std::size_t i = 0; i < p.num_perm; ++i) {
      std::uint64_t a, c = 0, bb;
      if (p.family == dedup::hash_family::mersenne61) {
        a = 1 + g.next() % (detail::m61 - 1);
        bb = g.next() % detail::m61;
      } else {
        a = g.next();
        c = g.next();
        bb = g.next();
      }
      a0.push_back(a & 0xFFFFFFFFu);
      a1.push_back(a >> 32);
      c0.push_back(c & 0xFFFFFFFFu);
      c1.push_back(c >> 32);
      b.push_back(bb);
    }
  }
};

/// Signature value (doc, perm) for index doc * num_perm + perm: the minimum of hash perm over the
/// doc's shingles [offsets[doc], offsets[doc + 1]); UINT64_MAX for a document without shingles.
/// The pointers are device pointers on the GPU, host pointers with Thrust's CPP system.
struct minhash_functor {
  const std::uint64_t *a0, *a1, *c0, *c1, *b;  ///< num_perm each
  const std::uint64_t* shingles;  ///< every document's shingle hashes, concatenated
  const std::uint64_t* offsets;  ///< docs + 1
  std::uint64_t* signatures;     ///< docs * num_perm, doc-major
  std::size_t num_perm;  ///< hash functions (signature length per document)
  bool mersenne;         ///< hash family: true mersenne61, false fast32

  MILLRACE_HD void operator()(std::size_t index) const {
    const std::size_t doc = index / num_perm, i = index % num_perm;
    std::uint64_t acc = ~std::uint64_t(0);
    const std::uint64_t pa0 = a0[i], pa1 = a1[i], pb = b[i];
    if (mersenne) {
      for (std::uint64_t k = offsets[doc]; k < offsets[doc + 1]; ++k) {
        const std::uint64_t v = detail::reduce_m61(shingles[k]);
        const std::uint64_t h = detail::m61_hash(pa0, pa1, pb, v & 0xFFFFFFFFu, v >> 32);
        acc = h < acc ? h : acc;
      }
    } else {
      const std::uint64_t pc0 = c0[i], pc1 = c1[i];
      for (std::uint64_t k = offsets[doc]; k < offsets[doc + 1]; ++k) {
        const std::uint64_t v = shingles[k];
        const std::uint64_t h = detail::f32_hash(pa0, pa1, pc0, pc1, pb, v & 0xFFFFFFFFu, v >> 32);
        acc = h < acc ? h : acc;
      }
    }
    signatures[index] = acc;
  }
};

}  // namespace millrace::cuda

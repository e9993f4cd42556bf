// millrace/dedup/minhash.hpp — MinHash signatures over 64-bit shingle hashes: the (a*x + b) mod
// (2^61 - 1) family (as datatrove) or a faster 32-bit multiply-shift family; the inner loops
// (detail/minhash_kernels.hpp) are vectorized with AVX-512 or AVX2, picked at run time.
//   millrace::dedup::minhasher mh({.num_perm = 112, .seed = 1}); auto sig = mh.sign(shingle_hashes);
// This header declares; dedup/detail/minhash_impl.hpp defines (with the kernels).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <vector>

#include <millrace/dedup/detail/minhash_kernel_fn.hpp>
#include <millrace/core/random.hpp>
#include <millrace/detail/config.hpp>

namespace millrace::dedup {

/// mersenne61: h(x) = (a*x + b) mod (2^61 - 1), a in [1, p), b in [0, p); exact (128-bit) arithmetic.
/// fast32:     h(x) = ((a*lo32(x) + c*hi32(x) + b) mod 2^64) >> 32 with a, c, b uniform 64-bit
///             (Thorup's vector multiply-shift: strongly universal on the two 32-bit halves).
enum class hash_family { mersenne61, fast32 };

/// MinHash parameters: permutations, hash family and seed (the signature's definition).
struct minhash_params {
  std::size_t num_perm = 112;  ///< permutations: values per signature
  std::uint64_t seed = 1;  ///< starts the splitmix64 stream that draws every permutation's parameters
  hash_family family = hash_family::mersenne61;  ///< hash family of the permutations (see hash_family)
};

/// The signature value of an empty shingle set (every slot at the maximum).
inline constexpr std::uint64_t empty_minhash = std::numeric_limits<std::uint64_t>::max();

/// The documented parameter stream: splitmix64 (Steele et al., millrace/core/random.hpp) started at `seed`. Per permutation,
/// mersenne61 draws a = 1 + next() % (p - 1), then b = next() % p; fast32 draws a, c, b = next().
using millrace::splitmix64;

/// Computes MinHash signatures of shingle sets with the documented permutation family (AVX2 kernels when available).
class minhasher {
 public:
  explicit minhasher(minhash_params p = {});

  /// Values per signature (params().num_perm).
  std::size_t num_perm() const { return p_.num_perm; }
  /// The parameters the hasher was built with (they define its signatures).
  const minhash_params& params() const { return p_; }

  /// The i-th hash of one shingle hash, computed the plain way (128-bit arithmetic): the reference
  /// the tests compare the vectorized kernels against.
  std::uint64_t hash(std::size_t i, std::uint64_t x) const;

  /// signature.size() == num_perm(); an empty set gives all UINT64_MAX (never matches anything real).
  /// Duplicated shingle hashes are harmless (a min over a multiset is the min over its set).
  void sign(std::span<const std::uint64_t> shingle_hashes, std::span<std::uint64_t> signature) const;

  std::vector<std::uint64_t> sign(std::span<const std::uint64_t> shingle_hashes) const;

  /// Use a given SIMD level (0 portable, 1 AVX2, 2 AVX-512) if the CPU has it: for tests and benches.
  void force_simd_level(int level);

 private:
  minhash_params p_;
  std::vector<std::uint32_t> a0_, a1_, c0_, c1_;  // 32-bit halves of a (and c, fast32 only)
  std::vector<std::uint64_t> b_;
  detail::kernel_fn kernel_ = nullptr;
};

/// Fraction of positions where the signatures agree (UINT64_MAX, the empty-set value, never agrees).
double estimate_jaccard(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b);

}  // namespace millrace::dedup

#if MILLRACE_HEADER_ONLY
#include <millrace/dedup/detail/minhash_impl.hpp>
#endif

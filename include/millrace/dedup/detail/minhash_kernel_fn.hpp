// millrace/dedup/detail/minhash_kernel_fn.hpp — the interface of the MinHash kernels
// (detail/minhash_kernels.hpp): the permutations' parameters, the kernel's signature and the SIMD
// level, all that dedup/minhash.hpp needs to hold a kernel, so that it does not include the kernels
// (nor immintrin.h) under separate compilation.
#pragma once

#include <cstddef>
#include <cstdint>

namespace millrace::dedup {

inline constexpr std::uint64_t mersenne61 = (std::uint64_t{1} << 61) - 1;

namespace detail {

inline constexpr std::size_t minhash_block = 512;  // shingles per block: the split hashes stay in L1

// Per-permutation parameters, a and c split into 32-bit halves (a = a0 + 2^32 a1).
// mersenne61 uses a and b; fast32 uses a, c and b.
struct perm_params {
  const std::uint32_t *a0, *a1, *c0, *c1;
  const std::uint64_t* b;
  std::size_t m;
};

// A kernel lowers sig[i] (i < m) to min(sig[i], min_j h_i(x[j])) over one block of
// 1 <= n <= minhash_block raw shingle hashes.
using kernel_fn = void (*)(const perm_params&, const std::uint64_t* x, std::size_t n, std::uint64_t* sig);

// The kernels the CPU can run: 2 = AVX-512, 1 = AVX2, 0 = portable; all give identical results
// (integer arithmetic). Defined with the kernels (detail/minhash_kernels.hpp).
int simd_level();

}  // namespace detail
}  // namespace millrace::dedup

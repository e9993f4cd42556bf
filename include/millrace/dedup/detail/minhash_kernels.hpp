// millrace/dedup/detail/minhash_kernels.hpp — MinHash inner loops: for each permutation, the
// minimum of its hash over a block of shingle hashes. Portable, AVX2 and AVX-512 versions, picked
// at run time; all give identical results (integer arithmetic), which tests/dedup/minhash_test.cpp
// checks against the 128-bit formula. Internal to dedup/detail/minhash_impl.hpp (the kernels'
// interface: detail/minhash_kernel_fn.hpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>

#include <millrace/dedup/detail/minhash_kernel_fn.hpp>
#include <millrace/detail/config.hpp>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(MILLRACE_NO_SIMD_DISPATCH)
#define MILLRACE_MINHASH_DISPATCH 1
#include <immintrin.h>
#else
#define MILLRACE_MINHASH_DISPATCH 0
#endif

namespace millrace::dedup {
namespace detail {

inline std::uint64_t reduce_m61(std::uint64_t x) {
  x = (x & mersenne61) + (x >> 61);
  return x >= mersenne61 ? x - mersenne61 : x;
}

// (a*x + b) mod p with a = a1*2^32 + a0 and x = x1*2^32 + x0 (x already reduced mod p), from four
// 32x32->64 products; uses 2^61 = 1 and 2^64 = 8 (mod p).
inline std::uint64_t m61_hash(std::uint64_t a0, std::uint64_t a1, std::uint64_t b, std::uint64_t x0,
                              std::uint64_t x1) {
  const std::uint64_t t0 = a0 * x0;             // < 2^64
  const std::uint64_t mid = a1 * x0 + a0 * x1;  // < 2^62
  const std::uint64_t t2 = a1 * x1;             // < 2^58
  std::uint64_t s = (t0 & mersenne61) + (t0 >> 61) + (mid >> 29) + ((mid & ((1ull << 29) - 1)) << 32) +
                    (t2 << 3) + b;  // < 2^63 + 2^34
  s = (s & mersenne61) + (s >> 61);
  return s >= mersenne61 ? s - mersenne61 : s;
}

// ((a*x0 + c*x1 + b) mod 2^64) >> 32 with a = a0 + 2^32 a1 (likewise c): the high products only
// matter mod 2^32, shifted up.
inline std::uint64_t f32_hash(std::uint64_t a0, std::uint64_t a1, std::uint64_t c0, std::uint64_t c1, std::uint64_t b,
                              std::uint64_t x0, std::uint64_t x1) {
  return (a0 * x0 + c0 * x1 + ((a1 * x0 + c1 * x1) << 32) + b) >> 32;
}

// The 32-bit halves of each x (reduced mod p first for mersenne61), zero-extended to 64-bit lanes,
// 64-byte aligned for the vector loads.
struct halves {
  alignas(64) std::uint64_t lo[minhash_block];
  alignas(64) std::uint64_t hi[minhash_block];
  halves(const std::uint64_t* x, std::size_t n, bool m61) {
    for (std::size_t j = 0; j < n; ++j) {
      const std::uint64_t v = m61 ? reduce_m61(x[j]) : x[j];
      lo[j] = v & 0xFFFFFFFFu;
      hi[j] = v >> 32;
    }
  }
};

inline void m61_portable(const perm_params& p, const std::uint64_t* x, std::size_t n, std::uint64_t* sig) {
  const halves h(x, n, true);
  for (std::size_t i = 0; i < p.m; ++i) {
    const std::uint64_t a0 = p.a0[i], a1 = p.a1[i], b = p.b[i];
    std::uint64_t acc = sig[i];
    for (std::size_t j = 0; j < n; ++j) acc = std::min(acc, m61_hash(a0, a1, b, h.lo[j], h.hi[j]));
    sig[i] = acc;
  }
}

inline void f32_portable(const perm_params& p, const std::uint64_t* x, std::size_t n, std::uint64_t* sig) {
  const halves h(x, n, false);
  for (std::size_t i = 0; i < p.m; ++i) {
    const std::uint64_t a0 = p.a0[i], a1 = p.a1[i], c0 = p.c0[i], c1 = p.c1[i], b = p.b[i];
    std::uint64_t acc = sig[i];
    for (std::size_t j = 0; j < n; ++j) acc = std::min(acc, f32_hash(a0, a1, c0, c1, b, h.lo[j], h.hi[j]));
    sig[i] = acc;
  }
}

#if MILLRACE_MINHASH_DISPATCH
// Explicit intrinsics: compilers turn the portable loop's 64-bit products into slow vpmullq even
// when both operands are 32-bit. Lanes hold 64-bit values; in the AVX-512 loops a tail shorter
// than a vector goes through the scalar formula, the AVX2 loops pad the block instead. GCC 12's AVX-512 headers trip -Wmaybe-uninitialized (bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#define MILLRACE_AVX512 [[gnu::target("avx512f,avx512dq,avx512vl,avx512bw,avx2")]]
#define MILLRACE_AVX2 [[gnu::target("avx2")]]

MILLRACE_AVX512 inline void m61_avx512(const perm_params& p, const std::uint64_t* x, std::size_t n,
                                       std::uint64_t* sig) {
  const halves h(x, n, true);
  const std::uint64_t *x0 = h.lo, *x1 = h.hi;
  const __m512i P = _mm512_set1_epi64(static_cast<long long>(mersenne61));
  const __m512i M29 = _mm512_set1_epi64((1ll << 29) - 1);
  const std::size_t nv = n & ~std::size_t{7};
  for (std::size_t i = 0; i < p.m; ++i) {
    const __m512i A0 = _mm512_set1_epi64(p.a0[i]), A1 = _mm512_set1_epi64(p.a1[i]);
    const __m512i B = _mm512_set1_epi64(static_cast<long long>(p.b[i]));
    __m512i acc = _mm512_set1_epi64(-1);
    for (std::size_t j = 0; j < nv; j += 8) {
      const __m512i X0 = _mm512_load_si512(x0 + j);
      const __m512i X1 = _mm512_load_si512(x1 + j);
      const __m512i t0 = _mm512_mul_epu32(A0, X0);
      const __m512i mid = _mm512_add_epi64(_mm512_mul_epu32(A1, X0), _mm512_mul_epu32(A0, X1));
      const __m512i t2 = _mm512_mul_epu32(A1, X1);
      __m512i s = _mm512_add_epi64(_mm512_and_si512(t0, P), _mm512_srli_epi64(t0, 61));
      s = _mm512_add_epi64(s, _mm512_srli_epi64(mid, 29));
      s = _mm512_add_epi64(s, _mm512_slli_epi64(_mm512_and_si512(mid, M29), 32));
      s = _mm512_add_epi64(s, _mm512_slli_epi64(t2, 3));
      s = _mm512_add_epi64(s, B);
      s = _mm512_add_epi64(_mm512_and_si512(s, P), _mm512_srli_epi64(s, 61));
      s = _mm512_min_epu64(s, _mm512_sub_epi64(s, P));  // s - p wraps around when s < p
      acc = _mm512_min_epu64(acc, s);
    }
    std::uint64_t r = std::min(sig[i], static_cast<std::uint64_t>(_mm512_reduce_min_epu64(acc)));
    for (std::size_t j = nv; j < n; ++j) r = std::min(r, m61_hash(p.a0[i], p.a1[i], p.b[i], x0[j], x1[j]));
    sig[i] = r;
  }
}

MILLRACE_AVX512 inline void f32_avx512(const perm_params& p, const std::uint64_t* x, std::size_t n,
                                       std::uint64_t* sig) {
  const halves h(x, n, false);
  const std::uint64_t *x0 = h.lo, *x1 = h.hi;
  const std::size_t nv = n & ~std::size_t{7};
  for (std::size_t i = 0; i < p.m; ++i) {
    const __m512i A0 = _mm512_set1_epi64(p.a0[i]), A1 = _mm512_set1_epi64(p.a1[i]);
    const __m512i C0 = _mm512_set1_epi64(p.c0[i]), C1 = _mm512_set1_epi64(p.c1[i]);
    const __m512i B = _mm512_set1_epi64(static_cast<long long>(p.b[i]));
    __m512i acc = _mm512_set1_epi64(-1);
    for (std::size_t j = 0; j < nv; j += 8) {
      const __m512i X0 = _mm512_load_si512(x0 + j);
      const __m512i X1 = _mm512_load_si512(x1 + j);
      const __m512i lo = _mm512_add_epi64(_mm512_mul_epu32(A0, X0), _mm512_mul_epu32(C0, X1));
      const __m512i hi = _mm512_add_epi64(_mm512_mul_epu32(A1, X0), _mm512_mul_epu32(C1, X1));
      const __m512i s = _mm512_add_epi64(_mm512_add_epi64(lo, _mm512_slli_epi64(hi, 32)), B);
      acc = _mm512_min_epu64(acc, _mm512_srli_epi64(s, 32));
    }
    std::uint64_t r = std::min(sig[i], static_cast<std::uint64_t>(_mm512_reduce_min_epu64(acc)));
    for (std::size_t j = nv; j < n; ++j)
      r = std::min(r, f32_hash(p.a0[i], p.a1[i], p.c0[i], p.c1[i], p.b[i], x0[j], x1[j]));
    sig[i] = r;
  }
}

// AVX2 mersenne61, 16 vector operations per 4 hashes (the AVX-512 loop's formula takes 24 here).
// Splits a = ah 2^30 + al (al < 2^30, ah < 2^31) and x = xh 2^31 + xl (xl < 2^31, xh < 2^30), so
//   a x = al xl + ah xh 2^61 + (al (4 xh) + ah (2 xl)) 2^29 = al xl + ah xh + m 2^29      (mod p)
// with m < 2^64, and m 2^29 = (m >> 32) 2^61 + lo32(m) 2^29 = (m >> 32) + lo32(m) 2^29 (one more
// vpmuludq instead of a mask and a shift). The sum s of the five terms and b stays below 2^63
// (every factor is at most 2^k - 1; a, x, b < p). Then, with bit 63 of s clear,
//   y = (s >> 61) - (~s & (p | 2^63)) = fold(s) - p + 2^63 = fold(s) + K,   K = 2^63 - p,
// where fold(s) = (s & p) + (s >> 61) lies in [0, p + 4]: y read as signed is positive and ordered
// like fold(s) when fold(s) < p, and negative in the (about 2^-59 likely) case fold(s) >= p, whose
// value is not reduced. So a signed min (AVX2 has no unsigned one) over y gives the minimum hash + K,
// or a negative lane, and then that permutation's block is recomputed with the scalar formula.
MILLRACE_AVX2 inline void m61_avx2(const perm_params& p, const std::uint64_t* x, std::size_t n, std::uint64_t* sig) {
  constexpr std::uint64_t K = (std::uint64_t{1} << 63) - mersenne61;
  alignas(32) std::uint64_t xl[minhash_block], xh[minhash_block], x4h[minhash_block], x2l[minhash_block];
  // Padded to whole vectors by repeating the last hash (a min over a multiset is the min over its
  // set): no scalar tail per permutation.
  const std::size_t nv = (n + 3) & ~std::size_t{3};
  for (std::size_t j = 0; j < nv; ++j) {
    const std::uint64_t v = reduce_m61(x[std::min(j, n - 1)]);
    xl[j] = v & ((1u << 31) - 1);
    xh[j] = v >> 31;
    x4h[j] = xh[j] << 2;
    x2l[j] = xl[j] << 1;
  }
  __m256i PK = _mm256_set1_epi64x(static_cast<long long>(mersenne61 | (std::uint64_t{1} << 63)));
  __m256i C29 = _mm256_set1_epi64x(1ll << 29);
  // Keeps the constants in registers: GCC 12 reloads 2^29 from memory in every iteration (-20%)
  // and clang 14 re-broadcasts p | 2^63 there.
  __asm__("" : "+x"(C29), "+x"(PK));
  for (std::size_t i = 0; i < p.m; ++i) {
    const std::uint64_t a = (std::uint64_t{p.a1[i]} << 32) | p.a0[i];
    const __m256i AL = _mm256_set1_epi64x(static_cast<long long>(a & ((1u << 30) - 1)));
    const __m256i AH = _mm256_set1_epi64x(static_cast<long long>(a >> 30));
    const __m256i B = _mm256_set1_epi64x(static_cast<long long>(p.b[i]));
    __m256i acc = _mm256_set1_epi64x(std::numeric_limits<long long>::max());
    for (std::size_t j = 0; j < nv; j += 4) {
      const __m256i XL = _mm256_load_si256(reinterpret_cast<const __m256i*>(xl + j));
      const __m256i XH = _mm256_load_si256(reinterpret_cast<const __m256i*>(xh + j));
      const __m256i X4H = _mm256_load_si256(reinterpret_cast<const __m256i*>(x4h + j));
      const __m256i X2L = _mm256_load_si256(reinterpret_cast<const __m256i*>(x2l + j));
      const __m256i m = _mm256_add_epi64(_mm256_mul_epu32(AL, X4H), _mm256_mul_epu32(AH, X2L));
      __m256i s = _mm256_add_epi64(_mm256_mul_epu32(AL, XL), _mm256_mul_epu32(AH, XH));
      s = _mm256_add_epi64(s, B);
      s = _mm256_add_epi64(s, _mm256_srli_epi64(m, 32));
      s = _mm256_add_epi64(s, _mm256_mul_epu32(m, C29));
      __m256i not_s = _mm256_andnot_si256(s, PK);
#if defined(__clang__)
      __asm__("" : "+x"(not_s));  // clang 14 rewrites q - (~s & PK) as q + (s | ~PK) + 1: two more ops
#endif
      const __m256i y = _mm256_sub_epi64(_mm256_srli_epi64(s, 61), not_s);
      acc = _mm256_blendv_epi8(acc, y, _mm256_cmpgt_epi64(acc, y));  // signed min
    }
    alignas(32) std::int64_t lanes[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), acc);
    const std::int64_t low = std::min(std::min(lanes[0], lanes[1]), std::min(lanes[2], lanes[3]));
    std::uint64_t r = sig[i];
    const auto scalar = [&](std::size_t j) {
      const std::uint64_t v = (xh[j] << 31) | xl[j];
      return m61_hash(p.a0[i], p.a1[i], p.b[i], v & 0xFFFFFFFFu, v >> 32);
    };
    if (low >= 0) {
      r = std::min(r, static_cast<std::uint64_t>(low) - K);
    } else {  // a lane saw fold(s) >= p: this block again, exactly
      for (std::size_t j = 0; j < n; ++j) r = std::min(r, scalar(j));
    }
    sig[i] = r;
  }
}

// AVX2 fast32, 9 vector operations per 4 hashes. Each lane holds a 32-bit half twice (x0 in both
// dwords), so vpmulld with (a1 << 32) yields lo32(a1 x0) << 32 directly, and vpmuludq with a0 the
// full 64-bit a0 x0. The hash is the high dword of s = a0 x0 + c0 x1 + ((a1 x0 + c1 x1) << 32) + b
// (mod 2^64), so an unsigned 32-bit min over the high dwords needs no shift.
MILLRACE_AVX2 inline void f32_avx2(const perm_params& p, const std::uint64_t* x, std::size_t n, std::uint64_t* sig) {
  alignas(32) std::uint64_t d0[minhash_block], d1[minhash_block];
  const std::size_t nv = (n + 3) & ~std::size_t{3};  // padded with the last hash, as in m61_avx2
  for (std::size_t j = 0; j < nv; ++j) {
    const std::uint64_t v = x[std::min(j, n - 1)], lo = v & 0xFFFFFFFFu, hi = v >> 32;
    d0[j] = lo | (lo << 32);
    d1[j] = hi | (hi << 32);
  }
  for (std::size_t i = 0; i < p.m; ++i) {
    const __m256i A0 = _mm256_set1_epi64x(p.a0[i]), C0 = _mm256_set1_epi64x(p.c0[i]);
    const __m256i A1 = _mm256_set1_epi64x(static_cast<long long>(std::uint64_t{p.a1[i]} << 32));
    const __m256i C1 = _mm256_set1_epi64x(static_cast<long long>(std::uint64_t{p.c1[i]} << 32));
    const __m256i B = _mm256_set1_epi64x(static_cast<long long>(p.b[i]));
    __m256i acc = _mm256_set1_epi32(-1);
    for (std::size_t j = 0; j < nv; j += 4) {
      const __m256i D0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(d0 + j));
      const __m256i D1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(d1 + j));
      const __m256i lo = _mm256_add_epi64(_mm256_mul_epu32(A0, D0), _mm256_mul_epu32(C0, D1));
      const __m256i hi = _mm256_add_epi64(_mm256_mullo_epi32(A1, D0), _mm256_mullo_epi32(C1, D1));
      acc = _mm256_min_epu32(acc, _mm256_add_epi64(_mm256_add_epi64(lo, hi), B));
    }
    alignas(32) std::uint32_t dw[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(dw), acc);
    sig[i] = std::min<std::uint64_t>(sig[i], std::min(std::min(dw[1], dw[3]), std::min(dw[5], dw[7])));
  }
}
#undef MILLRACE_AVX512
#undef MILLRACE_AVX2
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif  // MILLRACE_MINHASH_DISPATCH

MILLRACE_INLINE int simd_level() {
#if MILLRACE_MINHASH_DISPATCH
  static const int level = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw"))
      return 2;
    if (__builtin_cpu_supports("avx2")) return 1;
    return 0;
  }();
  return level;
#else
  return 0;
#endif
}

inline kernel_fn pick_kernel(bool m61, int level) {
#if MILLRACE_MINHASH_DISPATCH
  if (m61) return level >= 2 ? m61_avx512 : level == 1 ? m61_avx2 : m61_portable;
  return level >= 2 ? f32_avx512 : level == 1 ? f32_avx2 : f32_portable;
#else
  (void)level;
  return m61 ? m61_portable : f32_portable;
#endif
}

}  // namespace detail
}  // namespace millrace::dedup

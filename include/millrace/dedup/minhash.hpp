// MinHash signatures over 64-bit shingle hashes: the (a*x + b) mod (2^61 - 1) family (as datatrove)
// or a faster 32-bit multiply-shift family; the inner loop is vectorized (AVX-512/AVX2 dispatch).
//   millrace::dedup::minhasher mh({.num_perm = 112, .seed = 1}); auto sig = mh.sign(shingle_hashes);
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <vector>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(MILLRACE_NO_SIMD_DISPATCH)
#define MILLRACE_MINHASH_DISPATCH 1
#include <immintrin.h>
#else
#define MILLRACE_MINHASH_DISPATCH 0
#endif

namespace millrace::dedup {

// mersenne61: h(x) = (a*x + b) mod (2^61 - 1), a in [1, p), b in [0, p); exact (128-bit) arithmetic.
// fast32:     h(x) = ((a*lo32(x) + c*hi32(x) + b) mod 2^64) >> 32 with a, c, b uniform 64-bit
//             (Thorup's vector multiply-shift: strongly universal on the two 32-bit halves).
enum class hash_family { mersenne61, fast32 };

struct minhash_params {
  std::size_t num_perm = 112;
  std::uint64_t seed = 1;
  hash_family family = hash_family::mersenne61;
};

inline constexpr std::uint64_t mersenne61 = (std::uint64_t{1} << 61) - 1;
inline constexpr std::uint64_t empty_minhash = std::numeric_limits<std::uint64_t>::max();

// The documented parameter stream: splitmix64 (Steele et al.) started at `seed`. Per permutation,
// mersenne61 draws a = 1 + next() % (p - 1), then b = next() % p; fast32 draws a, c, b = next().
struct splitmix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

namespace detail {

inline constexpr std::size_t minhash_block = 512;  // shingles per block: the split hashes stay in L1

// Per-permutation parameters split into 32-bit halves, so every product is 32x32->64 (vpmuludq).
// mersenne61 uses a (a0 + 2^32 a1) and b; fast32 uses a, c and b.
struct perm_params {
  const std::uint32_t *a0, *a1, *c0, *c1;
  const std::uint64_t* b;
  std::size_t m;
};

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

inline void m61_portable(const perm_params& p, const std::uint64_t* x0, const std::uint64_t* x1, std::size_t n,
                         std::uint64_t* sig) {
  for (std::size_t i = 0; i < p.m; ++i) {
    const std::uint64_t a0 = p.a0[i], a1 = p.a1[i], b = p.b[i];
    std::uint64_t acc = sig[i];
    for (std::size_t j = 0; j < n; ++j) acc = std::min(acc, m61_hash(a0, a1, b, x0[j], x1[j]));
    sig[i] = acc;
  }
}

inline void f32_portable(const perm_params& p, const std::uint64_t* x0, const std::uint64_t* x1, std::size_t n,
                         std::uint64_t* sig) {
  for (std::size_t i = 0; i < p.m; ++i) {
    const std::uint64_t a0 = p.a0[i], a1 = p.a1[i], c0 = p.c0[i], c1 = p.c1[i], b = p.b[i];
    std::uint64_t acc = sig[i];
    for (std::size_t j = 0; j < n; ++j) acc = std::min(acc, f32_hash(a0, a1, c0, c1, b, x0[j], x1[j]));
    sig[i] = acc;
  }
}

using kernel_fn = void (*)(const perm_params&, const std::uint64_t*, const std::uint64_t*, std::size_t, std::uint64_t*);

#if MILLRACE_MINHASH_DISPATCH
// Explicit intrinsics: compilers turn the portable loop's 64-bit products into slow vpmullq even
// when both operands are 32-bit. Lanes hold 64-bit values; a tail shorter than a vector goes
// through the scalar formula. GCC 12's AVX-512 headers trip -Wmaybe-uninitialized (bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#define MILLRACE_AVX512 [[gnu::target("avx512f,avx512dq,avx512vl,avx512bw,avx2")]]
#define MILLRACE_AVX2 [[gnu::target("avx2")]]

MILLRACE_AVX512 inline void m61_avx512(const perm_params& p, const std::uint64_t* x0, const std::uint64_t* x1,
                                       std::size_t n, std::uint64_t* sig) {
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

MILLRACE_AVX512 inline void f32_avx512(const perm_params& p, const std::uint64_t* x0, const std::uint64_t* x1,
                                       std::size_t n, std::uint64_t* sig) {
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

// AVX2 has no unsigned 64-bit min: every value here is < 2^62, so a signed compare is exact.
MILLRACE_AVX2 inline __m256i min_epi64_avx2(__m256i x, __m256i y) {
  return _mm256_blendv_epi8(x, y, _mm256_cmpgt_epi64(x, y));
}
MILLRACE_AVX2 inline std::uint64_t reduce_min_avx2(__m256i v) {
  alignas(32) std::int64_t t[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(t), v);
  return static_cast<std::uint64_t>(std::min(std::min(t[0], t[1]), std::min(t[2], t[3])));
}

MILLRACE_AVX2 inline void m61_avx2(const perm_params& p, const std::uint64_t* x0, const std::uint64_t* x1,
                                   std::size_t n, std::uint64_t* sig) {
  const __m256i P = _mm256_set1_epi64x(static_cast<long long>(mersenne61));
  const __m256i M29 = _mm256_set1_epi64x((1ll << 29) - 1);
  const std::size_t nv = n & ~std::size_t{3};
  for (std::size_t i = 0; i < p.m; ++i) {
    const __m256i A0 = _mm256_set1_epi64x(p.a0[i]), A1 = _mm256_set1_epi64x(p.a1[i]);
    const __m256i B = _mm256_set1_epi64x(static_cast<long long>(p.b[i]));
    __m256i acc = _mm256_set1_epi64x(static_cast<long long>(mersenne61));
    for (std::size_t j = 0; j < nv; j += 4) {
      const __m256i X0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(x0 + j));
      const __m256i X1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(x1 + j));
      const __m256i t0 = _mm256_mul_epu32(A0, X0);
      const __m256i mid = _mm256_add_epi64(_mm256_mul_epu32(A1, X0), _mm256_mul_epu32(A0, X1));
      const __m256i t2 = _mm256_mul_epu32(A1, X1);
      __m256i s = _mm256_add_epi64(_mm256_and_si256(t0, P), _mm256_srli_epi64(t0, 61));
      s = _mm256_add_epi64(s, _mm256_srli_epi64(mid, 29));
      s = _mm256_add_epi64(s, _mm256_slli_epi64(_mm256_and_si256(mid, M29), 32));
      s = _mm256_add_epi64(s, _mm256_slli_epi64(t2, 3));
      s = _mm256_add_epi64(s, B);
      s = _mm256_add_epi64(_mm256_and_si256(s, P), _mm256_srli_epi64(s, 61));  // < 2^61 + 4
      const __m256i below = _mm256_cmpgt_epi64(P, s);
      s = _mm256_blendv_epi8(_mm256_sub_epi64(s, P), s, below);
      acc = min_epi64_avx2(acc, s);
    }
    std::uint64_t r = sig[i];
    if (nv) r = std::min(r, reduce_min_avx2(acc));
    for (std::size_t j = nv; j < n; ++j) r = std::min(r, m61_hash(p.a0[i], p.a1[i], p.b[i], x0[j], x1[j]));
    sig[i] = r;
  }
}

MILLRACE_AVX2 inline void f32_avx2(const perm_params& p, const std::uint64_t* x0, const std::uint64_t* x1,
                                   std::size_t n, std::uint64_t* sig) {
  const std::size_t nv = n & ~std::size_t{3};
  for (std::size_t i = 0; i < p.m; ++i) {
    const __m256i A0 = _mm256_set1_epi64x(p.a0[i]), A1 = _mm256_set1_epi64x(p.a1[i]);
    const __m256i C0 = _mm256_set1_epi64x(p.c0[i]), C1 = _mm256_set1_epi64x(p.c1[i]);
    const __m256i B = _mm256_set1_epi64x(static_cast<long long>(p.b[i]));
    __m256i acc = _mm256_set1_epi64x(1ll << 32);
    for (std::size_t j = 0; j < nv; j += 4) {
      const __m256i X0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(x0 + j));
      const __m256i X1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(x1 + j));
      const __m256i lo = _mm256_add_epi64(_mm256_mul_epu32(A0, X0), _mm256_mul_epu32(C0, X1));
      const __m256i hi = _mm256_add_epi64(_mm256_mul_epu32(A1, X0), _mm256_mul_epu32(C1, X1));
      const __m256i s = _mm256_add_epi64(_mm256_add_epi64(lo, _mm256_slli_epi64(hi, 32)), B);
      acc = min_epi64_avx2(acc, _mm256_srli_epi64(s, 32));
    }
    std::uint64_t r = sig[i];
    if (nv) r = std::min(r, reduce_min_avx2(acc));
    for (std::size_t j = nv; j < n; ++j)
      r = std::min(r, f32_hash(p.a0[i], p.a1[i], p.c0[i], p.c1[i], p.b[i], x0[j], x1[j]));
    sig[i] = r;
  }
}
#undef MILLRACE_AVX512
#undef MILLRACE_AVX2
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif  // MILLRACE_MINHASH_DISPATCH

// 2 = AVX-512, 1 = AVX2, 0 = portable; all give identical results (integer arithmetic).
inline int simd_level() {
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

inline kernel_fn pick_kernel(hash_family f, int level) {
#if MILLRACE_MINHASH_DISPATCH
  if (f == hash_family::mersenne61) return level >= 2 ? m61_avx512 : level == 1 ? m61_avx2 : m61_portable;
  return level >= 2 ? f32_avx512 : level == 1 ? f32_avx2 : f32_portable;
#else
  (void)level;
  return f == hash_family::mersenne61 ? m61_portable : f32_portable;
#endif
}

}  // namespace detail

class minhasher {
 public:
  explicit minhasher(minhash_params p = {}) : p_(p) {
    if (p_.num_perm == 0) throw std::invalid_argument("minhasher: num_perm must be > 0");
    splitmix64 g{p_.seed};
    const std::size_t m = p_.num_perm;
    a0_.resize(m);
    a1_.resize(m);
    c0_.resize(m);
    c1_.resize(m);
    b_.resize(m);
    for (std::size_t i = 0; i < m; ++i) {
      std::uint64_t a, c = 0;
      if (p_.family == hash_family::mersenne61) {
        a = 1 + g.next() % (mersenne61 - 1);  // only 16 residues are slightly favored
        b_[i] = g.next() % mersenne61;
      } else {
        a = g.next();
        c = g.next();
        b_[i] = g.next();
      }
      a0_[i] = static_cast<std::uint32_t>(a);
      a1_[i] = static_cast<std::uint32_t>(a >> 32);
      c0_[i] = static_cast<std::uint32_t>(c);
      c1_[i] = static_cast<std::uint32_t>(c >> 32);
    }
    kernel_ = detail::pick_kernel(p_.family, detail::simd_level());
  }

  std::size_t num_perm() const { return p_.num_perm; }
  const minhash_params& params() const { return p_; }

  // The i-th hash of one shingle hash, computed the plain way (128-bit arithmetic): the reference
  // the tests compare the vectorized kernels against.
  std::uint64_t hash(std::size_t i, std::uint64_t x) const {
    const std::uint64_t a = (std::uint64_t{a1_[i]} << 32) | a0_[i];
    if (p_.family == hash_family::mersenne61) {
      __extension__ using u128 = unsigned __int128;
      return static_cast<std::uint64_t>((u128(a) * x + b_[i]) % mersenne61);
    }
    const std::uint64_t c = (std::uint64_t{c1_[i]} << 32) | c0_[i];
    return (a * (x & 0xFFFFFFFFu) + c * (x >> 32) + b_[i]) >> 32;
  }

  // signature.size() == num_perm(); an empty set gives all UINT64_MAX (never matches anything real).
  // Duplicated shingle hashes are harmless (a min over a multiset is the min over its set).
  void sign(std::span<const std::uint64_t> shingle_hashes, std::span<std::uint64_t> signature) const {
    if (signature.size() != p_.num_perm) throw std::invalid_argument("minhasher::sign: signature size != num_perm");
    std::fill(signature.begin(), signature.end(), empty_minhash);
    // The halves of each shingle hash, zero-extended to 64-bit lanes once per block (64-byte
    // aligned: the kernels use aligned loads).
    alignas(64) std::uint64_t x0[detail::minhash_block];
    alignas(64) std::uint64_t x1[detail::minhash_block];
    const bool m61 = p_.family == hash_family::mersenne61;
    const detail::perm_params pp{a0_.data(), a1_.data(), c0_.data(), c1_.data(), b_.data(), p_.num_perm};
    for (std::size_t start = 0; start < shingle_hashes.size(); start += detail::minhash_block) {
      const std::size_t n = std::min(detail::minhash_block, shingle_hashes.size() - start);
      for (std::size_t j = 0; j < n; ++j) {
        std::uint64_t x = shingle_hashes[start + j];
        if (m61) {
          x = (x & mersenne61) + (x >> 61);
          if (x >= mersenne61) x -= mersenne61;
        }
        x0[j] = x & 0xFFFFFFFFu;
        x1[j] = x >> 32;
      }
      kernel_(pp, x0, x1, n, signature.data());
    }
  }

  std::vector<std::uint64_t> sign(std::span<const std::uint64_t> shingle_hashes) const {
    std::vector<std::uint64_t> s(p_.num_perm);
    sign(shingle_hashes, s);
    return s;
  }

  // Use a given SIMD level (0 portable, 1 AVX2, 2 AVX-512) if the CPU has it: for tests and benches.
  void force_simd_level(int level) {
    kernel_ = detail::pick_kernel(p_.family, std::min(level, detail::simd_level()));
  }

 private:
  minhash_params p_;
  std::vector<std::uint32_t> a0_, a1_, c0_, c1_;  // 32-bit halves of a (and c, fast32 only)
  std::vector<std::uint64_t> b_;
  detail::kernel_fn kernel_ = nullptr;
};

// Fraction of positions where the signatures agree (UINT64_MAX, the empty-set value, never agrees).
inline double estimate_jaccard(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) {
  if (a.size() != b.size()) throw std::invalid_argument("estimate_jaccard: signatures differ in size");
  if (a.empty()) return 0.0;
  std::size_t eq = 0;
  for (std::size_t i = 0; i < a.size(); ++i) eq += (a[i] == b[i] && a[i] != empty_minhash);
  return static_cast<double>(eq) / static_cast<double>(a.size());
}

}  // namespace millrace::dedup

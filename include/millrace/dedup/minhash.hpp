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

namespace millrace::dedup {

// mersenne61: h(x) = (a*x + b) mod (2^61 - 1), a in [1, p), b in [0, p), exact 128-bit arithmetic.
// fast32:     h(x) = ((a*lo32(x) + c*hi32(x) + b) mod 2^64) >> 32, a and c odd 32-bit, b 64-bit.
enum class hash_family { mersenne61, fast32 };

struct minhash_params {
  std::size_t num_perm = 112;
  std::uint64_t seed = 1;
  hash_family family = hash_family::mersenne61;
};

inline constexpr std::uint64_t mersenne61 = (std::uint64_t{1} << 61) - 1;
inline constexpr std::uint64_t empty_minhash = std::numeric_limits<std::uint64_t>::max();

// The documented parameter stream: splitmix64 (Steele et al.) started at `seed`.
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

// (a*x + b) mod p with a = a1*2^32 + a0 and x = x1*2^32 + x0 (x already reduced mod p), from four
// 32x32->64 products so that the loop vectorizes; uses 2^61 = 1 and 2^64 = 8 (mod p).
[[gnu::always_inline]] inline std::uint64_t m61_hash(std::uint64_t a0, std::uint64_t a1, std::uint64_t b,
                                                     std::uint64_t x0, std::uint64_t x1) {
  const std::uint64_t t0 = a0 * x0;                // < 2^64
  const std::uint64_t mid = a1 * x0 + a0 * x1;     // < 2^62
  const std::uint64_t t2 = a1 * x1;                // < 2^58
  std::uint64_t s = (t0 & mersenne61) + (t0 >> 61) + (mid >> 29) + ((mid & ((1ull << 29) - 1)) << 32) +
                    (t2 << 3) + b;                 // < 2^63 + 2^34
  s = (s & mersenne61) + (s >> 61);
  return s >= mersenne61 ? s - mersenne61 : s;
}

struct m61_kernel {
  // Generic body; instantiated in target-specific wrappers below so that it is vectorized for each.
  [[gnu::always_inline]] static inline void run(const std::uint64_t* a0, const std::uint64_t* a1,
                                                const std::uint64_t* b, std::size_t perms,
                                                const std::uint32_t* x0, const std::uint32_t* x1,
                                                std::size_t n, std::uint64_t* sig) {
    for (std::size_t i = 0; i < perms; ++i) {
      const std::uint64_t pa0 = a0[i], pa1 = a1[i], pb = b[i];
      std::uint64_t acc = sig[i];
      for (std::size_t j = 0; j < n; ++j) {
        const std::uint64_t h = m61_hash(pa0, pa1, pb, x0[j], x1[j]);
        acc = h < acc ? h : acc;
      }
      sig[i] = acc;
    }
  }
};

struct f32_kernel {
  [[gnu::always_inline]] static inline void run(const std::uint64_t* a, const std::uint64_t* c,
                                                const std::uint64_t* b, std::size_t perms,
                                                const std::uint32_t* x0, const std::uint32_t* x1,
                                                std::size_t n, std::uint64_t* sig) {
    for (std::size_t i = 0; i < perms; ++i) {
      const std::uint64_t pa = a[i], pc = c[i], pb = b[i];
      std::uint64_t acc = sig[i];
      for (std::size_t j = 0; j < n; ++j) {
        const std::uint64_t h = (pa * x0[j] + pc * x1[j] + pb) >> 32;
        acc = h < acc ? h : acc;
      }
      sig[i] = acc;
    }
  }
};

using kernel_fn = void (*)(const std::uint64_t*, const std::uint64_t*, const std::uint64_t*, std::size_t,
                           const std::uint32_t*, const std::uint32_t*, std::size_t, std::uint64_t*);

#define MILLRACE_MINHASH_WRAPPERS(K)                                                                   \
  inline void K##_default(const std::uint64_t* p, const std::uint64_t* q, const std::uint64_t* r,      \
                          std::size_t m, const std::uint32_t* x, const std::uint32_t* y, std::size_t n, \
                          std::uint64_t* s) {                                                          \
    K::run(p, q, r, m, x, y, n, s);                                                                    \
  }                                                                                                    \
  MILLRACE_MINHASH_TARGET("avx2")                                                                      \
  inline void K##_avx2(const std::uint64_t* p, const std::uint64_t* q, const std::uint64_t* r,         \
                       std::size_t m, const std::uint32_t* x, const std::uint32_t* y, std::size_t n,    \
                       std::uint64_t* s) {                                                             \
    K::run(p, q, r, m, x, y, n, s);                                                                    \
  }                                                                                                    \
  MILLRACE_MINHASH_TARGET("avx512f,avx512vl,avx512dq,avx512bw,avx2")                                   \
  inline void K##_avx512(const std::uint64_t* p, const std::uint64_t* q, const std::uint64_t* r,       \
                         std::size_t m, const std::uint32_t* x, const std::uint32_t* y, std::size_t n,  \
                         std::uint64_t* s) {                                                           \
    K::run(p, q, r, m, x, y, n, s);                                                                    \
  }

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(MILLRACE_NO_SIMD_DISPATCH)
#define MILLRACE_MINHASH_DISPATCH 1
#define MILLRACE_MINHASH_TARGET(t) [[gnu::target(t)]]
#else
#define MILLRACE_MINHASH_DISPATCH 0
#define MILLRACE_MINHASH_TARGET(t)
#endif

MILLRACE_MINHASH_WRAPPERS(m61_kernel)
MILLRACE_MINHASH_WRAPPERS(f32_kernel)
#undef MILLRACE_MINHASH_WRAPPERS
#undef MILLRACE_MINHASH_TARGET

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
  if (f == hash_family::mersenne61)
    return level >= 2 ? m61_kernel_avx512 : level == 1 ? m61_kernel_avx2 : m61_kernel_default;
  return level >= 2 ? f32_kernel_avx512 : level == 1 ? f32_kernel_avx2 : f32_kernel_default;
}

}  // namespace detail

class minhasher {
 public:
  explicit minhasher(minhash_params p = {}) : p_(p) {
    if (p_.num_perm == 0) throw std::invalid_argument("minhasher: num_perm must be > 0");
    splitmix64 g{p_.seed};
    c0_.resize(p_.num_perm);
    c1_.resize(p_.num_perm);
    b_.resize(p_.num_perm);
    for (std::size_t i = 0; i < p_.num_perm; ++i) {
      if (p_.family == hash_family::mersenne61) {
        const std::uint64_t a = 1 + g.next() % (mersenne61 - 1);  // only 16 residues slightly favored
        b_[i] = g.next() % mersenne61;
        c0_[i] = a & 0xFFFFFFFFu;
        c1_[i] = a >> 32;
      } else {
        const std::uint64_t r = g.next();
        c0_[i] = (r & 0xFFFFFFFFu) | 1;
        c1_[i] = (r >> 32) | 1;
        b_[i] = g.next();
      }
    }
    kernel_ = detail::pick_kernel(p_.family, detail::simd_level());
  }

  std::size_t num_perm() const { return p_.num_perm; }
  const minhash_params& params() const { return p_; }

  // The i-th hash of one shingle hash, computed the plain (scalar, 128-bit) way: the reference the
  // tests compare the vectorized kernel against.
  std::uint64_t hash(std::size_t i, std::uint64_t x) const {
    if (p_.family == hash_family::mersenne61) {
      __extension__ using u128 = unsigned __int128;
      const u128 a = (c1_[i] << 32) | c0_[i];
      return static_cast<std::uint64_t>((a * x + b_[i]) % mersenne61);
    }
    return (c0_[i] * (x & 0xFFFFFFFFu) + c1_[i] * (x >> 32) + b_[i]) >> 32;
  }

  // signature.size() == num_perm(); an empty set gives all UINT64_MAX (never matches anything real).
  // Duplicated shingle hashes are harmless (a min over a multiset is the min over its set).
  void sign(std::span<const std::uint64_t> shingle_hashes, std::span<std::uint64_t> signature) const {
    if (signature.size() != p_.num_perm) throw std::invalid_argument("minhasher::sign: signature size != num_perm");
    std::fill(signature.begin(), signature.end(), empty_minhash);
    alignas(64) std::uint32_t x0[detail::minhash_block];
    alignas(64) std::uint32_t x1[detail::minhash_block];
    const bool m61 = p_.family == hash_family::mersenne61;
    for (std::size_t start = 0; start < shingle_hashes.size(); start += detail::minhash_block) {
      const std::size_t n = std::min(detail::minhash_block, shingle_hashes.size() - start);
      for (std::size_t j = 0; j < n; ++j) {
        std::uint64_t x = shingle_hashes[start + j];
        if (m61) {
          x = (x & mersenne61) + (x >> 61);
          if (x >= mersenne61) x -= mersenne61;
        }
        x0[j] = static_cast<std::uint32_t>(x);
        x1[j] = static_cast<std::uint32_t>(x >> 32);
      }
      kernel_(c0_.data(), c1_.data(), b_.data(), p_.num_perm, x0, x1, n, signature.data());
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
  std::vector<std::uint64_t> c0_, c1_, b_;  // mersenne61: a's low/high 32 bits; fast32: a, c
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

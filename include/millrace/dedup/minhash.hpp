// MinHash signatures over 64-bit shingle hashes: the (a*x + b) mod (2^61 - 1) family (as datatrove)
// or a faster 32-bit multiply-shift family; the inner loops (detail/minhash_kernels.hpp) are
// vectorized with AVX-512 or AVX2, picked at run time.
//   millrace::dedup::minhasher mh({.num_perm = 112, .seed = 1}); auto sig = mh.sign(shingle_hashes);
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <vector>

#include <millrace/dedup/detail/minhash_kernels.hpp>

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
    kernel_ = detail::pick_kernel(p_.family == hash_family::mersenne61, detail::simd_level());
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
    const detail::perm_params pp{a0_.data(), a1_.data(), c0_.data(), c1_.data(), b_.data(), p_.num_perm};
    for (std::size_t start = 0; start < shingle_hashes.size(); start += detail::minhash_block)
      kernel_(pp, shingle_hashes.data() + start, std::min(detail::minhash_block, shingle_hashes.size() - start),
              signature.data());
  }

  std::vector<std::uint64_t> sign(std::span<const std::uint64_t> shingle_hashes) const {
    std::vector<std::uint64_t> s(p_.num_perm);
    sign(shingle_hashes, s);
    return s;
  }

  // Use a given SIMD level (0 portable, 1 AVX2, 2 AVX-512) if the CPU has it: for tests and benches.
  void force_simd_level(int level) {
    kernel_ = detail::pick_kernel(p_.family == hash_family::mersenne61, std::min(level, detail::simd_level()));
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

// millrace/core/random.hpp — millrace::splitmix64: the one seeded random generator of the project
// (augmentation, MinHash parameters, the synthetic generators, tuning, retry jitter). Portable: the
// same seed gives the same numbers with every standard library (std::uniform_*_distribution
// differ), on every thread count, and on the GPU (everything is constexpr and branch-light).
//   millrace::splitmix64 g{seed}; std::size_t i = g.below(n);
//   auto r = millrace::random_stream(seed, record, variant, stream);   // counter-based: no shared state
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include <millrace/detail/host_device.hpp>

namespace millrace {

/// splitmix64's output function applied to x + the golden gamma: a strong 64-bit mixer
/// (Steele, Lea and Flood 2014). Also the hash that seeds counter-based streams.
MILLRACE_HD constexpr std::uint64_t splitmix64_mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// MurmurHash3's 64-bit finalizer (fmix64): a bijective mixer that spreads every input bit over
/// the output. The project's one finalizer for polynomial n-gram hashes (text shingles, their GPU
/// twins, the Gopher n-gram keys).
MILLRACE_HD constexpr std::uint64_t fmix64(std::uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  return k ^ (k >> 33);
}

/// The splitmix64 generator: state += gamma, output = mix(state). 64 bits of state, period 2^64.
struct splitmix64 {
  std::uint64_t state = 0;  ///< the whole generator state (the seed at first); copy it to replay the stream

  constexpr splitmix64() = default;
  MILLRACE_HD constexpr explicit splitmix64(std::uint64_t seed) : state(seed) {}

  /// The next 64 random bits.
  MILLRACE_HD constexpr std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1) with 53 random bits.
  MILLRACE_HD constexpr double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// True with probability p.
  MILLRACE_HD constexpr bool bernoulli(double p) { return uniform() < p; }
  /// Uniform integer in [0, n), n > 0, by Lemire's multiply-shift: one draw, no division; the bias
  /// is below n / 2^64 (immaterial for any n we draw). The augmenter's (and its GPU twin's) choice.
  MILLRACE_HD constexpr std::uint64_t below(std::uint64_t n) {
#if defined(__CUDA_ARCH__)
    return __umul64hi(next(), n);
#else
    __extension__ using u128 = unsigned __int128;   // __extension__: no -Wpedantic warning
    return static_cast<std::uint64_t>((static_cast<u128>(next()) * n) >> 64);
#endif
  }
  /// Uniform integer in [0, n), n > 0, exactly unbiased (draws again below 2^64 mod n, so it may
  /// take more than one draw). The synthetic generators' choice: their ground truth is exact.
  MILLRACE_HD constexpr std::uint64_t below_unbiased(std::uint64_t n) {
    const std::uint64_t reject_under = (0 - n) % n;
    for (;;) {
      const std::uint64_t x = next();
      if (x >= reject_under) return x % n;
    }
  }
  /// Uniform integer in [lo, hi], inclusive, exactly unbiased.
  MILLRACE_HD constexpr std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + below_unbiased(hi - lo + 1); }
  /// Fisher-Yates shuffle of v with below_unbiased.
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below_unbiased(i)]);
  }
};

/// A counter-based stream: a generator whose start is a hash of its coordinates (seed, and up to
/// three more, e.g. record, variant, purpose), so results never depend on scheduling.
MILLRACE_HD constexpr splitmix64 random_stream(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0) {
  return splitmix64{splitmix64_mix(splitmix64_mix(splitmix64_mix(splitmix64_mix(seed) ^ a) ^ b) ^ c)};
}

}  // namespace millrace

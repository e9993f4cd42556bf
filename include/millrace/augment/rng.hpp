// Counter-based random streams for augmentation: each (seed, record key, variant, stream) gets its
// own generator, so results never depend on thread count or scheduling (no shared RNG).
// Example: millrace::augment::rng r(seed, record_index, variant, 0); if (r.bernoulli(0.1)) ...
#pragma once

#include <cstddef>
#include <cstdint>

namespace millrace::augment {

namespace detail {
__extension__ using uint128 = unsigned __int128;   // __extension__: no -Wpedantic warning
constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace detail

/// splitmix64 generator whose starting state is a hash of its coordinates.
class rng {
 public:
  constexpr rng(std::uint64_t seed, std::uint64_t key, std::uint64_t variant, std::uint64_t stream)
      : state_(detail::splitmix64(detail::splitmix64(detail::splitmix64(detail::splitmix64(seed) ^ key) ^ variant) ^
                                  stream)) {}

  constexpr std::uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1) with 53 random bits.
  constexpr double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  constexpr bool bernoulli(double p) { return uniform() < p; }
  // Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; the bias is below 2^-40 for our n).
  constexpr std::size_t below(std::size_t n) {
    return static_cast<std::size_t>((static_cast<detail::uint128>(next()) * n) >> 64);
  }

 private:
  std::uint64_t state_;
};

}  // namespace millrace::augment

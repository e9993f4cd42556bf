// millrace/dedup/bloom_filter.hpp — a Bloom filter of 64-bit hashes, sized from the expected number
// of items and a target false- positive rate, with atomic bit sets (insert and contains are safe
// from any number of threads).
//   auto f = millrace::dedup::bloom_filter::for_items(1'000'000, 0.01);  f.insert(h); f.contains(h);
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include <millrace/core/random.hpp>

namespace millrace::dedup {

/// Bits and hash functions of a Bloom filter.
struct bloom_sizing {
  std::uint64_t bits = 0;  ///< m, a multiple of 64
  unsigned hashes = 0;     ///< k
};

/// The classic sizing for n items at false-positive rate p: m = ceil(-n ln p / (ln 2)^2) (rounded
/// up to a multiple of 64), k = max(1, round(m / n * ln 2)). About 9.6 bits per item at p = 0.01.
inline bloom_sizing bloom_size_for(std::uint64_t expected_items, double false_positive_rate) {
  if (!(false_positive_rate > 0.0 && false_positive_rate < 1.0))
    throw std::invalid_argument("dedup::bloom_filter: the false-positive rate must be in (0, 1), got " +
                                std::to_string(false_positive_rate));
  const double n = double(std::max<std::uint64_t>(expected_items, 1));
  const double ln2 = std::log(2.0);
  const double m = std::ceil(-n * std::log(false_positive_rate) / (ln2 * ln2));
  bloom_sizing s;
  s.bits = std::max<std::uint64_t>(64, (std::uint64_t(m) + 63) / 64 * 64);
  s.hashes = unsigned(std::max(1.0, std::round(double(s.bits) / n * ln2)));
  return s;
}

/// The expected false-positive rate of m bits and k hashes holding n items: (1 - e^(-k n / m))^k.
inline double bloom_false_positive_rate(std::uint64_t bits, unsigned hashes, std::uint64_t items) {
  return std::pow(1.0 - std::exp(-double(hashes) * double(items) / double(bits)), double(hashes));
}

/// The filter. Probe i of hash h sets bit reduce(h + i * h2) with h2 = fmix64(h) | 1 (Kirsch and
/// Mitzenmacher's double hashing: k probes from one 64-bit hash, the same asymptotic rate as k
/// independent hashes); reduce(x) = (x * m) >> 64. Its memory is m / 8 bytes, fixed at construction.
/// Copying copies the bits (not atomically with respect to concurrent inserts).
class bloom_filter {
 public:
  bloom_filter() = default;
  /// m bits (rounded up to a multiple of 64) and k hashes; all bits clear.
  bloom_filter(std::uint64_t bits, unsigned hashes) : m_((std::max<std::uint64_t>(bits, 64) + 63) / 64 * 64), k_(std::max(hashes, 1u)) {
    words_ = std::make_unique<std::atomic<std::uint64_t>[]>(m_ / 64);
    for (std::uint64_t i = 0; i < m_ / 64; ++i) words_[i].store(0, std::memory_order_relaxed);
  }
  /// Sized by bloom_size_for(expected_items, false_positive_rate).
  static bloom_filter for_items(std::uint64_t expected_items, double false_positive_rate) {
    const bloom_sizing s = bloom_size_for(expected_items, false_positive_rate);
    return bloom_filter(s.bits, s.hashes);
  }
  bloom_filter(const bloom_filter& o) : m_(o.m_), k_(o.k_) {
    if (!o.words_) return;
    words_ = std::make_unique<std::atomic<std::uint64_t>[]>(m_ / 64);
    for (std::uint64_t i = 0; i < m_ / 64; ++i) words_[i].store(o.words_[i].load(std::memory_order_relaxed), std::memory_order_relaxed);
  }
  bloom_filter& operator=(const bloom_filter& o) {
    if (this != &o) *this = bloom_filter(o);
    return *this;
  }
  bloom_filter(bloom_filter&&) noexcept = default;
  bloom_filter& operator=(bloom_filter&&) noexcept = default;

  /// True if all k bits of h are set: h was inserted, or a false positive.
  bool contains(std::uint64_t h) const {
    const std::uint64_t h2 = second_hash(h);
    for (unsigned i = 0; i < k_; ++i) {
      const std::uint64_t b = reduce(h + i * h2);
      if (!(words_[b >> 6].load(std::memory_order_relaxed) & (std::uint64_t{1} << (b & 63)))) return false;
    }
    return true;
  }
  /// Sets h's bits; true if at least one was clear before (h was not contained).
  bool insert(std::uint64_t h) {
    const std::uint64_t h2 = second_hash(h);
    bool fresh = false;
    for (unsigned i = 0; i < k_; ++i) {
      const std::uint64_t b = reduce(h + i * h2);
      const std::uint64_t bit = std::uint64_t{1} << (b & 63);
      if (!(words_[b >> 6].fetch_or(bit, std::memory_order_relaxed) & bit)) fresh = true;
    }
    return fresh;
  }

  /// As insert(), for a caller that is the only writer at the time (the ordered stage decides on
  /// one thread): plain loads and stores instead of atomic read-modify-writes, several times
  /// cheaper; readers on other threads still see whole words.
  bool insert_exclusive(std::uint64_t h) {
    const std::uint64_t h2 = second_hash(h);
    bool fresh = false;
    for (unsigned i = 0; i < k_; ++i) {
      const std::uint64_t b = reduce(h + i * h2);
      const std::uint64_t bit = std::uint64_t{1} << (b & 63);
      auto& w = words_[b >> 6];
      const std::uint64_t v = w.load(std::memory_order_relaxed);
      if (!(v & bit)) {
        w.store(v | bit, std::memory_order_relaxed);
        fresh = true;
      }
    }
    return fresh;
  }

  /// m: the size in bits (a multiple of 64, at least 64; 0 for a default-constructed filter).
  std::uint64_t bits() const { return m_; }
  /// k: bits probed per item (by insert and contains).
  unsigned hashes() const { return k_; }
  /// The bit array's bytes (m / 8): all the memory the filter ever takes.
  std::size_t memory_bytes() const { return std::size_t(m_ / 8); }
  /// Fraction of bits set (a full filter answers "contained" to everything).
  double fill_ratio() const {
    std::uint64_t set = 0;
    for (std::uint64_t i = 0; i < m_ / 64; ++i) set += std::uint64_t(std::popcount(words_[i].load(std::memory_order_relaxed)));
    return m_ ? double(set) / double(m_) : 0.0;
  }

 private:
  static std::uint64_t second_hash(std::uint64_t h) { return millrace::fmix64(h) | 1; }
  std::uint64_t reduce(std::uint64_t x) const {
    __extension__ using u128 = unsigned __int128;  // __extension__: no -Wpedantic warning
    return std::uint64_t((u128(x) * m_) >> 64);
  }

  std::uint64_t m_ = 0;
  unsigned k_ = 0;
  std::unique_ptr<std::atomic<std::uint64_t>[]> words_;
};

}  // namespace millrace::dedup

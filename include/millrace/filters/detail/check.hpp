// millrace/filters/detail/check.hpp — private: the bookkeeping every filter's check() shares
// (first failing reason, statistics in annotate mode) and a flat hash table of 64-bit keys for
// the duplicate and n-gram counts.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <millrace/core/random.hpp>
#include <millrace/filters/filter_result.hpp>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

namespace millrace::filters::detail {

/// In drop mode (out == nullptr) a filter stops at its first failing test, as datatrove's do;
/// in annotate mode it measures everything, writes each statistic, and records the first reason.
struct checker {
  std::string_view filter;
  filter_result* out;
  std::string_view reason{};

  void stat(std::string_view name, double v) const {
    if (out) out->set(filter, name, v);
  }
  /// True when the caller should return now (a test failed and nothing is annotated).
  bool fail(bool failed, std::string_view why) {
    if (failed && reason.empty()) reason = why;
    return failed && !out;
  }
  std::string_view finish() const {
    if (out && !reason.empty()) out->failures.emplace_back(std::string(filter), std::string(reason));
    return reason;
  }
};

using millrace::fmix64;  // core/random.hpp

/// XXH3-64 of words, lines, paragraphs. Two different strings share a hash with probability
/// ~2^-64; the filters count such a pair as duplicates.
inline std::uint64_t hash_bytes(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

/// Open-addressing table of 64-bit keys with a count and the index of the first insertion.
class key_table {
 public:
  struct slot {
    std::uint64_t key = 0;  // 0: empty (keys are forced non-zero)
    std::uint32_t count = 0, first = 0;
  };
  explicit key_table(std::size_t expected) {
    std::size_t cap = 16;
    shift_ = 60;
    while (cap < expected * 2) cap <<= 1, --shift_;
    slots_.assign(cap, slot{});
    used_.reserve(expected);
  }
  /// Adds one occurrence of key; returns its slot (count == 1: the first time it is seen).
  slot& add(std::uint64_t key, std::uint32_t index) {
    key |= key == 0;
    // Keys are hashes already: one multiply, the high bits (Fibonacci hashing) pick the slot.
    std::size_t m = slots_.size() - 1, i = std::size_t((key * 0x9e3779b97f4a7c15ULL) >> shift_);
    while (slots_[i].key != 0 && slots_[i].key != key) i = (i + 1) & m;
    auto& s = slots_[i];
    if (s.key == 0) s.key = key, s.first = index, used_.push_back(std::uint32_t(i));
    ++s.count;
    return s;
  }
  /// True when key was already there (then it is not added again).
  bool seen_or_add(std::uint64_t key) { return add(key, 0).count > 1; }
  const std::vector<slot>& slots() const { return slots_; }
  /// Empties the table, keeping its capacity (one table serves every n of a document).
  void clear() {
    for (auto i : used_) slots_[i] = slot{};  // only the slots in use: at most half the table
    used_.clear();
  }

 private:
  std::vector<slot> slots_;
  std::vector<std::uint32_t> used_;
  unsigned shift_ = 60;  // 64 - log2(slots)
};

}  // namespace millrace::filters::detail

// Exact deduplication: a 128-bit digest (xxh3-128) of the (optionally normalized) text; the first
// occurrence in input order is kept. The digest set costs 16 bytes per slot (load factor <= 7/8).
//   auto kept = millrace::dedup::exact_dedup(texts);   // kept[i] == 1 for first occurrences
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include <millrace/text/normalize.hpp>

namespace millrace::dedup {

struct exact_options {
  bool normalize = false;                   // digest text::normalize(text, normalization) instead of the raw bytes
  text::normalize_options normalization{};
};

struct digest128 {
  std::uint64_t lo = 0, hi = 0;
  friend bool operator==(const digest128&, const digest128&) = default;
};

inline digest128 exact_digest(std::string_view text, const exact_options& o = {}) {
  XXH128_hash_t h;
  if (o.normalize) {
    thread_local std::string buf;
    text::normalize_into(text, buf, o.normalization);
    h = XXH3_128bits(buf.data(), buf.size());
  } else {
    h = XXH3_128bits(text.data(), text.size());
  }
  return {h.low64, h.high64};
}

// Open-addressing set of 128-bit digests (linear probing). The all-zero digest marks an empty slot
// and is tracked apart.
class digest_set {
 public:
  // True if `d` was not in the set (and is now).
  bool insert(digest128 d) {
    if (d == digest128{}) {
      const bool fresh = !has_zero_;
      has_zero_ = true;
      size_ += fresh;
      return fresh;
    }
    if ((used_ + 1) * 8 > slots_.size() * 7) grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = d.lo & mask;; i = (i + 1) & mask) {
      if (slots_[i] == d) return false;
      if (slots_[i] == digest128{}) {
        slots_[i] = d;
        ++used_;
        ++size_;
        return true;
      }
    }
  }
  bool contains(digest128 d) const {
    if (d == digest128{}) return has_zero_;
    if (slots_.empty()) return false;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = d.lo & mask;; i = (i + 1) & mask) {
      if (slots_[i] == d) return true;
      if (slots_[i] == digest128{}) return false;
    }
  }
  std::size_t size() const { return size_; }
  std::size_t memory_bytes() const { return slots_.size() * sizeof(digest128); }

 private:
  void grow() {
    std::vector<digest128> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, digest128{});
    used_ = 0;
    const std::size_t mask = slots_.size() - 1;
    for (const auto& d : old) {
      if (d == digest128{}) continue;
      std::size_t i = d.lo & mask;
      while (!(slots_[i] == digest128{})) i = (i + 1) & mask;
      slots_[i] = d;
      ++used_;
    }
  }
  std::vector<digest128> slots_;
  std::size_t used_ = 0, size_ = 0;
  bool has_zero_ = false;
};

// Serial, in input order: kept[i] == 1 for the first occurrence of each distinct text.
inline std::vector<char> exact_dedup(std::span<const std::string_view> texts, const exact_options& o = {}) {
  digest_set seen;
  std::vector<char> kept(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) kept[i] = seen.insert(exact_digest(texts[i], o));
  return kept;
}

}  // namespace millrace::dedup

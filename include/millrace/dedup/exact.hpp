// millrace/dedup/exact.hpp — exact deduplication: a 128-bit digest (xxh3-128) of the (optionally
// normalized) text; the first occurrence in input order is kept. The digest set costs 16 bytes per
// slot (load factor <= 7/8).
//   auto kept = millrace::dedup::exact_dedup(texts);   // kept[i] == 1 for first occurrences
// This header declares; dedup/detail/exact_impl.hpp defines (and includes xxhash.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <millrace/core/digest128.hpp>
#include <millrace/core/param.hpp>
#include <millrace/detail/config.hpp>
#include <millrace/text/normalize.hpp>

namespace millrace::dedup {

/// Options of exact dedup: digest the raw bytes, or the text after text::normalize.
struct exact_options {
  bool normalize = false;                   ///< digest text::normalize(text, normalization) instead of the raw bytes
  text::normalize_options normalization{};  ///< what normalize does

  /// Module parameters: "normalize" and "normalization" (text::normalize_options' parameters, nested).
  auto parameters() {
    return millrace::params(millrace::param("normalize", normalize, "compare normalized text instead of raw bytes"),
                            millrace::param("normalization", normalization, "what normalize does"));
  }
};

/// The 128-bit digest (millrace/core/digest128.hpp), named here too for dedup's users.
using millrace::digest128;

/// The xxh3-128 digest of the text (normalized first when o.normalize).
digest128 exact_digest(std::string_view text, const exact_options& o = {});

/// Open-addressing set of 128-bit digests (linear probing). The all-zero digest marks an empty slot
/// and is tracked apart.
class digest_set {
 public:
  /// True if `d` was not in the set (and is now).
  bool insert(digest128 d);
  /// True if `d` was inserted (the all-zero digest included).
  bool contains(digest128 d) const;
  /// Distinct digests inserted (the all-zero digest counts once).
  std::size_t size() const { return size_; }
  /// Bytes of the slot table: 16 per slot, the table doubling to stay at most 7/8 full.
  std::size_t memory_bytes() const { return slots_.size() * sizeof(digest128); }

 private:
  void grow();
  std::vector<digest128> slots_;
  std::size_t used_ = 0, size_ = 0;
  bool has_zero_ = false;
};

/// Serial, in input order: kept[i] == 1 for the first occurrence of each distinct text.
std::vector<char> exact_dedup(std::span<const std::string_view> texts, const exact_options& o = {});

}  // namespace millrace::dedup

#if MILLRACE_HEADER_ONLY
#include <millrace/dedup/detail/exact_impl.hpp>
#endif

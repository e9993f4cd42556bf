// millrace/dedup/detail/exact_impl.hpp — exact deduplication's definitions: the xxh3-128 digest
// and the digest set (dedup/exact.hpp declares). Included by dedup/exact.hpp in header-only mode,
// compiled once into millrace::compiled (src/dedup.cpp) otherwise, so a user's translation unit
// does not parse xxhash.h for them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include <millrace/dedup/exact.hpp>
#include <millrace/detail/config.hpp>
#include <millrace/text/normalize.hpp>

namespace millrace::dedup {

MILLRACE_INLINE digest128 exact_digest(std::string_view text, const exact_options& o) {
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

MILLRACE_INLINE bool digest_set::insert(digest128 d) {
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

MILLRACE_INLINE bool digest_set::contains(digest128 d) const {
  if (d == digest128{}) return has_zero_;
  if (slots_.empty()) return false;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = d.lo & mask;; i = (i + 1) & mask) {
    if (slots_[i] == d) return true;
    if (slots_[i] == digest128{}) return false;
  }
}

MILLRACE_INLINE void digest_set::grow() {
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

MILLRACE_INLINE std::vector<char> exact_dedup(std::span<const std::string_view> texts, const exact_options& o) {
  digest_set seen;
  std::vector<char> kept(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) kept[i] = seen.insert(exact_digest(texts[i], o));
  return kept;
}

}  // namespace millrace::dedup

// millrace/text/detail/shingle_impl.hpp — the tokenizer's and the shingle hashes' definitions
// (text/shingle.hpp declares). Included by text/shingle.hpp in header-only mode, compiled once
// into millrace::compiled (src/text.cpp) otherwise, so a user's translation unit does not parse
// xxhash.h for them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <millrace/core/random.hpp>
#include <millrace/detail/config.hpp>
#include <millrace/text/shingle.hpp>

namespace millrace::text {

namespace detail {

// Bit i set when p[i] is ASCII whitespace, for 64 bytes.
inline std::uint64_t space_mask64(const char* p) {
#if defined(__SSE2__)
  const __m128i sp = _mm_set1_epi8(' '), lo = _mm_set1_epi8(8), hi = _mm_set1_epi8(14);
  std::uint64_t m = 0;
  for (int k = 0; k < 4; ++k) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    const __m128i is = _mm_or_si128(_mm_cmpeq_epi8(v, sp), _mm_and_si128(_mm_cmpgt_epi8(v, lo), _mm_cmplt_epi8(v, hi)));
    m |= std::uint64_t(static_cast<std::uint16_t>(_mm_movemask_epi8(is))) << (16 * k);
  }
  return m;
#else
  std::uint64_t m = 0;
  for (int i = 0; i < 64; ++i) m |= std::uint64_t(is_ascii_space(p[i])) << i;
  return m;
#endif
}

// Calls f(begin, end) for each word (maximal run of non-whitespace bytes), in order. Per 64 bytes,
// whitespace bit masks give the word starts (a non-space after a space) and the word ends (a space
// after a non-space); the k-th start pairs with the k-th end, so each word costs two bit scans and
// no data-dependent branch. The tail is padded with spaces, so a word at the end of the text ends
// at the first padding byte, position text.size().
template <class F>
inline void for_each_word(std::string_view text, F&& f) {
  const char* p = text.data();
  const std::size_t size = text.size();
  std::uint64_t prev_space = 1;  // "a space before the text"
  std::size_t open_start = 0;    // a word begun in an earlier block, if `open`
  bool open = false;
  char tail[64];
  for (std::size_t base = 0; base < size; base += 64) {
    std::uint64_t sp;
    if (size - base >= 64) {
      sp = space_mask64(p + base);
    } else {
      std::memset(tail, ' ', 64);
      std::memcpy(tail, p + base, size - base);
      sp = space_mask64(tail);
    }
    const std::uint64_t before = (sp << 1) | prev_space;  // bit i: byte i - 1 is a space
    std::uint64_t starts = ~sp & before, ends = sp & ~before;
    prev_space = sp >> 63;
    if (open) {
      if (!ends) continue;  // the whole block lies inside the word
      f(open_start, base + static_cast<std::size_t>(__builtin_ctzll(ends)));
      ends &= ends - 1;
      open = false;
    }
    while (starts) {
      const std::size_t b = base + static_cast<std::size_t>(__builtin_ctzll(starts));
      starts &= starts - 1;
      if (!ends) {  // the last word runs into the next block
        open_start = b;
        open = true;
        break;
      }
      f(b, base + static_cast<std::size_t>(__builtin_ctzll(ends)));
      ends &= ends - 1;
    }
  }
  if (open) f(open_start, size);  // only when the text ends on a block boundary inside a word
}
}  // namespace detail

MILLRACE_INLINE void word_tokens(std::string_view text, std::vector<std::string_view>& out) {
  out.clear();
  detail::for_each_word(text, [&](std::size_t b, std::size_t e) { out.push_back(text.substr(b, e - b)); });
}

MILLRACE_INLINE std::uint64_t shingle_hash(std::string_view bytes) {
  return XXH3_64bits(bytes.data(), bytes.size());
}

namespace detail {
inline constexpr std::uint64_t ngram_base = 0x9E3779B97F4A7C15ull;  // odd
using millrace::fmix64;  // core/random.hpp: spreads the polynomial's bits
}  // namespace detail

MILLRACE_INLINE std::uint64_t word_ngram_hash(std::span<const std::uint64_t> word_hashes) {
  std::uint64_t h = 0;
  for (std::uint64_t w : word_hashes) h = h * detail::ngram_base + w;
  return detail::fmix64(h);
}

MILLRACE_INLINE void word_shingle_hashes(std::string_view text, std::size_t n, std::vector<std::uint64_t>& out) {
  out.clear();
  if (n == 0) n = 1;
  thread_local std::vector<std::uint64_t> wh_buf;  // one hash per word
  std::vector<std::uint64_t>& wh = wh_buf;
  if (wh.size() < text.size() / 2 + 2) wh.resize(text.size() / 2 + 2);
  std::uint64_t* w = wh.data();
  const char* p = text.data();
  const std::size_t size = text.size();
  std::size_t words = 0;
  (void)size;
  detail::for_each_word(text, [&](std::size_t b, std::size_t e) { w[words++] = shingle_hash(std::string_view(p + b, e - b)); });
  if (words == 0) return;
  if (words < n) {
    out.push_back(word_ngram_hash(std::span<const std::uint64_t>(w, words)));
    return;
  }
  const std::size_t count = words - n + 1;
  out.resize(count);
  std::uint64_t bn = 1;  // B^(n-1): removes the word leaving the window
  for (std::size_t j = 1; j < n; ++j) bn *= detail::ngram_base;
  std::uint64_t h = 0;
  for (std::size_t j = 0; j < n; ++j) h = h * detail::ngram_base + w[j];
  std::uint64_t* o = out.data();
  o[0] = detail::fmix64(h);
  for (std::size_t k = 1; k < count; ++k) {
    h = (h - w[k - 1] * bn) * detail::ngram_base + w[k + n - 1];
    o[k] = detail::fmix64(h);
  }
}

MILLRACE_INLINE void char_shingle_hashes(std::string_view text, std::size_t n, std::vector<std::uint64_t>& out) {
  out.clear();
  if (n == 0) n = 1;
  if (text.empty()) return;
  thread_local std::vector<std::uint32_t> starts;  // byte offset of each code point, plus the end
  starts.clear();
  for (std::size_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(static_cast<std::uint32_t>(i));
  if (starts.empty()) starts.push_back(0);  // only continuation bytes: one code point
  const std::size_t cps = starts.size();
  starts.push_back(static_cast<std::uint32_t>(text.size()));
  if (cps < n) {
    out.push_back(shingle_hash(text));
    return;
  }
  out.reserve(cps - n + 1);
  for (std::size_t i = 0; i + n <= cps; ++i)
    out.push_back(shingle_hash(text.substr(starts[i], starts[i + n] - starts[i])));
}

}  // namespace millrace::text

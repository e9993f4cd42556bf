// Word tokenization and shingling into 64-bit hashes (xxh3) of word n-grams or character n-grams.
//   std::vector<std::uint64_t> h; millrace::text::word_shingle_hashes("a b c d", 2, h);  // 3 hashes
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

namespace millrace::text {

namespace detail {
inline bool is_ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
}  // namespace detail

// Words are maximal runs of bytes that are not ASCII whitespace (normalize first for Unicode-aware
// splitting and punctuation removal). Clears `out`; the views point into `text`.
inline void word_tokens(std::string_view text, std::vector<std::string_view>& out) {
  out.clear();
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    while (p < end && detail::is_ascii_space(*p)) ++p;
    const char* start = p;
    while (p < end && !detail::is_ascii_space(*p)) ++p;
    if (p > start) out.emplace_back(start, static_cast<std::size_t>(p - start));
  }
}

// The hash of a shingle: xxh3-64 (seed 0) of its bytes; a word n-gram's bytes are its words joined
// by one ' '. Exposed so that others can hash a shingle the same way.
inline std::uint64_t shingle_hash(std::string_view bytes) {
  return XXH3_64bits(bytes.data(), bytes.size());
}

// 64-bit hashes of the word n-grams, in text order, duplicates kept (clears `out`). A text with
// fewer than n words, but at least one, gives one shingle of all its words; no words, no shingles.
inline void word_shingle_hashes(std::string_view text, std::size_t n, std::vector<std::uint64_t>& out) {
  out.clear();
  if (n == 0) n = 1;
  // Word boundaries as byte offsets in plain arrays (no push_back in the scanning loop; the
  // thread-local buffers are touched once per call).
  thread_local std::vector<std::size_t> bounds_buf;
  std::vector<std::size_t>& bounds = bounds_buf;
  if (bounds.size() < text.size() + 2) bounds.resize(text.size() + 2);
  std::size_t* bd = bounds.data();  // word k spans [bd[2k], bd[2k+1])
  const char* p = text.data();
  const std::size_t size = text.size();
  std::size_t words = 0;
  bool single_spaced = true;  // every gap is exactly one ' ' (always so for normalized text)
  std::size_t i = 0;
  while (i < size) {
    const std::size_t gap_start = i;
    while (i < size && detail::is_ascii_space(p[i])) ++i;
    if (i == size) break;
    if (words) single_spaced = single_spaced && i - gap_start == 1 && p[gap_start] == ' ';
    bd[2 * words] = i;
    while (i < size && !detail::is_ascii_space(p[i])) ++i;
    bd[2 * words + 1] = i;
    ++words;
  }
  if (words == 0) return;
  const std::size_t count = words >= n ? words - n + 1 : 1;
  const std::size_t len = words >= n ? n : words;
  out.resize(count);
  std::uint64_t* o = out.data();
  if (single_spaced) {  // an n-gram is a contiguous slice of the text
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t b = bd[2 * k], e = bd[2 * (k + len - 1) + 1];
      o[k] = shingle_hash(std::string_view(p + b, e - b));
    }
    return;
  }
  thread_local std::string joined;
  for (std::size_t k = 0; k < count; ++k) {
    joined.clear();
    for (std::size_t j = 0; j < len; ++j) {
      if (j) joined.push_back(' ');
      joined.append(p + bd[2 * (k + j)], bd[2 * (k + j) + 1] - bd[2 * (k + j)]);
    }
    o[k] = shingle_hash(joined);
  }
}

// 64-bit hashes of every window of n UTF-8 code points (bytes as they are, spaces included), in
// text order (clears `out`). A text shorter than n code points, but not empty, gives one shingle.
inline void char_shingle_hashes(std::string_view text, std::size_t n, std::vector<std::uint64_t>& out) {
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

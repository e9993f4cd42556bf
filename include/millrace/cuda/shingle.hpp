// millrace/cuda/shingle.hpp — word and character shingle hashes of one document as MILLRACE_HD
// functions (device or host), bit-identical to text::word_shingle_hashes / char_shingle_hashes:
// count first, then write.
//   std::size_t n = millrace::cuda::word_shingle_count(p, len, 5); millrace::cuda::write_word_shingles(p, len, 5, out);
#pragma once

#include <cstddef>
#include <cstdint>

#include <millrace/core/random.hpp>
#include <millrace/detail/host_device.hpp>
#include <millrace/cuda/detail/xxh3.hpp>

namespace millrace::cuda {

/// The largest n-gram the device functors take: their windows live in a fixed ring buffer.
inline constexpr std::size_t max_device_ngram = 64;

namespace detail {
MILLRACE_HD inline bool is_space(std::uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
using millrace::fmix64;  // core/random.hpp
inline constexpr std::uint64_t ngram_base = 0x9E3779B97F4A7C15ull;  // text::detail::ngram_base
MILLRACE_HD inline std::size_t clamp_n(std::size_t n) { return n == 0 ? 1 : n; }
MILLRACE_HD inline bool is_cp_start(std::uint8_t c) { return (c & 0xC0) != 0x80; }
}  // namespace detail

/// Number of words of text (maximal runs of non-ASCII-whitespace bytes).
MILLRACE_HD inline std::size_t count_words(const char* text, std::size_t len) {
  std::size_t words = 0;
  bool prev_space = true;
  for (std::size_t i = 0; i < len; ++i) {
    const bool sp = detail::is_space(static_cast<std::uint8_t>(text[i]));
    words += (!sp && prev_space);
    prev_space = sp;
  }
  return words;
}

/// How many hashes write_word_shingles writes: 0 without words, 1 for fewer than n, else words - n + 1.
MILLRACE_HD inline std::size_t word_shingle_count(const char* text, std::size_t len, std::size_t n) {
  n = detail::clamp_n(n);
  const std::size_t w = count_words(text, len);
  return w == 0 ? 0 : (w < n ? 1 : w - n + 1);
}

/// Writes the word n-gram hashes (fmix64 of the rolling polynomial of the words' xxh3-64) in text
/// order, as text::word_shingle_hashes; n <= max_device_ngram. Returns the count written.
MILLRACE_HD inline std::size_t write_word_shingles(const char* text, std::size_t len, std::size_t n, std::uint64_t* out) {
  n = detail::clamp_n(n);
  std::uint64_t ring[max_device_ngram];  // the last n word hashes
  std::uint64_t bn = 1;                  // B^(n-1): removes the word leaving the window
  for (std::size_t j = 1; j < n; ++j) bn *= detail::ngram_base;
  std::uint64_t h = 0;
  std::size_t words = 0, written = 0, i = 0;
  while (i < len) {
    while (i < len && detail::is_space(static_cast<std::uint8_t>(text[i]))) ++i;
    if (i == len) break;
    const std::size_t b = i;
    while (i < len && !detail::is_space(static_cast<std::uint8_t>(text[i]))) ++i;
    const std::uint64_t w = detail::xxh3_64(text + b, i - b, 0);
    if (words >= n) h -= ring[words % n] * bn;
    h = h * detail::ngram_base + w;
    ring[words % n] = w;
    ++words;
    if (words >= n) out[written++] = detail::fmix64(h);
  }
  if (words > 0 && words < n) out[written++] = detail::fmix64(h);  // one shingle of all the words
  return written;
}

/// Number of UTF-8 code points (bytes that are not continuation bytes; at least 1 when len > 0).
MILLRACE_HD inline std::size_t count_code_points(const char* text, std::size_t len) {
  std::size_t c = 0;
  for (std::size_t i = 0; i < len; ++i) c += detail::is_cp_start(static_cast<std::uint8_t>(text[i]));
  return (c == 0 && len > 0) ? 1 : c;
}

/// How many hashes write_char_shingles writes: 0 for an empty text, 1 below n code points.
MILLRACE_HD inline std::size_t char_shingle_count(const char* text, std::size_t len, std::size_t n) {
  n = detail::clamp_n(n);
  if (len == 0) return 0;
  const std::size_t cps = count_code_points(text, len);
  return cps < n ? 1 : cps - n + 1;
}

/// Writes the xxh3-64 of every window of n code points, as text::char_shingle_hashes.
MILLRACE_HD inline std::size_t write_char_shingles(const char* text, std::size_t len, std::size_t n, std::uint64_t* out) {
  n = detail::clamp_n(n);
  if (len == 0) return 0;
  const std::size_t cps = count_code_points(text, len);
  if (cps < n) {
    out[0] = detail::xxh3_64(text, len, 0);
    return 1;
  }
  std::size_t ring[max_device_ngram + 1];  // start offsets of the last n + 1 code points seen
  std::size_t seen = 0, written = 0;
  auto at = [&](std::size_t k) -> std::size_t& { return ring[k % (n + 1)]; };
  bool any_start = false;
  for (std::size_t i = 0; i < len; ++i) any_start |= detail::is_cp_start(static_cast<std::uint8_t>(text[i]));
  if (!any_start) {  // only continuation bytes: one code point, and n == 1 here
    out[0] = detail::xxh3_64(text, len, 0);
    return 1;
  }
  for (std::size_t i = 0; i <= len; ++i) {
    if (i < len && !detail::is_cp_start(static_cast<std::uint8_t>(text[i]))) continue;
    at(seen) = i;  // at len: the end, closing the last window
    if (seen >= n) {
      const std::size_t b = at(seen - n);
      out[written++] = detail::xxh3_64(text + b, i - b, 0);
    }
    ++seen;
  }
  return written;
}

}  // namespace millrace::cuda

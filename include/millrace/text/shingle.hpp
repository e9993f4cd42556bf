// millrace/text/shingle.hpp — word tokenization and shingling into 64-bit hashes of word n-grams
// (xxh3 of each word, combined by a rolling polynomial) or character n-grams (xxh3 of the bytes).
//   std::vector<std::uint64_t> h; millrace::text::word_shingle_hashes("a b c d", 2, h);  // 3 hashes
// This header declares; text/detail/shingle_impl.hpp defines (and includes xxhash.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <millrace/detail/config.hpp>

namespace millrace::text {

/// The bytes that separate words: ' ' and \t \n \v \f \r (the shingler's, the span and n-gram
/// dedups' and the filters' ASCII fast paths' whitespace).
inline bool is_ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
namespace detail {
using text::is_ascii_space;
}  // namespace detail

/// Words are maximal runs of bytes that are not ASCII whitespace (normalize first for Unicode-aware
/// splitting and punctuation removal). Clears `out`; the views point into `text`.
void word_tokens(std::string_view text, std::vector<std::string_view>& out);

/// The hash of a byte string: xxh3-64, seed 0 (words, character shingles).
std::uint64_t shingle_hash(std::string_view bytes);

/// The hash of a word n-gram from its words' hashes w_0..w_{m-1} (w = shingle_hash(word)):
/// fmix64(sum_j w_j * B^(m-1-j) mod 2^64), B = 0x9E3779B97F4A7C15. Words are hashed once and each
/// n-gram costs a few multiplications (a rolling update), instead of hashing n words' bytes again.
std::uint64_t word_ngram_hash(std::span<const std::uint64_t> word_hashes);

/// 64-bit hashes of the word n-grams (word_ngram_hash), in text order, duplicates kept (clears
/// `out`). A text with fewer than n words, but at least one, gives one shingle of all its words; no
/// words, no shingles. Spacing does not matter: only the words do.
void word_shingle_hashes(std::string_view text, std::size_t n, std::vector<std::uint64_t>& out);

/// 64-bit hashes of every window of n UTF-8 code points (bytes as they are, spaces included), in
/// text order (clears `out`). A text shorter than n code points, but not empty, gives one shingle.
void char_shingle_hashes(std::string_view text, std::size_t n, std::vector<std::uint64_t>& out);

}  // namespace millrace::text

#if MILLRACE_HEADER_ONLY
#include <millrace/text/detail/shingle_impl.hpp>
#endif

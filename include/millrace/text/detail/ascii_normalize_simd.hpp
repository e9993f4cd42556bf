// millrace/text/detail/ascii_normalize_simd.hpp — the ASCII fast path of text::normalize, 16 bytes
// at a time (SSSE3): classify and map each byte with vector compares, then drop collapsed spaces
// with a shuffle from a table. Gives the same bytes as the one-byte-at-a-time loop in
// normalize_impl.hpp (tests/text/normalize_test.cpp compares them on random ASCII for every option
// set). Internal to text/detail/normalize_impl.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(MILLRACE_NO_SIMD_DISPATCH)
#define MILLRACE_ASCII_SIMD 1
#include <immintrin.h>
#else
#define MILLRACE_ASCII_SIMD 0
#endif

namespace millrace::text::detail {

// What the ASCII path does to each byte class (the options that matter below 0x80).
struct ascii_rules {
  bool lowercase, digits_to_zero, punctuation_to_space, collapse_whitespace;
};

#if MILLRACE_ASCII_SIMD
// For each 8-bit keep mask, the indices of its set bits in order (a pshufb control), then 0x80s.
inline constexpr auto compaction_table = [] {
  std::array<std::array<std::uint8_t, 8>, 256> t{};
  for (int m = 0; m < 256; ++m) {
    int k = 0;
    for (int b = 0; b < 8; ++b)
      if (m & (1 << b)) t[static_cast<std::size_t>(m)][static_cast<std::size_t>(k++)] = static_cast<std::uint8_t>(b);
    for (; k < 8; ++k) t[static_cast<std::size_t>(m)][static_cast<std::size_t>(k)] = 0x80;
  }
  return t;
}();

inline bool has_ssse3() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("popcnt");
  }();
  return yes;
}

// Maps and compacts whole 16-byte chunks of the ASCII text in[0, n) to w, and stops before the
// first chunk that holds a dropped byte (a control character: rare, left to the byte loop) or when
// fewer than 16 bytes are left. `sp` is the byte loop's state: the last byte kept was a space (or
// nothing was written yet). Returns the bytes consumed; `w` advances by the bytes written.
// Writes stay inside [w, w + consumed): compaction never moves a byte forward.
[[gnu::target("ssse3,popcnt")]] inline std::size_t ascii_chunks_ssse3(const char* in, std::size_t n, char*& w_out,
                                                                     bool& sp_out, const ascii_rules& r) {
  // Locals: through the references every byte store would force a reload of w, sp and the rules.
  char* w = w_out;
  bool sp = sp_out;
  const bool collapse = r.collapse_whitespace;
  const auto ones = [](bool on) { return _mm_set1_epi8(on ? -1 : 0); };
  const __m128i lower_on = ones(r.lowercase), digit_on = ones(r.digits_to_zero);
  const __m128i punct_on = ones(r.punctuation_to_space), space_on = ones(r.collapse_whitespace);
  const auto in_range = [](__m128i x, char lo, char hi) {  // bytes are < 0x80: signed compares are exact
    return _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(static_cast<char>(lo - 1))),
                         _mm_cmplt_epi8(x, _mm_set1_epi8(static_cast<char>(hi + 1))));
  };
  const auto select = [](__m128i mask, __m128i yes, __m128i no) {
    return _mm_or_si128(_mm_and_si128(mask, yes), _mm_andnot_si128(mask, no));
  };
  const __m128i blank = _mm_set1_epi8(' ');
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
    const __m128i upper = in_range(x, 'A', 'Z'), lower = in_range(x, 'a', 'z'), digit = in_range(x, '0', '9');
    const __m128i space = _mm_or_si128(in_range(x, '\t', '\r'), _mm_cmpeq_epi8(x, blank));
    const __m128i control = _mm_or_si128(_mm_andnot_si128(space, _mm_cmplt_epi8(x, blank)),
                                         _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));
    if (_mm_movemask_epi8(control)) break;  // a byte to drop: the byte loop takes this chunk
    const __m128i punct = _mm_andnot_si128(_mm_or_si128(_mm_or_si128(upper, lower), _mm_or_si128(digit, space)),
                                           _mm_set1_epi8(-1));
    __m128i y = _mm_add_epi8(x, _mm_and_si128(_mm_and_si128(upper, lower_on), _mm_set1_epi8(0x20)));
    y = select(_mm_and_si128(digit, digit_on), _mm_set1_epi8('0'), y);
    y = select(_mm_and_si128(punct, punct_on), blank, y);
    y = select(_mm_and_si128(space, space_on), blank, y);
    unsigned keep = 0xFFFF;
    if (collapse) {  // a space right after a kept space goes
      const unsigned s = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(y, blank)));
      keep = ~(s & ((s << 1) | unsigned(sp))) & 0xFFFF;
      sp = (s >> 15) & 1;  // no byte is dropped, so the last byte decides
    }
    if (keep == 0xFFFF) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(w), y);
      w += 16;
      continue;
    }
    const unsigned lo = keep & 0xFF, hi = keep >> 8;
    const __m128i shuf_lo = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(compaction_table[lo].data()));
    const __m128i shuf_hi = _mm_add_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(compaction_table[hi].data())),
                                         _mm_set1_epi8(8));  // 0x80 + 8 keeps its high bit: still zero
    _mm_storel_epi64(reinterpret_cast<__m128i*>(w), _mm_shuffle_epi8(y, shuf_lo));
    w += __builtin_popcount(lo);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(w), _mm_shuffle_epi8(y, shuf_hi));
    w += __builtin_popcount(hi);
  }
  w_out = w;
  sp_out = sp;
  return i;
}
#endif  // MILLRACE_ASCII_SIMD

}  // namespace millrace::text::detail

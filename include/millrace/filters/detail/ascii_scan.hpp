// millrace/filters/detail/ascii_scan.hpp — private: how far a text runs on in "plain" ASCII (no
// byte >= 0x80 and, on request, no control other than '\t', '\n', '\r'), 64 bytes at a time with
// SSE2 (x86-64's baseline), byte by byte elsewhere. The Unicode clean-up copies such runs whole.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace millrace::filters::detail {

inline bool plain_ascii_byte(unsigned char b, bool controls_too) {
  if (b >= 0x80) return false;
  if (!controls_too) return true;
  return (b >= 0x20 && b != 0x7f) || b == '\t' || b == '\n' || b == '\r';
}

/// The first offset >= i of s whose byte is not plain (s.size() when none): a byte >= 0x80, or
/// with `controls_too` a C0 control other than '\t' '\n' '\r', or DEL.
inline std::size_t plain_ascii_end(std::string_view s, std::size_t i, bool controls_too) {
  const std::size_t n = s.size();
  const char* p = s.data();
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f), tab = _mm_set1_epi8('\t'), nl = _mm_set1_epi8('\n'),
                cr = _mm_set1_epi8('\r');
  // One 16-byte lane's mask of bytes that are not plain. Signed compare: bytes >= 0x80 are < 0x20.
  const auto bad = [&](const char* q) -> std::uint64_t {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    if (!controls_too) return unsigned(_mm_movemask_epi8(v));
    const __m128i low = _mm_cmplt_epi8(v, space);
    const __m128i ok = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, nl)), _mm_cmpeq_epi8(v, cr));
    return unsigned(_mm_movemask_epi8(_mm_or_si128(_mm_andnot_si128(ok, low), _mm_cmpeq_epi8(v, del))));
  };
  while (i + 64 <= n) {
    const std::uint64_t m = bad(p + i) | bad(p + i + 16) << 16 | bad(p + i + 32) << 32 | bad(p + i + 48) << 48;
    if (m) return i + std::size_t(std::countr_zero(m));
    i += 64;
  }
  while (i + 16 <= n) {
    const std::uint64_t m = bad(p + i);
    if (m) return i + std::size_t(std::countr_zero(m));
    i += 16;
  }
#endif
  while (i < n && plain_ascii_byte(static_cast<unsigned char>(p[i]), controls_too)) ++i;
  return i;
}

}  // namespace millrace::filters::detail

// millrace/filters/detail/utf8_repair.hpp — private: a strict UTF-8 decoder for the Unicode
// clean-up (Unicode's well-formed byte sequences, Table 3-7), which tells an ill-formed
// sequence (its maximal subpart) and a UTF-8-encoded surrogate (ED A0..BF xx) apart.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace millrace::filters::detail {

enum class utf8_unit : unsigned char { ok, surrogate, ill_formed };

/// Decodes the unit at s[i]; sets `len` (bytes) and `cp` (the code point, or the surrogate's
/// value). An ill-formed unit is the maximal subpart (at least one byte), so one replacement
/// stands for it, as Python's errors="replace" and the WHATWG decoder do.
inline utf8_unit next_unit(std::string_view s, std::size_t i, std::size_t& len, char32_t& cp) {
  const auto b = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  const unsigned b0 = b(0);
  if (b0 < 0x80) return len = 1, cp = b0, utf8_unit::ok;
  unsigned n = 0, lo = 0x80, hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) n = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) n = 3, lo = b0 == 0xe0 ? 0xa0 : 0x80, hi = 0xbf;
  else if (b0 >= 0xf0 && b0 <= 0xf4) n = 4, lo = b0 == 0xf0 ? 0x90 : 0x80, hi = b0 == 0xf4 ? 0x8f : 0xbf;
  if (n == 0) return len = 1, cp = 0xfffd, utf8_unit::ill_formed;
  // ED A0..BF 80..BF: a surrogate (ill-formed in UTF-8, produced by CESU-8 / lenient JSON decoders).
  if (b0 == 0xed && b(1) >= 0xa0 && b(1) <= 0xbf && b(2) >= 0x80 && b(2) <= 0xbf)
    return len = 3, cp = char32_t(0xd000 | ((b(1) & 0x3f) << 6) | (b(2) & 0x3f)), utf8_unit::surrogate;
  if (b0 == 0xed) hi = 0x9f;
  char32_t v = b0 & (0x7f >> n);
  for (unsigned k = 1; k < n; ++k) {
    const unsigned c = b(k);
    const unsigned l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xbf;
    if (c < l || c > h) return len = k, cp = 0xfffd, utf8_unit::ill_formed;
    v = (v << 6) | (c & 0x3f);
  }
  return len = n, cp = v, utf8_unit::ok;
}

inline void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(char(c));
  } else if (c < 0x800) {
    out.push_back(char(0xc0 | (c >> 6)));
    out.push_back(char(0x80 | (c & 0x3f)));
  } else if (c < 0x10000) {
    out.push_back(char(0xe0 | (c >> 12)));
    out.push_back(char(0x80 | ((c >> 6) & 0x3f)));
    out.push_back(char(0x80 | (c & 0x3f)));
  } else {
    out.push_back(char(0xf0 | (c >> 18)));
    out.push_back(char(0x80 | ((c >> 12) & 0x3f)));
    out.push_back(char(0x80 | ((c >> 6) & 0x3f)));
    out.push_back(char(0x80 | (c & 0x3f)));
  }
}

}  // namespace millrace::filters::detail

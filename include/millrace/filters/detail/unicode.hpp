// millrace/filters/detail/unicode.hpp — private: UTF-8 decoding and the character classes the
// filters' single scan needs (word / ideograph / punctuation-or-symbol / space), via utf8proc.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <utf8proc.h>

namespace millrace::filters::detail {

/// Decodes one code point at s[i]; advances i. A malformed byte decodes as U+FFFD, one byte long,
/// so every input (valid UTF-8 or not) is scanned to its end.
inline char32_t decode(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  int len = b0 >= 0xf0 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc0 ? 2 : 0;
  if (len == 0 || b0 > 0xf4 || i + std::size_t(len) > s.size()) {
    ++i;
    return 0xfffd;
  }
  char32_t cp = b0 & (0x7f >> len);
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + std::size_t(k)]);
    if ((b & 0xc0) != 0x80) {
      ++i;
      return 0xfffd;
    }
    cp = (cp << 6) | (b & 0x3f);
  }
  // Overlong forms and surrogates are malformed too.
  static constexpr char32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_len[len] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
    ++i;
    return 0xfffd;
  }
  i += std::size_t(len);
  return cp;
}

/// What the scan needs to know of a code point.
enum class cclass : std::uint8_t {
  space,       ///< Python's str.isspace(): Unicode White_Space and U+001C..U+001F; separates words, stripped from line ends
  letter,      ///< L*: forms words, counts as alphabetic
  digit,       ///< N*: forms words
  mark,        ///< M*, and Pc ('_'): continues a word
  ideograph,   ///< Han ideographs and Hiragana: each one a word of its own
  punct,       ///< P* and S*: symbol tokens
  other,       ///< controls, format characters, unassigned: ignored between words
};

inline bool is_white_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
         c == 0x3000;
}

inline bool is_ideograph(char32_t c) {
  return (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) ||
         (c >= 0x20000 && c <= 0x3134f) || (c >= 0x3040 && c <= 0x309f);
}

inline constexpr auto ascii_class = [] {
  std::array<cclass, 128> t{};
  for (int i = 0; i < 128; ++i) {
    cclass k = cclass::other;
    // Python's str.isspace() (what str.strip() and str.split() remove, in datatrove and NeMo)
    // also holds the information separators U+001C..U+001F, which are not White_Space: GNU
    // info files separate their nodes by a line holding U+001F.
    if ((i >= 0x09 && i <= 0x0d) || (i >= 0x1c && i <= 0x1f) || i == 0x20) k = cclass::space;
    else if ((i >= 0x21 && i <= 0x2f) || (i >= 0x3a && i <= 0x40) || (i >= 0x5b && i <= 0x60) ||
             (i >= 0x7b && i <= 0x7e))
      k = cclass::punct;
    if (i == '_') k = cclass::mark;  // Pc: joins words, as in UAX #29 (ExtendNumLet)
    if (i >= '0' && i <= '9') k = cclass::digit;
    if ((i >= 'A' && i <= 'Z') || (i >= 'a' && i <= 'z')) k = cclass::letter;
    t[std::size_t(i)] = k;
  }
  return t;
}();

inline cclass classify(char32_t c) {
  if (c < 0x80) return ascii_class[c];
  if (is_white_space(c)) return cclass::space;
  if (is_ideograph(c)) return cclass::ideograph;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
      return cclass::letter;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_PC:
      return cclass::mark;
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return cclass::digit;
    case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS: case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF: case UTF8PROC_CATEGORY_PO:
    case UTF8PROC_CATEGORY_SM: case UTF8PROC_CATEGORY_SC: case UTF8PROC_CATEGORY_SK:
    case UTF8PROC_CATEGORY_SO:
      return cclass::punct;
    default:
      return cclass::other;
  }
}

inline bool is_upper(char32_t c) { return utf8proc_category(static_cast<utf8proc_int32_t>(c)) == UTF8PROC_CATEGORY_LU; }

/// datatrove's TERMINAL_PUNCTUATION (utils/text.py), the sentence-ending marks of many scripts:
/// FineWeb's line-punctuation statistic ends lines with one of these.
inline constexpr std::array<char32_t, 159> terminal_punctuation = {0x21, 0x2e, 0x3f, 0x589, 0x61d, 0x61e, 0x61f, 0x6d4, 0x700, 0x701, 0x702, 0x7f9, 0x837, 0x839, 0x83d, 0x83e, 0x964, 0x965, 0x104a, 0x104b, 0x1362, 0x1367, 0x1368, 0x166e, 0x1735, 0x1736, 0x17d4, 0x17d5, 0x17d6, 0x17d9, 0x17da, 0x1803, 0x1809, 0x1944, 0x1945, 0x1aa8, 0x1aa9, 0x1aaa, 0x1aab, 0x1b5a, 0x1b5b, 0x1b5e, 0x1b5f, 0x1b7d, 0x1b7e, 0x1c3b, 0x1c3c, 0x1c7e, 0x1c7f, 0x203c, 0x203d, 0x2047, 0x2048, 0x2049, 0x2e2e, 0x2e3c, 0x2e53, 0x2e54, 0x3002, 0xa4ff, 0xa60e, 0xa60f, 0xa6f3, 0xa6f7, 0xa876, 0xa877, 0xa8ce, 0xa8cf, 0xa92f, 0xa9c8, 0xa9c9, 0xaa5d, 0xaa5e, 0xaa5f, 0xaaf0, 0xaaf1, 0xabeb, 0xfe52, 0xfe56, 0xfe57, 0xff01, 0xff0e, 0xff1f, 0xff61, 0x10a56, 0x10a57, 0x10f55, 0x10f56, 0x10f57, 0x10f58, 0x10f59, 0x10f86, 0x10f87, 0x10f88, 0x10f89, 0x11047, 0x11048, 0x110be, 0x110bf, 0x110c0, 0x110c1, 0x11141, 0x11142, 0x11143, 0x111c5, 0x111c6, 0x111cd, 0x111de, 0x111df, 0x11238, 0x11239, 0x1123b, 0x1123c, 0x112a9, 0x1144b, 0x1144c, 0x115c2, 0x115c3, 0x115c9, 0x115ca, 0x115cb, 0x115cc, 0x115cd, 0x115ce, 0x115cf, 0x115d0, 0x115d1, 0x115d2, 0x115d3, 0x115d4, 0x115d5, 0x115d6, 0x115d7, 0x11641, 0x11642, 0x1173c, 0x1173d, 0x1173e, 0x11944, 0x11946, 0x11a42, 0x11a43, 0x11a9b, 0x11a9c, 0x11c41, 0x11c42, 0x11ef7, 0x11ef8, 0x11f43, 0x11f44, 0x16a6e, 0x16a6f, 0x16af5, 0x16b37, 0x16b38, 0x16b44, 0x16e98, 0x1bc9f, 0x1da88};

inline bool is_terminal_punctuation(char32_t c) {
  if (c < 0x80) return c == '!' || c == '.' || c == '?';
  return std::binary_search(terminal_punctuation.begin(), terminal_punctuation.end(), c);
}

/// The last code point of s (s non-empty), decoded backwards.
inline char32_t last_code_point(std::string_view s) {
  std::size_t i = s.size() - 1;
  std::size_t steps = 0;
  while (i > 0 && steps < 3 && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) --i, ++steps;
  std::size_t j = i;
  const char32_t c = decode(s, j);
  return j == s.size() ? c : 0xfffd;
}

}  // namespace millrace::filters::detail

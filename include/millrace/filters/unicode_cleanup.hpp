// millrace/filters/unicode_cleanup.hpp — Unicode clean-up of a text: invalid UTF-8 and broken
// surrogates replaced (or dropped), control and invisible characters removed, NFC (utf8proc); as
// a function and as a text mapper over records.
//   auto clean = src | mr::filters::unicode_cleanup_op<Doc>({.invalid = mr::filters::invalid_utf8::drop});
#pragma once

#include <cstddef>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <utf8proc.h>

#include <millrace/core/compose.hpp>
#include <millrace/filters/detail/utf8_repair.hpp>

namespace millrace::filters {

/// What becomes of ill-formed UTF-8 and of surrogates that do not pair.
enum class invalid_utf8 {
  replace,  ///< each maximal ill-formed subsequence (each lone surrogate) becomes `replacement`
  drop,     ///< removed
};

/// The clean-up's options (defaults in the comments). Steps, in order: UTF-8 repair, removal of
/// controls and invisible characters, NFC.
struct unicode_cleanup_options {
  bool nfc = true;              ///< canonical composition (NFC), utf8proc; NFKC is text::normalize's
  bool remove_controls = true;  ///< C0 and C1 controls and DEL, except '\t', '\n', '\r'
  /// Zero-width and invisible format characters: U+200B ZERO WIDTH SPACE, U+2060 WORD JOINER,
  /// U+FEFF BOM / ZWNBSP, U+00AD SOFT HYPHEN, U+180E, U+2061-U+2064, U+034F, U+FFF9-U+FFFB,
  /// U+115F, U+1160, U+3164, U+FFA0 (Hangul fillers), U+E0000-U+E007F (tags).
  bool remove_invisible = true;
  /// U+200C ZWNJ and U+200D ZWJ: they matter in Persian, Indic scripts and emoji sequences.
  bool remove_joiners = false;
  /// Bidirectional marks and controls: U+200E, U+200F, U+061C, U+202A-U+202E, U+2066-U+2069.
  bool remove_bidi = false;
  invalid_utf8 invalid = invalid_utf8::replace;
  std::string replacement = "\xEF\xBF\xBD";  ///< U+FFFD
  /// A high and a low surrogate, each UTF-8-encoded (CESU-8, "\\ud83d\\ude00" decoded leniently),
  /// become the code point they encode (U+1F600) instead of two replacements.
  bool join_surrogate_pairs = true;
};

namespace detail {

inline bool is_invisible(char32_t c) {
  return c == 0x200b || c == 0x2060 || c == 0xfeff || c == 0xad || c == 0x180e || (c >= 0x2061 && c <= 0x2064) ||
         c == 0x34f || (c >= 0xfff9 && c <= 0xfffb) || c == 0x115f || c == 0x1160 || c == 0x3164 || c == 0xffa0 ||
         (c >= 0xe0000 && c <= 0xe007f);
}
inline bool is_bidi(char32_t c) {
  return c == 0x200e || c == 0x200f || c == 0x61c || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}
inline bool is_control(char32_t c) { return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7f && c <= 0x9f); }

}  // namespace detail

/// The cleaned text (see unicode_cleanup_options). The output is valid UTF-8 (with `replacement`
/// valid UTF-8). Texts of ASCII without controls come back unchanged after one pass.
inline std::string unicode_cleanup(std::string_view s, const unicode_cleanup_options& o = {}) {
  std::string out;
  out.reserve(s.size());
  bool needs_nfc = false;  // no code point >= U+0300: the text is NFC already
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = 1;
    char32_t c = 0;
    const auto unit = detail::next_unit(s, i, len, c);
    if (unit == detail::utf8_unit::surrogate) {
      std::size_t len2 = 0;
      char32_t c2 = 0;
      if (o.join_surrogate_pairs && c <= 0xdbff && detail::next_unit(s, i + 3, len2, c2) == detail::utf8_unit::surrogate &&
          c2 >= 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (c2 - 0xdc00);
        len = 6;
      } else {
        if (o.invalid == invalid_utf8::replace) out += o.replacement;
        i += len;
        continue;
      }
    } else if (unit == detail::utf8_unit::ill_formed) {
      if (o.invalid == invalid_utf8::replace) out += o.replacement;
      i += len;
      continue;
    }
    const bool removed = (o.remove_controls && detail::is_control(c)) || (o.remove_invisible && detail::is_invisible(c)) ||
                         (o.remove_joiners && (c == 0x200c || c == 0x200d)) || (o.remove_bidi && detail::is_bidi(c));
    if (!removed) {
      if (len == 6) detail::append_utf8(out, c);  // a joined pair: encode it properly
      else out.append(s.substr(i, len));
      needs_nfc |= c >= 0x300;
    }
    i += len;
  }
  if (!o.nfc || !needs_nfc) return out;
  utf8proc_uint8_t* buf = nullptr;
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(out.data()), utf8proc_ssize_t(out.size()), &buf,
                              static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
  if (n < 0) {  // cannot happen on the repaired text; say so rather than return it unnormalized
    std::free(buf);
    throw std::runtime_error(std::string("mr::filters::unicode_cleanup: utf8proc: ") + utf8proc_errmsg(n));
  }
  std::string nfc(reinterpret_cast<const char*>(buf), std::size_t(n));
  std::free(buf);
  return nfc;
}

/// mr::map applying unicode_cleanup to each record's `text` (or to a string record), in parallel.
template <class Rec>
auto unicode_cleanup_op(unicode_cleanup_options o = {}, std::string name = "unicode_cleanup") {
  return millrace::map(
      [o = std::move(o)](Rec r) {
        if constexpr (std::is_convertible_v<const Rec&, std::string_view>) r = unicode_cleanup(r, o);
        else r.text = unicode_cleanup(r.text, o);
        return r;
      },
      std::move(name));
}

}  // namespace millrace::filters

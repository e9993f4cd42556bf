// millrace/filters/unicode_cleanup.hpp — Unicode clean-up of a text: invalid UTF-8 and broken
// surrogates replaced (or dropped), control and invisible characters removed, NFC (utf8proc); as
// a function and as a text mapper over records.
//   auto clean = src | mr::filters::unicode_cleanup_op<Doc>({.invalid = mr::filters::invalid_utf8::drop});
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <millrace/core/compose.hpp>
#include <millrace/filters/detail/ascii_scan.hpp>
#include <millrace/filters/detail/nfc.hpp>
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
  invalid_utf8 invalid = invalid_utf8::replace;  ///< replace (default) or drop ill-formed UTF-8
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

// The clean-up into `out` (emptied first), in one pass: runs of plain ASCII (no byte >= 0x80, no
// control to remove) are copied whole, 64 bytes at a time; other code points are decoded one by
// one. NFC runs as the text is written: `seg` is where the current NFC segment of `out` starts
// (at its inert code point, detail/nfc.hpp), and a segment that received a code point that is not
// inert is normalized by utf8proc when the next inert code point (or the end) arrives: the same
// bytes as utf8proc on the whole cleaned text. Returns false when `out` equals `s` (nothing
// removed, replaced or normalized); `out` is then unspecified.
inline bool cleanup_into(std::string_view s, const unicode_cleanup_options& o, std::string& out) {
  out.clear();
  std::size_t i = plain_ascii_end(s, 0, o.remove_controls);
  if (i == s.size()) return false;  // plain ASCII: nothing to do
  out.reserve(s.size() + s.size() / 16);
  out.append(s.substr(0, i));
  bool changed = false;
  std::size_t seg = i ? i - 1 : 0;  // an ASCII character starts a segment
  bool dirty = false;               // out[seg, end) holds a code point that is not inert
  const auto flush = [&] {
    if (dirty) changed |= nfc_tail(out, seg), dirty = false;
  };
  // A replacement of inert code points starts a segment at its last one; any other is NFC'd
  // with what surrounds it (the whole text was normalized before only when it held a code point
  // >= U+0300 besides the replacements).
  bool rep_inert = true;
  std::size_t rep_last = 0;  // offset of the replacement's last code point
  for (std::size_t k = 0; k < o.replacement.size();) {
    std::size_t len = 1;
    char32_t c = 0;
    rep_last = k;
    rep_inert &= next_unit(o.replacement, k, len, c) == utf8_unit::ok && nfc_inert(c);
    k += len;
  }
  const auto append_replacement = [&] {
    changed = true;
    if (o.replacement.empty()) return;
    if (o.nfc && rep_inert) flush(), seg = out.size() + rep_last;
    else dirty = o.nfc;
    out += o.replacement;
  };
  while (i < s.size()) {
    std::size_t len = 1;
    char32_t c = 0;
    const auto unit = next_unit(s, i, len, c);
    if (unit == utf8_unit::surrogate) {
      std::size_t len2 = 0;
      char32_t c2 = 0;
      if (o.join_surrogate_pairs && c <= 0xdbff && next_unit(s, i + 3, len2, c2) == utf8_unit::surrogate && c2 >= 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (c2 - 0xdc00);
        len = 6;
      } else {
        if (o.invalid == invalid_utf8::replace) append_replacement();
        else changed = true;
        i += len;
        continue;
      }
    } else if (unit == utf8_unit::ill_formed) {
      if (o.invalid == invalid_utf8::replace) append_replacement();
      else changed = true;
      i += len;
      continue;
    }
    const bool removed = (o.remove_controls && is_control(c)) || (o.remove_invisible && is_invisible(c)) ||
                         (o.remove_joiners && (c == 0x200c || c == 0x200d)) || (o.remove_bidi && is_bidi(c));
    if (removed) {
      changed = true;
    } else if (c < 0x80) {  // plain ASCII from here: copy the run
      const std::size_t j = plain_ascii_end(s, i + 1, o.remove_controls);
      flush();
      out.append(s.substr(i, j - i));
      seg = out.size() - 1;
      i = j;
      continue;
    } else {
      const bool inert = !o.nfc || nfc_inert(c);
      if (inert) flush(), seg = out.size();
      else dirty = true;
      if (len == 6) append_utf8(out, c), changed = true;  // a joined pair: encode it properly
      else out.append(s.substr(i, len));
    }
    i += len;
  }
  flush();
  return changed;
}

}  // namespace detail

/// The cleaned text (see unicode_cleanup_options). The output is valid UTF-8 (with `replacement`
/// valid UTF-8). Texts of plain ASCII (no control to remove) are copied after one scan, 64 bytes
/// at a time; NFC (utf8proc) runs only over the stretches around code points it could change,
/// with the same result as on the whole text.
inline std::string unicode_cleanup(std::string_view s, const unicode_cleanup_options& o = {}) {
  std::string out;
  if (!detail::cleanup_into(s, o, out)) return std::string(s);
  return out;
}

/// unicode_cleanup in place: `s` is left as it is (no copy) when clean already; true when it changed.
inline bool unicode_cleanup_in_place(std::string& s, const unicode_cleanup_options& o = {}) {
  thread_local std::string out;
  if (!detail::cleanup_into(s, o, out)) return false;
  s.swap(out);
  return true;
}

/// mr::map applying unicode_cleanup to each record's `text` (or to a string record), in parallel.
template <class Rec>
auto unicode_cleanup_op(unicode_cleanup_options o = {}, std::string name = "unicode_cleanup") {
  return millrace::map(
      [o = std::move(o)](Rec r) {
        if constexpr (std::is_same_v<Rec, std::string>) unicode_cleanup_in_place(r, o);
        else if constexpr (std::is_convertible_v<const Rec&, std::string_view>) r = unicode_cleanup(r, o);
        else if constexpr (std::is_same_v<std::remove_cvref_t<decltype(r.text)>, std::string>) unicode_cleanup_in_place(r.text, o);
        else r.text = unicode_cleanup(r.text, o);
        return r;
      },
      std::move(name));
}

}  // namespace millrace::filters

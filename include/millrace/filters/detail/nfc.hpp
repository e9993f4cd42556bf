// millrace/filters/detail/nfc.hpp — private: NFC (utf8proc's, byte for byte) applied only to the
// windows of a text that can change. A code point is "inert" when it is a starter (combining
// class 0) with no canonical decomposition (or below U+0300) that composes with nothing before
// it (not the second part of a composition, not a Hangul vowel or trailing consonant jamo): NFC
// never reaches across it, so the text splits before each inert code point into segments that
// normalize independently, and a segment of one inert code point is NFC already. The clean-up
// hands utf8proc only the segments that hold a code point that is not inert (an ASCII letter
// before a combining mark starts such a segment).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <utf8proc.h>

namespace millrace::filters::detail {

// One bit per code point (U+0000..U+10FFFF), set where the code point is not inert; built once
// from utf8proc's tables (about 1.1 M property lookups, a few milliseconds), on first use.
inline const std::vector<std::uint64_t>& nfc_not_inert_bits() {
  static const std::vector<std::uint64_t> bits = [] {
    std::vector<std::uint64_t> b(0x110000 / 64, 0);
    const auto set = [&](std::int32_t c) { b[std::size_t(c) >> 6] |= std::uint64_t(1) << (c & 63); };
    for (std::int32_t c = 0x300; c < 0x110000; ++c) {
      const utf8proc_property_t* p = utf8proc_get_property(c);
      const bool canonical = p->decomp_seqindex != UINT16_MAX && p->decomp_type == 0;
      if (p->combining_class != 0 || canonical) set(c);
      if (!canonical) continue;
      // Every code point after the first of a canonical decomposition may compose backwards.
      utf8proc_int32_t d[32];
      int boundclass = 0;
      const auto n = utf8proc_decompose_char(c, d, 32, UTF8PROC_DECOMPOSE, &boundclass);
      for (utf8proc_ssize_t k = 1; k < n && k < 32; ++k) set(d[k]);
    }
    // Hangul: an L jamo composes with a following V, an LV syllable with a following T (utf8proc
    // takes U+11A7, T index 0, as a T too); V and T compose backwards.
    for (std::int32_t c = 0x1161; c <= 0x1175; ++c) set(c);
    for (std::int32_t c = 0x11a7; c <= 0x11c2; ++c) set(c);
    return b;
  }();
  return bits;
}

/// True when NFC can neither change `c` nor compose it with what comes before it (see above).
inline bool nfc_inert(char32_t c) {
  if (c < 0x300) return true;
  if (c > 0x10ffff) return false;
  return !((nfc_not_inert_bits()[std::size_t(c) >> 6] >> (c & 63)) & 1);
}

/// Replaces s[from, end) (valid UTF-8) by its NFC, as utf8proc_map(COMPOSE | STABLE) writes it;
/// one buffer per thread, kept between calls. True when the bytes changed.
inline bool nfc_tail(std::string& s, std::size_t from) {
  thread_local std::vector<utf8proc_int32_t> buf(256);
  const auto* str = reinterpret_cast<const utf8proc_uint8_t*>(s.data() + from);
  const auto len = utf8proc_ssize_t(s.size() - from);
  const auto opt = static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_STABLE);
  // reencode writes UTF-8 over the code points and needs one spare entry.
  auto n = utf8proc_decompose(str, len, buf.data(), utf8proc_ssize_t(buf.size() - 1), opt);
  if (n >= 0 && std::size_t(n) + 1 > buf.size()) {
    buf.resize(std::size_t(n) + 1);
    n = utf8proc_decompose(str, len, buf.data(), n, opt);
  }
  if (n >= 0) n = utf8proc_reencode(buf.data(), n, opt);
  if (n < 0)  // cannot happen on repaired text; say so rather than return it unnormalized
    throw std::runtime_error(std::string("mr::filters::unicode_cleanup: utf8proc: ") + utf8proc_errmsg(n));
  const std::string_view nfc(reinterpret_cast<const char*>(buf.data()), std::size_t(n));
  if (std::string_view(s).substr(from) == nfc) return false;
  s.resize(from);
  s.append(nfc);
  return true;
}

}  // namespace millrace::filters::detail

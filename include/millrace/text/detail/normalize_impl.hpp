// millrace/text/detail/normalize_impl.hpp — text::normalize's definitions (text/normalize.hpp
// declares): the ASCII fast path, the utf8proc path and its per-thread memo. Included by
// text/normalize.hpp in header-only mode, compiled once into millrace::compiled (src/text.cpp)
// otherwise; the only file of millrace's text/ that includes utf8proc.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <utf8proc.h>

#include <millrace/detail/config.hpp>
#include <millrace/text/normalize.hpp>
#include <millrace/text/detail/ascii_normalize_simd.hpp>

namespace millrace::text {

namespace detail {

enum class cp_class : std::uint8_t { other, space, punct, digit, drop, upper };

// ASCII classes, matching what the Unicode path gives for the same bytes (checked by the tests).
inline constexpr auto ascii_classes = [] {
  struct table { cp_class c[128]; } t{};
  for (int i = 0; i < 128; ++i) {
    cp_class k = cp_class::other;
    if (i < 0x20 || i == 0x7f) k = cp_class::drop;                // Cc: control characters
    if ((i >= 0x09 && i <= 0x0d) || i == 0x20) k = cp_class::space;  // White_Space
    if ((i >= 0x21 && i <= 0x2f) || (i >= 0x3a && i <= 0x40) || (i >= 0x5b && i <= 0x60) ||
        (i >= 0x7b && i <= 0x7e))
      k = cp_class::punct;                                          // P* and S*
    if (i >= '0' && i <= '9') k = cp_class::digit;
    if (i >= 'A' && i <= 'Z') k = cp_class::upper;
    t.c[i] = k;
  }
  return t;
}();

inline bool is_white_space(utf8proc_int32_t c) {
  // Unicode White_Space property.
  return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
         c == 0x205f || c == 0x3000;
}


// Output byte of each ASCII byte for one set of options: 0 = dropped, ' ' = a (collapsible)
// space in collapse mode.
struct ascii_map {
  unsigned char m[128];
};

inline ascii_map make_ascii_map(const normalize_options& o) {
  ascii_map t{};
  for (int i = 0; i < 128; ++i) {
    const auto c = static_cast<unsigned char>(i);
    unsigned char r = c;
    switch (ascii_classes.c[i]) {
      case cp_class::drop: r = 0; break;
      case cp_class::space: r = o.collapse_whitespace ? ' ' : c; break;
      case cp_class::punct: r = o.normalize_punctuation ? ' ' : c; break;
      case cp_class::digit: r = o.normalize_digits ? '0' : c; break;
      case cp_class::upper: r = o.lowercase ? static_cast<unsigned char>(c + 32) : c; break;
      case cp_class::other: break;
    }
    t.m[i] = r;
  }
  return t;
}

inline int option_bits(const normalize_options& o) {
  return int(o.lowercase) | int(o.strip_accents) << 1 | int(o.normalize_punctuation) << 2 |
         int(o.normalize_digits) << 3 | int(o.collapse_whitespace) << 4;
}

inline const ascii_map& ascii_map_for(const normalize_options& o) {
  static const auto maps = [] {
    std::vector<ascii_map> v(32);
    for (int f = 0; f < 32; ++f)
      v[static_cast<std::size_t>(f)] = make_ascii_map({(f & 1) != 0, (f & 2) != 0, (f & 4) != 0, (f & 8) != 0, (f & 16) != 0});
    return v;
  }();
  return maps[static_cast<std::size_t>(option_bits(o))];
}

// The byte loop of the ASCII path: one table lookup per byte, branch-free space collapsing.
// `sp`: the last byte kept was a space, or nothing was written yet (collapse mode only).
inline void ascii_bytes(const char* in, std::size_t n, char*& w, bool& sp, const ascii_map& t, bool collapse) {
  if (collapse) {
    for (std::size_t i = 0; i < n; ++i) {
      const unsigned char m = t.m[static_cast<unsigned char>(in[i])];
      const bool is_sp = m == ' ';
      *w = static_cast<char>(m);
      w += (m != 0) & !(is_sp & sp);
      sp = m ? is_sp : sp;
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      const unsigned char m = t.m[static_cast<unsigned char>(in[i])];
      *w = static_cast<char>(m);
      w += m != 0;
    }
  }
}

MILLRACE_INLINE void normalize_ascii(std::string_view in, emitter& e, bool simd) {
  const ascii_map& t = ascii_map_for(e.o);
  const bool collapse = e.o.collapse_whitespace;
  std::string& out = e.out;
  const std::size_t old = out.size(), n = in.size();
  out.resize(old + n);
  char* const base = out.data();
  char* w = base + old;
  bool sp = old == 0 || base[old - 1] == ' ';  // a space here would be leading or doubled
  std::size_t i = 0;
#if MILLRACE_ASCII_SIMD
  if (simd && has_ssse3()) {
    const ascii_rules r{e.o.lowercase, e.o.normalize_digits, e.o.normalize_punctuation, collapse};
    while (i < n) {
      i += ascii_chunks_ssse3(in.data() + i, n - i, w, sp, r);
      const std::size_t stop = std::min(n, i + 16);
      ascii_bytes(in.data() + i, stop - i, w, sp, t, collapse);
      i = stop;
    }
  }
#else
  (void)simd;
#endif
  ascii_bytes(in.data() + i, n - i, w, sp, t, collapse);
  out.resize(static_cast<std::size_t>(w - base));
}

// Replaces every invalid UTF-8 sequence by U+FFFD so that utf8proc accepts the text.
inline std::string sanitize_utf8(std::string_view in) {
  std::string s;
  s.reserve(in.size() + 8);
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(in.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(in.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {
      s += "\xEF\xBF\xBD";
      n = 1;
    } else {
      s.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
    }
    p += n;
    left -= n;
  }
  return s;
}

MILLRACE_INLINE void normalize_unicode(std::string_view in, emitter& e) {
  const normalize_options& o = e.o;
  thread_local std::vector<utf8proc_int32_t> buf;
  auto opts = static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_STABLE |
                                             (o.lowercase ? UTF8PROC_CASEFOLD : 0));
  std::string sanitized;
  std::string_view text = in;
  utf8proc_ssize_t n = 0;
  for (int attempt = 0;; ++attempt) {
    if (buf.size() < text.size() + 16) buf.resize(text.size() + 16);
    n = utf8proc_decompose(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                           static_cast<utf8proc_ssize_t>(text.size()), buf.data(),
                           static_cast<utf8proc_ssize_t>(buf.size()), opts);
    if (n == UTF8PROC_ERROR_INVALIDUTF8 && attempt == 0) {
      sanitized = sanitize_utf8(in);
      text = sanitized;
      continue;
    }
    if (n < 0) {  // only UTF8PROC_ERROR_NOMEM is left: treat as "no normalization possible"
      e.out.append(text);
      return;
    }
    if (static_cast<std::size_t>(n) <= buf.size()) break;
    buf.resize(static_cast<std::size_t>(n));
  }
  if (o.strip_accents) {
    utf8proc_ssize_t k = 0;
    for (utf8proc_ssize_t i = 0; i < n; ++i)
      if (utf8proc_category(buf[static_cast<std::size_t>(i)]) != UTF8PROC_CATEGORY_MN)
        buf[static_cast<std::size_t>(k++)] = buf[static_cast<std::size_t>(i)];
    n = k;
  }
  // Recompose (NFKC); composition never lengthens the text.
  n = utf8proc_normalize_utf32(buf.data(), n, static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
  utf8proc_uint8_t enc[4];
  for (utf8proc_ssize_t i = 0; i < n; ++i) {
    const utf8proc_int32_t c = buf[static_cast<std::size_t>(i)];
    if (c < 0x80) {  // same table as the fast path (case folding is already done)
      const unsigned char m = ascii_map_for(o).m[c];
      if (m == ' ' && o.collapse_whitespace) e.space(' ');
      else if (m) e.byte(static_cast<char>(m));
      continue;
    }
    if (is_white_space(c)) {
      if (o.collapse_whitespace) {
        e.space(' ');
      } else {
        const auto len = utf8proc_encode_char(c, enc);
        e.out.append(reinterpret_cast<const char*>(enc), static_cast<std::size_t>(len));
      }
      continue;
    }
    const auto cat = utf8proc_category(c);
    switch (cat) {
      case UTF8PROC_CATEGORY_CC:
      case UTF8PROC_CATEGORY_CF: continue;  // controls and invisible format characters (ZWSP, BOM)
      case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
      case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
      case UTF8PROC_CATEGORY_PO: case UTF8PROC_CATEGORY_SM: case UTF8PROC_CATEGORY_SC:
      case UTF8PROC_CATEGORY_SK: case UTF8PROC_CATEGORY_SO:
        if (o.normalize_punctuation) {
          e.space(' ');
          continue;
        }
        break;
      case UTF8PROC_CATEGORY_ND:
        if (o.normalize_digits) {
          e.byte('0');
          continue;
        }
        break;
      default: break;
    }
    const auto len = utf8proc_encode_char(c, enc);
    e.out.append(reinterpret_cast<const char*>(enc), static_cast<std::size_t>(len));
  }
}

MILLRACE_INLINE void unicode_segment_memo::emit(std::string_view segment, emitter& e) {
  if (segment.size() > max_key) return normalize_unicode(segment, e);
  const int bits = option_bits(e.o);
  if (bits != bits_) {
    map_.clear();
    bits_ = bits;
  }
  key_.assign(segment);
  auto it = map_.find(key_);
  if (it == map_.end()) {
    if (map_.size() >= max_entries) map_.clear();
    std::string events;
    emitter rec{events, e.o, true};
    normalize_unicode(segment, rec);
    it = map_.emplace(key_, std::move(events)).first;
  }
  for (char c : it->second) {
    if (c == ' ') e.space(' ');
    else e.byte(c);
  }
}

MILLRACE_INLINE unicode_segment_memo& unicode_segment_memo::local() {
  thread_local unicode_segment_memo memo;
  return memo;
}

inline void trim_last_space(std::string& out, const normalize_options& o) {
  if (o.collapse_whitespace && !out.empty() && out.back() == ' ') out.pop_back();
}

MILLRACE_INLINE void normalize_ascii(std::string_view in, const normalize_options& o, std::string& out, bool simd) {
  emitter e{out, o};
  normalize_ascii(in, e, simd);
  trim_last_space(out, o);
}
MILLRACE_INLINE void normalize_unicode(std::string_view in, const normalize_options& o, std::string& out) {
  emitter e{out, o};
  normalize_unicode(in, e);
  trim_last_space(out, o);
}

MILLRACE_INLINE bool is_ascii(std::string_view s) {
  // 8 bytes at a time; the compiler vectorizes the OR-reduction.
  std::uint64_t acc = 0;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    __builtin_memcpy(&w, s.data() + i, 8);
    acc |= w;
  }
  for (; i < s.size(); ++i) acc |= static_cast<unsigned char>(s[i]);
  return (acc & 0x8080808080808080ull) == 0;
}

}  // namespace detail

MILLRACE_INLINE void normalize_into(std::string_view utf8, std::string& out, const normalize_options& o) {
  out.clear();
  out.reserve(utf8.size());
  detail::emitter e{out, o};
  detail::unicode_segment_memo& memo = detail::unicode_segment_memo::local();
  // ASCII runs take the fast path; each run of non-ASCII bytes goes through utf8proc together with
  // the ASCII character before it (a combining mark composes with its base; no ASCII character
  // is ever a combining mark), which gives the same bytes as running utf8proc on the whole text.
  const char* p = utf8.data();
  const char* end = p + utf8.size();
  while (p < end) {
    const char* q = p;
    while (q < end && static_cast<unsigned char>(*q) < 0x80) {
      if (end - q >= 8) {  // skip 8 ASCII bytes at once
        std::uint64_t w;
        __builtin_memcpy(&w, q, 8);
        if ((w & 0x8080808080808080ull) == 0) {
          q += 8;
          continue;
        }
      }
      ++q;
    }
    if (q == end) {
      detail::normalize_ascii(std::string_view(p, static_cast<std::size_t>(q - p)), e);
      break;
    }
    const char* slow = q > p ? q - 1 : q;  // the base character joins the Unicode segment
    detail::normalize_ascii(std::string_view(p, static_cast<std::size_t>(slow - p)), e);
    const char* r = q;
    while (r < end && static_cast<unsigned char>(*r) >= 0x80) ++r;
    memo.emit(std::string_view(slow, static_cast<std::size_t>(r - slow)), e);
    p = r;
  }
  detail::trim_last_space(out, o);
}

MILLRACE_INLINE std::string normalize(std::string_view utf8, const normalize_options& o) {
  std::string out;
  normalize_into(utf8, out, o);
  return out;
}

}  // namespace millrace::text

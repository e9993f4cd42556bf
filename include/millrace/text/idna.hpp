// millrace/text/idna.hpp — domain names in their ASCII form (IDNA "ToASCII"): each label mapped
// (NFKC, lower case, default-ignorable code points removed: the common part of UTS #46's
// nontransitional mapping) and, when not ASCII, Punycode-encoded (RFC 3492, our own encoder) with
// the "xn--" prefix, so that Unicode and ASCII spellings of one domain compare equal.
//   millrace::text::domain_to_ascii("Bücher.example") == "xn--bcher-kva.example"
// Needs utf8proc (a core dependency).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <utf8proc.h>

namespace millrace::text {

/// Punycode (RFC 3492) of a sequence of code points, without the "xn--" prefix: the basic (ASCII)
/// code points first, then a '-' (when there are any) and the deltas of the others in base 36.
/// std::nullopt when a delta overflows 32 bits (inputs far longer than a domain label).
inline std::optional<std::string> punycode_encode(std::u32string_view input) {
  constexpr std::uint32_t base = 36, tmin = 1, tmax = 26, skew = 38, damp = 700, initial_bias = 72, initial_n = 128;
  constexpr std::uint32_t max_int = 0xffffffffu;
  auto adapt = [](std::uint32_t delta, std::uint32_t points, bool first) {
    delta = first ? delta / damp : delta / 2;
    delta += delta / points;
    std::uint32_t k = 0;
    while (delta > ((base - tmin) * tmax) / 2) {
      delta /= base - tmin;
      k += base;
    }
    return k + (base - tmin + 1) * delta / (delta + skew);
  };
  auto digit = [](std::uint32_t d) { return char(d < 26 ? 'a' + d : '0' + (d - 26)); };
  std::string out;
  std::uint32_t basic = 0;
  for (char32_t c : input)
    if (c < 0x80) out.push_back(char(c)), ++basic;
  std::uint32_t h = basic, n = initial_n, delta = 0, bias = initial_bias;
  if (basic > 0) out.push_back('-');
  while (h < input.size()) {
    std::uint32_t m = max_int;
    for (char32_t c : input)
      if (c >= n && c < m) m = c;
    if ((m - n) > (max_int - delta) / (h + 1)) return std::nullopt;
    delta += (m - n) * (h + 1);
    n = m;
    for (char32_t c : input) {
      if (c < n && ++delta == 0) return std::nullopt;
      if (c != n) continue;
      std::uint32_t q = delta;
      for (std::uint32_t k = base;; k += base) {
        const std::uint32_t t = k <= bias ? tmin : k >= bias + tmax ? tmax : k - bias;
        if (q < t) break;
        out.push_back(digit(t + (q - t) % (base - t)));
        q = (q - t) / (base - t);
      }
      out.push_back(digit(q));
      bias = adapt(delta, h + 1, h == basic);
      delta = 0;
      ++h;
    }
    ++delta;
    ++n;
  }
  return out;
}

namespace detail {

// The UTS #46-style mapping of a non-ASCII domain: NFKC with default-ignorable code points
// removed, lower case per code point, NFC again; nullopt for invalid UTF-8.
inline std::optional<std::u32string> idna_map(std::string_view s) {
  auto map = [](std::string_view in, int flags) -> std::optional<std::string> {
    utf8proc_uint8_t* dst = nullptr;
    const utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(in.data()), utf8proc_ssize_t(in.size()), &dst,
                                            static_cast<utf8proc_option_t>(flags));
    if (n < 0) return std::nullopt;
    std::string out(reinterpret_cast<const char*>(dst), std::size_t(n));
    std::free(dst);
    return out;
  };
  auto nfkc = map(s, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_IGNORE);
  if (!nfkc) return std::nullopt;
  std::string lower;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(nfkc->data());
  for (utf8proc_ssize_t left = utf8proc_ssize_t(nfkc->size()); left > 0;) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t k = utf8proc_iterate(p, left, &cp);
    if (k <= 0) return std::nullopt;
    utf8proc_uint8_t buf[4];
    lower.append(reinterpret_cast<const char*>(buf), std::size_t(utf8proc_encode_char(utf8proc_tolower(cp), buf)));
    p += k;
    left -= k;
  }
  auto nfc = map(lower, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
  if (!nfc) return std::nullopt;
  std::u32string out;
  p = reinterpret_cast<const utf8proc_uint8_t*>(nfc->data());
  for (utf8proc_ssize_t left = utf8proc_ssize_t(nfc->size()); left > 0;) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t k = utf8proc_iterate(p, left, &cp);
    if (k <= 0) return std::nullopt;
    out.push_back(char32_t(cp));
    p += k;
    left -= k;
  }
  return out;
}

}  // namespace detail

/// A domain name's ASCII form: labels split at '.' and the ideographic full stop U+3002 (NFKC
/// folds the full-width and half-width stops into these); an ASCII label lower-cased, any other
/// mapped (see the header comment) and written "xn--" + punycode_encode. An ASCII name only
/// loses its upper case ("xn--" labels stay as they are). std::nullopt for invalid UTF-8 or an
/// encoding overflow. Not a validator: it does not check label lengths or the bidi rules.
inline std::optional<std::string> domain_to_ascii(std::string_view domain) {
  bool ascii = true;
  for (char c : domain) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) {
    std::string out(domain);
    for (auto& c : out)
      if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return out;
  }
  auto mapped = detail::idna_map(domain);
  if (!mapped) return std::nullopt;
  std::string out;
  std::u32string label;
  auto flush = [&]() -> bool {
    bool plain = true;
    for (char32_t c : label) plain = plain && c < 0x80;
    if (plain) {
      for (char32_t c : label) out.push_back(char(c));
    } else {
      auto enc = punycode_encode(label);
      if (!enc) return false;
      out += "xn--";
      out += *enc;
    }
    label.clear();
    return true;
  };
  for (char32_t c : *mapped) {
    if (c == U'.' || c == U'\u3002') {
      if (!flush()) return std::nullopt;
      out.push_back('.');
    } else {
      label.push_back(c);
    }
  }
  if (!flush()) return std::nullopt;
  return out;
}

}  // namespace millrace::text

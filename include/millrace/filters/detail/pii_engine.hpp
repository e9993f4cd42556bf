// millrace/filters/detail/pii_engine.hpp — private: the RE2 patterns of the PII filter, compiled
// once (an RE2::Set that tells which kinds occur, one RE2 per kind that finds them), and the
// checks a regular expression cannot make (context, Luhn, card issuers, digit counts).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>
#include <re2/set.h>

namespace millrace::filters {

/// The kinds of personal data the PII filter finds (see docs/filters.md for each definition).
enum class pii_kind : std::uint8_t { email, ipv4, ipv6, phone, credit_card };
inline constexpr std::size_t pii_kind_count = 5;

/// The name of a kind, as used in reasons ("contains_email") and statistics ("pii.email").
constexpr std::string_view pii_kind_name(pii_kind k) {
  constexpr std::array<std::string_view, pii_kind_count> names{"email", "ipv4", "ipv6", "phone", "credit_card"};
  return names[std::size_t(k)];
}

/// One match: the kind and the byte range [begin, end) in the text.
struct pii_match {
  pii_kind kind;
  std::size_t begin, end;
};

namespace detail {

inline bool ascii_digit(char c) { return c >= '0' && c <= '9'; }
inline bool ascii_alnum(char c) {
  return ascii_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline char at(std::string_view s, std::size_t i) { return i < s.size() ? s[i] : '\0'; }
inline char before(std::string_view s, std::size_t i) { return i > 0 ? s[i - 1] : '\0'; }
// A number continues through '.', ',' or '-' followed (or preceded) by a digit: "1.2.3.4.5",
// "555-123-4567-89", "3,4111...". A match touching such a continuation is part of a longer number.
inline bool continues_after(std::string_view s, std::size_t end) {
  const char c = at(s, end);
  return ascii_alnum(c) || ((c == '.' || c == ',' || c == '-') && ascii_digit(at(s, end + 1)));
}
inline bool continues_before(std::string_view s, std::size_t begin) {
  const char c = before(s, begin);
  return ascii_alnum(c) || ((c == '.' || c == ',' || c == '-') && begin >= 2 && ascii_digit(s[begin - 2]));
}

inline constexpr std::string_view octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
inline std::string ipv4_pattern() {
  const std::string o(octet);
  return "(?:" + o + "\\.){3}" + o;
}
inline std::string ipv6_pattern() {
  const std::string h = "[0-9A-Fa-f]{1,4}", v4 = ipv4_pattern();
  return "(?:(?:" + h + ":){7}" + h +                                       // 8 groups
         "|(?:" + h + ":){1,7}:" +                                          // a::
         "|(?:" + h + ":){1,6}:" + h +                                      // a::b
         "|(?:" + h + ":){1,5}(?::" + h + "){1,2}" +                        //
         "|(?:" + h + ":){1,4}(?::" + h + "){1,3}" +                        //
         "|(?:" + h + ":){1,3}(?::" + h + "){1,4}" +                        //
         "|(?:" + h + ":){1,2}(?::" + h + "){1,5}" +                        //
         "|" + h + ":(?::" + h + "){1,6}" +                                 //
         "|:(?::" + h + "){1,7}" +                                          // ::a
         "|(?:" + h + ":){6}" + v4 +                                        // a:b:c:d:e:f:1.2.3.4
         "|::(?:[Ff]{4}(?::0{1,4})?:)?" + v4 +                              // ::ffff:1.2.3.4
         "|(?:" + h + ":){1,4}:" + v4 + ")";
}
inline constexpr std::string_view email_pattern =
    "[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\\.[A-Za-z]{2,}";
// NANP with separators ("(555) 123-4567", "555.123.4567", "+1 555 123 4567") or E.164-like
// international numbers starting with '+'; digit counts are checked afterwards.
inline constexpr std::string_view phone_pattern =
    "(?:(?:\\+?1[ .-]?)?(?:\\([2-9][0-9]{2}\\)[ .-]?|[2-9][0-9]{2}[ .-])[0-9]{3}[ .-][0-9]{4})"
    "|(?:\\+[1-9][0-9]{0,2}[ .-]?(?:\\([0-9]{1,4}\\)[ .-]?)?[0-9]{1,4}(?:[ .-]?[0-9]{1,4}){1,5})";
inline constexpr std::string_view card_pattern = "[0-9](?:[ -]?[0-9]){12,18}";

inline bool luhn_ok(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (std::size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (twice && (d *= 2) > 9) d -= 9;
    sum += d, twice = !twice;
  }
  return sum % 10 == 0;
}

// Issuer prefixes and lengths (Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay).
inline bool known_issuer(std::string_view d) {
  const auto len = d.size();
  const auto pre = [&](std::size_t n) { return std::stoi(std::string(d.substr(0, n))); };
  if (d[0] == '4') return len == 13 || len == 16 || len == 19;
  if (len == 16 && ((pre(2) >= 51 && pre(2) <= 55) || (pre(4) >= 2221 && pre(4) <= 2720))) return true;
  if (len == 15 && (pre(2) == 34 || pre(2) == 37)) return true;
  if (len >= 16 && (pre(4) == 6011 || (pre(3) >= 644 && pre(3) <= 649) || pre(2) == 65 || pre(2) == 62)) return true;
  if (len >= 14 && ((pre(3) >= 300 && pre(3) <= 305) || pre(2) == 36 || pre(2) == 38 || pre(2) == 39)) return true;
  if (len >= 16 && pre(4) >= 3528 && pre(4) <= 3589) return true;
  return false;
}

// Digit groups as printed on cards: none, 4-4-4-... (last group 1-4), or 4-6-5 / 4-6-4.
inline bool card_grouping_ok(const std::vector<std::size_t>& g) {
  if (g.size() == 1) return true;
  if (g.size() == 3 && g[0] == 4 && g[1] == 6 && (g[2] == 5 || g[2] == 4)) return true;
  for (std::size_t i = 0; i + 1 < g.size(); ++i)
    if (g[i] != 4) return false;
  return g.back() >= 1 && g.back() <= 4;
}

}  // namespace detail

/// Which kinds to look for and the checks beyond the patterns (defaults in the comments).
struct pii_detect_options {
  bool email = true, ipv4 = true, ipv6 = true, phone = true, credit_card = true;
  /// A dotted quad right after "version", "ver", "v", "release", "build", "firmware", "fw",
  /// "rev", "revision" (any case; spaces, ':' or '=' between) is a version number, not an address.
  bool ipv4_skip_versions = true;
  /// Card numbers must also start with a known issuer prefix of the right length (Visa 4...,
  /// Mastercard 51-55/2221-2720, Amex 34/37, Discover 6011/644-649/65, UnionPay 62, Diners
  /// 300-305/36/38/39, JCB 3528-3589); with false, any Luhn-valid 13-19 digit number counts.
  bool card_issuer_check = true;
};

namespace detail {

/// The compiled patterns; immutable after construction, so matching is thread-safe (RE2 and
/// RE2::Set are safe for concurrent const use).
class pii_engine {
 public:
  explicit pii_engine(const pii_detect_options& o) : opt_(o), set_(options(), RE2::UNANCHORED) {
    const bool on[pii_kind_count] = {o.email, o.ipv4, o.ipv6, o.phone, o.credit_card};
    const std::string patterns[pii_kind_count] = {std::string(email_pattern), ipv4_pattern(), ipv6_pattern(),
                                                  std::string(phone_pattern), std::string(card_pattern)};
    for (std::size_t k = 0; k < pii_kind_count; ++k) {
      if (!on[k]) continue;
      std::string err;
      const int idx = set_.Add(patterns[k], &err);
      if (idx < 0) throw std::logic_error("mr::filters::pii: pattern for " + std::string(pii_kind_name(pii_kind(k))) + ": " + err);
      kind_of_.push_back(pii_kind(k));
      re_[k] = std::make_unique<RE2>(patterns[k], options());
      if (!re_[k]->ok()) throw std::logic_error("mr::filters::pii: " + re_[k]->error());
    }
    if (!kind_of_.empty() && !set_.Compile()) throw std::runtime_error("mr::filters::pii: RE2::Set::Compile ran out of memory");
  }

  /// The matches in `text`, in text order, not overlapping (where two overlap, the one starting
  /// first wins; at the same start, the longer).
  std::vector<pii_match> find(std::string_view text) const {
    std::vector<pii_match> found;
    if (kind_of_.empty()) return found;
    std::vector<int> which;
    RE2::Set::ErrorInfo err{};
    if (!set_.Match(piece(text), &which, &err)) {  // one DFA pass: most texts stop here
      if (err.kind == RE2::Set::kNoError) return found;
      // The DFA ran out of memory (or similar): scan for every kind rather than miss any.
      which.clear();
      for (std::size_t i = 0; i < kind_of_.size(); ++i) which.push_back(int(i));
    }
    for (int i : which) scan(kind_of_[std::size_t(i)], text, found);
    std::sort(found.begin(), found.end(), [](const pii_match& a, const pii_match& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
    });
    std::vector<pii_match> kept;
    for (auto& m : found)
      if (kept.empty() || m.begin >= kept.back().end) kept.push_back(m);
    return kept;
  }

 private:
  static RE2::Options options() {
    RE2::Options o;
    o.set_longest_match(true);  // the whole address / number, not the first alternative's part
    o.set_log_errors(false);
    o.set_max_mem(64 << 20);
    return o;
  }
  static re2::StringPiece piece(std::string_view s) { return re2::StringPiece(s.data(), s.size()); }

  void scan(pii_kind k, std::string_view text, std::vector<pii_match>& out) const {
    const RE2& re = *re_[std::size_t(k)];
    const re2::StringPiece whole = piece(text);
    std::size_t pos = 0;
    re2::StringPiece m;
    while (pos < text.size() && re.Match(whole, pos, text.size(), RE2::UNANCHORED, &m, 1)) {
      const std::size_t b = std::size_t(m.data() - text.data()), e = b + m.size();
      pii_match pm{k, b, e};
      if (accept(text, pm)) {
        out.push_back(pm);
        pos = pm.end > b ? pm.end : b + 1;
      } else {
        pos = b + 1;  // a rejected candidate: another one may start inside it
      }
    }
  }

  // The checks beyond the pattern; may shorten the match (cards, international phones).
  bool accept(std::string_view text, pii_match& m) const {
    using namespace detail;
    switch (m.kind) {
      case pii_kind::email: {
        while (m.begin < m.end && text[m.begin] == '.') ++m.begin;  // a local part does not start with '.'
        const std::size_t at_sign = text.find('@', m.begin);
        return at_sign > m.begin && at_sign < m.end && !ascii_alnum(at(text, m.end));
      }
      case pii_kind::ipv4:
        if (continues_before(text, m.begin) || continues_after(text, m.end)) return false;
        return !(opt_.ipv4_skip_versions && after_version_word(text, m.begin));
      case pii_kind::ipv6: {
        const char p = before(text, m.begin), n = at(text, m.end);
        if (ascii_alnum(p) || p == ':' || p == '.' || ascii_alnum(n) || n == ':') return false;
        const std::string_view s = text.substr(m.begin, m.end - m.begin);
        if (s.find("::") == std::string_view::npos) return true;  // all eight groups
        // Compressed: at least two groups and a decimal digit ("a::b", "dead::beef" and "::1"
        // read as code more often than as addresses).
        std::size_t groups = 0;
        bool digit = false;
        for (std::size_t i = 0; i < s.size(); ++i) {
          digit |= ascii_digit(s[i]);
          groups += s[i] != ':' && (i == 0 || s[i - 1] == ':');
        }
        return groups >= 2 && digit;
      }
      case pii_kind::phone: return accept_phone(text, m);
      case pii_kind::credit_card: return accept_card(text, m);
    }
    return false;
  }

  static bool after_version_word(std::string_view text, std::size_t begin) {
    std::size_t i = begin;
    while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == ':' || text[i - 1] == '=')) --i;
    std::size_t j = i;
    while (j > 0 && ((text[j - 1] | 0x20) >= 'a' && (text[j - 1] | 0x20) <= 'z')) --j;
    if (j == i || (j > 0 && detail::ascii_alnum(text[j - 1]))) return false;
    std::string w(text.substr(j, i - j));
    for (auto& c : w) c = char(c | 0x20);
    static constexpr std::array<std::string_view, 9> words{"version", "ver", "v", "release", "build", "firmware", "fw", "rev", "revision"};
    return std::find(words.begin(), words.end(), w) != words.end();
  }

  static bool accept_phone(std::string_view text, pii_match& m) {
    using namespace detail;
    const char p = before(text, m.begin);
    if (ascii_alnum(p) || p == '+' || ((p == '.' || p == '-' || p == '/') && ascii_digit(before(text, m.begin - 1)))) return false;
    // An international number: at most 15 digits (E.164); drop trailing groups beyond that.
    std::size_t e = m.end;
    while (true) {
      std::size_t digits = 0;
      for (std::size_t i = m.begin; i < e; ++i) digits += ascii_digit(text[i]);
      if (digits >= 8 && digits <= 15 && !continues_after(text, e) && !(at(text, e) == '/' && ascii_digit(at(text, e + 1)))) {
        m.end = e;
        return true;
      }
      if (text[m.begin] != '+' || digits < 8) return false;
      // shorten to the previous separator
      std::size_t k = e;
      while (k > m.begin && ascii_digit(text[k - 1])) --k;
      while (k > m.begin && !ascii_digit(text[k - 1])) --k;
      if (k <= m.begin) return false;
      e = k;
    }
  }

  bool accept_card(std::string_view text, pii_match& m) const {
    using namespace detail;
    if (continues_before(text, m.begin)) return false;
    // Try the longest candidate first, then shorter ones ending at a digit.
    for (std::size_t e = m.end; e > m.begin; --e) {
      if (!ascii_digit(text[e - 1])) continue;
      std::string digits;
      std::vector<std::size_t> groups{0};
      char sep = 0;
      bool mixed = false;
      for (std::size_t i = m.begin; i < e; ++i) {
        if (ascii_digit(text[i])) {
          digits.push_back(text[i]), ++groups.back();
        } else {
          mixed |= sep != 0 && sep != text[i];
          sep = text[i], groups.push_back(0);
        }
      }
      if (digits.size() < 13) return false;
      if (mixed || !card_grouping_ok(groups)) continue;
      const char n = at(text, e);
      if (continues_after(text, e) || (sep != 0 && n == sep && ascii_digit(at(text, e + 1)))) continue;
      if (!luhn_ok(digits) || (opt_.card_issuer_check && !known_issuer(digits))) continue;
      m.end = e;
      return true;
    }
    return false;
  }

  pii_detect_options opt_;
  RE2::Set set_;
  std::vector<pii_kind> kind_of_;  // the Set's pattern index -> kind
  std::unique_ptr<RE2> re_[pii_kind_count];
};

}  // namespace detail
}  // namespace millrace::filters

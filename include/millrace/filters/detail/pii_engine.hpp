// millrace/filters/detail/pii_engine.hpp — private: the RE2 patterns of the PII filter, compiled
// once (an RE2::Set that tells which kinds occur, one RE2 per kind that finds them), and the
// checks a regular expression cannot make (context, Luhn, card issuers, digit counts, the IBAN
// registry's lengths and mod 97, the SSA's never-issued social security numbers).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>
#include <re2/set.h>

namespace millrace::filters {

/// The kinds of personal data the PII filter finds (see docs/filters.md for each definition).
enum class pii_kind : std::uint8_t { email, ipv4, ipv6, phone, credit_card, iban, ssn };
inline constexpr std::size_t pii_kind_count = 7;

/// The name of a kind, as used in reasons ("contains_email") and statistics ("pii.email").
constexpr std::string_view pii_kind_name(pii_kind k) {
  constexpr std::array<std::string_view, pii_kind_count> names{"email", "ipv4", "ipv6", "phone", "credit_card", "iban", "ssn"};
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

// IBAN (ISO 13616): country, two check digits, the BBAN; printed in groups of four separated by
// one space (the last group 1-4 characters) or unbroken. Lengths, country and mod 97 are checked
// afterwards. Upper case only unless any_case.
inline std::string iban_pattern(bool any_case) {
  const std::string a = any_case ? "[A-Za-z]" : "[A-Z]", c = any_case ? "[A-Za-z0-9]" : "[A-Z0-9]";
  return a + "{2}[0-9]{2}(?:" + c + "{11,30}|(?: " + c + "{4}){2,7}(?: " + c + "{1,3})?)";
}
// US social security numbers: AAA-GG-SSSS; with spaces also AAA GG SSSS (one separator kind,
// checked afterwards); with bare also nine digits in a row. Area, group and serial are checked afterwards.
inline std::string ssn_pattern(bool spaces, bool bare) {
  std::string p = spaces ? "[0-9]{3}[- ][0-9]{2}[- ][0-9]{4}" : "[0-9]{3}-[0-9]{2}-[0-9]{4}";
  if (bare) p += "|[0-9]{9}";
  return p;
}

// The IBAN registry (SWIFT, release 101, as python-stdnum's stdnum/iban.dat has it): each
// country's BBAN as the registry writes it, without the '!' (n digits, a upper-case letters, c
// either); the IBAN's length is 4 + the BBAN's. 89 countries, every SEPA country among them.
struct iban_country {
  std::string_view code, bban;
};
inline constexpr iban_country iban_registry[] = {
    {"AD", "4n4n12c"}, {"AE", "3n16n"}, {"AL", "8n16c"}, {"AT", "5n11n"}, {"AZ", "4a20c"}, {"BA", "3n3n8n2n"},
    {"BE", "3n7n2n"}, {"BG", "4a4n2n8c"}, {"BH", "4a14c"}, {"BI", "5n5n11n2n"}, {"BR", "8n5n10n1a1c"},
    {"BY", "4c4n16c"}, {"CH", "5n12c"}, {"CR", "4n14n"}, {"CY", "3n5n16c"}, {"CZ", "4n16n"}, {"DE", "8n10n"},
    {"DJ", "5n5n11n2n"}, {"DK", "4n9n1n"}, {"DO", "4c20n"}, {"EE", "2n14n"}, {"EG", "4n4n17n"},
    {"ES", "4n4n1n1n10n"}, {"FI", "3n11n"}, {"FK", "2a12n"}, {"FO", "4n9n1n"}, {"FR", "5n5n11c2n"}, {"GB", "4a6n8n"},
    {"GE", "2a16n"}, {"GI", "4a15c"}, {"GL", "4n9n1n"}, {"GR", "3n4n16c"}, {"GT", "4c20c"}, {"HN", "4a20n"},
    {"HR", "7n10n"}, {"HU", "3n4n1n15n1n"}, {"IE", "4a6n8n"}, {"IL", "3n3n13n"}, {"IQ", "4a3n12n"},
    {"IS", "4n2n6n10n"}, {"IT", "1a5n5n12c"}, {"JO", "4a4n18c"}, {"KW", "4a22c"}, {"KZ", "3n13c"}, {"LB", "4n20c"},
    {"LC", "4a24c"}, {"LI", "5n12c"}, {"LT", "5n11n"}, {"LU", "3n13c"}, {"LV", "4a13c"}, {"LY", "3n3n15n"},
    {"MC", "5n5n11c2n"}, {"MD", "2c18c"}, {"ME", "3n13n2n"}, {"MK", "3n10c2n"}, {"MN", "4n12n"}, {"MR", "5n5n11n2n"},
    {"MT", "4a5n18c"}, {"MU", "4a2n2n12n3n3a"}, {"NI", "4a20n"}, {"NL", "4a10n"}, {"NO", "4n6n1n"}, {"OM", "3n16c"},
    {"PK", "4a16c"}, {"PL", "8n16n"}, {"PS", "4a21c"}, {"PT", "4n4n11n2n"}, {"QA", "4a21c"}, {"RO", "4a16c"},
    {"RS", "3n13n2n"}, {"RU", "9n5n15c"}, {"SA", "2n18c"}, {"SC", "4a2n2n16n3a"}, {"SD", "2n12n"}, {"SE", "3n16n1n"},
    {"SI", "5n8n2n"}, {"SK", "4n6n10n"}, {"SM", "1a5n5n12c"}, {"SO", "4n3n12n"}, {"ST", "4n4n11n2n"},
    {"SV", "4a20n"}, {"TL", "3n14n2n"}, {"TN", "2n3n13n2n"}, {"TR", "5n1n16c"}, {"UA", "6n19c"}, {"VA", "3n15n"},
    {"VG", "4a16n"}, {"XK", "4n10n2n"}, {"YE", "4a4n18c"}

};

// The country's entry, or nullptr (code: two upper-case letters).
inline const iban_country* iban_country_of(std::string_view code) {
  const auto* b = std::begin(iban_registry);
  const auto* e = std::end(iban_registry);
  const auto* it = std::lower_bound(b, e, code, [](const iban_country& c, std::string_view k) { return c.code < k; });
  return it != e && it->code == code ? it : nullptr;
}
// The length of the BBAN the format describes ("8n10n": 18).
inline std::size_t bban_length(std::string_view f) {
  std::size_t n = 0, run = 0;
  for (char ch : f) {
    if (ch >= '0' && ch <= '9') run = run * 10 + std::size_t(ch - '0');
    else n += run, run = 0;
  }
  return n;
}
// Whether `bban` (upper case, no spaces) has the format's character classes.
inline bool bban_format_ok(std::string_view bban, std::string_view f) {
  std::size_t i = 0, run = 0;
  for (char ch : f) {
    if (ch >= '0' && ch <= '9') {
      run = run * 10 + std::size_t(ch - '0');
      continue;
    }
    for (; run > 0; --run, ++i) {
      if (i >= bban.size()) return false;
      const char b = bban[i];
      const bool digit = b >= '0' && b <= '9', upper = b >= 'A' && b <= 'Z';
      if ((ch == 'n' && !digit) || (ch == 'a' && !upper) || (ch == 'c' && !digit && !upper)) return false;
    }
  }
  return i == bban.size();
}
// ISO 7064 MOD 97-10 on an IBAN (upper case, no spaces): the first four characters moved to the
// end, letters as 10..35, the number mod 97 must be 1.
inline bool iban_mod97_ok(std::string_view iban) {
  if (iban.size() < 5) return false;
  unsigned r = 0;
  for (std::size_t k = 0; k < iban.size(); ++k) {
    const char ch = iban[(k + 4) % iban.size()];
    if (ch >= '0' && ch <= '9') r = (r * 10 + unsigned(ch - '0')) % 97;
    else if (ch >= 'A' && ch <= 'Z') r = (r * 100 + unsigned(ch - 'A' + 10)) % 97;
    else return false;
  }
  return r == 1;
}
// Whether `iban` (upper case, no spaces) is one: a registered country, its length, its BBAN's
// format (when format_check) and mod 97.
inline bool iban_ok(std::string_view iban, bool format_check) {
  if (iban.size() < 4) return false;
  const iban_country* c = iban_country_of(iban.substr(0, 2));
  if (!c || iban.size() != 4 + bban_length(c->bban)) return false;
  if (format_check && !bban_format_ok(iban.substr(4), c->bban)) return false;
  return iban_mod97_ok(iban);
}

// A social security number the SSA never issues: area 000, 666 or 900-999, group 00, serial
// 0000, and the numbers printed in advertisements (078-05-1120 on a wallet insert in 1938,
// 219-09-9999 in a 1940 SSA pamphlet). `d`: the nine digits.
inline bool ssn_ok(std::string_view d) {
  if (d.size() != 9) return false;
  const std::string_view area = d.substr(0, 3), group = d.substr(3, 2), serial = d.substr(5);
  if (area == "000" || area == "666" || area[0] == '9' || group == "00" || serial == "0000") return false;
  return d != "078051120" && d != "219099999";
}

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
  bool email = true, ipv4 = true, ipv6 = true, phone = true, credit_card = true, iban = true, ssn = true;
  /// A dotted quad right after "version", "ver", "v", "release", "build", "firmware", "fw",
  /// "rev", "revision" (any case; spaces, ':' or '=' between) is a version number, not an address.
  bool ipv4_skip_versions = true;
  /// Card numbers must also start with a known issuer prefix of the right length (Visa 4...,
  /// Mastercard 51-55/2221-2720, Amex 34/37, Discover 6011/644-649/65, UnionPay 62, Diners
  /// 300-305/36/38/39, JCB 3528-3589); with false, any Luhn-valid 13-19 digit number counts.
  bool card_issuer_check = true;
  /// IBANs in lower or mixed case as well ("de89 3704 ..."); by default upper case only, as
  /// banks print them and the IBAN registry writes them (lower case matches hex strings and
  /// identifiers more often than it finds IBANs).
  bool iban_any_case = false;
  /// The BBAN must also have its country's format from the IBAN registry (digits, letters or
  /// either at each place: DE 18 digits, GB 4 letters and 14 digits); with false, a registered
  /// country, its length and mod 97 only.
  bool iban_format_check = true;
  /// Social security numbers written with single spaces ("078 05 1121") as well as with dashes;
  /// off: three, two and four digits with spaces are as often table columns or grouped numbers.
  bool ssn_spaces = false;
  /// Nine digits in a row as a social security number (area, group and serial still checked);
  /// off: most nine-digit numbers (IDs, amounts, ZIP+4 without its dash) are not one.
  bool ssn_bare_digits = false;
};

namespace detail {

/// The compiled patterns; immutable after construction, so matching is thread-safe (RE2 and
/// RE2::Set are safe for concurrent const use).
class pii_engine {
 public:
  explicit pii_engine(const pii_detect_options& o) : opt_(o), set_(options(), RE2::UNANCHORED) {
    const bool on[pii_kind_count] = {o.email, o.ipv4, o.ipv6, o.phone, o.credit_card, o.iban, o.ssn};
    const std::string patterns[pii_kind_count] = {std::string(email_pattern), ipv4_pattern(), ipv6_pattern(),
                                                  std::string(phone_pattern), std::string(card_pattern),
                                                  iban_pattern(o.iban_any_case), ssn_pattern(o.ssn_spaces, o.ssn_bare_digits)};
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
      case pii_kind::iban: return accept_iban(text, m);
      case pii_kind::ssn: return accept_ssn(text, m);
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

  // Not inside a longer word (a letter, digit or '_' on either side); a grouped candidate may be
  // cut back to a group boundary ("BE68 5390 0754 7034 1234": the IBAN and a number after it).
  bool accept_iban(std::string_view text, pii_match& m) const {
    using namespace detail;
    if (ascii_alnum(before(text, m.begin))) return false;
    for (std::size_t e = m.end; e > m.begin; --e) {
      if (e < m.end ? text[e] != ' ' : ascii_alnum(at(text, e))) continue;  // shorter ones end at a group's space
      std::string s;
      for (std::size_t i = m.begin; i < e; ++i)
        if (text[i] != ' ') s.push_back(text[i] >= 'a' && text[i] <= 'z' ? char(text[i] - 'a' + 'A') : text[i]);
      if (s.size() < 15) return false;
      if (iban_ok(s, opt_.iban_format_check)) {
        m.end = e;
        return true;
      }
    }
    return false;
  }

  // Not part of a longer number or code: no letter, digit or '_' on either side, no '-' or '+'
  // touching it, no '.', ',' or '/' between it and a digit; a spaced one not next to another
  // spaced digit group. One separator kind; then the SSA's rules (ssn_ok).
  bool accept_ssn(std::string_view text, pii_match& m) const {
    using namespace detail;
    const char p = before(text, m.begin), n = at(text, m.end);
    const auto joins = [](char c) { return c == '.' || c == ',' || c == '/'; };
    if (ascii_alnum(p) || p == '-' || p == '+' || (joins(p) && ascii_digit(before(text, m.begin - 1)))) return false;
    if (ascii_alnum(n) || n == '-' || (joins(n) && ascii_digit(at(text, m.end + 1)))) return false;
    std::string digits;
    char sep = 0;
    for (std::size_t i = m.begin; i < m.end; ++i) {
      if (ascii_digit(text[i])) {
        digits.push_back(text[i]);
      } else {
        if (sep != 0 && sep != text[i]) return false;
        sep = text[i];
      }
    }
    if (sep == ' ' && ((p == ' ' && ascii_digit(before(text, m.begin - 1))) || (n == ' ' && ascii_digit(at(text, m.end + 1)))))
      return false;
    return ssn_ok(digits);
  }

  pii_detect_options opt_;
  RE2::Set set_;
  std::vector<pii_kind> kind_of_;  // the Set's pattern index -> kind
  std::unique_ptr<RE2> re_[pii_kind_count];
};

}  // namespace detail
}  // namespace millrace::filters

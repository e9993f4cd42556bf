// The PII filter (RE2): each kind at and around its edges, the false positives it must not take
// (version strings, dates, ordinary numbers, ISBNs, invalid Luhn, octets > 255, IBANs with a wrong
// check, length or country, never-issued SSNs, ZIP+4), the three actions as a function, in
// mr::filters::apply and as mr::filters::pii<Rec>, serial and 2 threads.
// g++ 12 warns -Wrestrict on `"x" + std::string` chains at -O3, a false positive (GCC PR 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <millrace/core.hpp>
#include <millrace/filters/apply.hpp>
#include <millrace/filters/pii.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace mr = millrace;
namespace mf = millrace::filters;

namespace {

struct Doc {
  std::string id, text;
  mf::filter_result filter_result{};
};

const mf::pii_filter& default_filter() {
  static const mf::pii_filter f;
  return f;
}
std::string redacted(std::string_view s) { return default_filter().redact(s); }
std::vector<std::string> found(std::string_view s, mf::pii_kind k) {
  std::vector<std::string> out;
  for (auto& m : default_filter().find(s))
    if (m.kind == k) out.emplace_back(s.substr(m.begin, m.end - m.begin));
  return out;
}
using V = std::vector<std::string>;

// An IBAN's check digits computed here, apart from pii_engine (ISO 7064 MOD 97-10 on BBAN +
// country + "00", digits by long division): "DE" + "370400440532013000" -> "DE89370400440532013000".
std::string with_check(std::string_view country, std::string_view bban) {
  std::string num;
  for (char c : std::string(bban) + std::string(country) + "00") num += (c >= 'A' && c <= 'Z') ? std::to_string(c - 'A' + 10) : std::string(1, c);
  int r = 0;
  for (char c : num) r = (r * 10 + (c - '0')) % 97;
  const int check = 98 - r;
  return std::string(country) + char('0' + check / 10) + char('0' + check % 10) + std::string(bban);
}
// Groups of four separated by single spaces, as printed.
std::string grouped(std::string_view iban) {
  std::string out;
  for (std::size_t i = 0; i < iban.size(); ++i) {
    if (i > 0 && i % 4 == 0) out += ' ';
    out += iban[i];
  }
  return out;
}

}  // namespace

TEST_CASE("pii.email.function") {
  CHECK(redacted("mail john.doe@example.com now") == "mail <EMAIL> now");
  CHECK(redacted("a+tag@sub.example.co.uk.") == "<EMAIL>.");  // the sentence's '.' stays
  CHECK(found("<x_y-z%1@a-b.org>", mf::pii_kind::email) == V{"x_y-z%1@a-b.org"});
  CHECK(found("...lead@x.io", mf::pii_kind::email) == V{"lead@x.io"});  // leading dots are not the local part
  CHECK(found("user@localhost", mf::pii_kind::email).empty());        // no TLD
  CHECK(found("user@example.c", mf::pii_kind::email).empty());        // one-letter TLD
  CHECK(found("@example.com and a@", mf::pii_kind::email).empty());
  CHECK(found("user@-bad.com", mf::pii_kind::email).empty());
  CHECK(found("two: a@b.cd, e@f.gh", mf::pii_kind::email) == V{"a@b.cd", "e@f.gh"});
}

TEST_CASE("pii.ipv4.function") {
  CHECK(redacted("host 192.168.0.1 up") == "host <IP_ADDRESS> up");
  CHECK(found("0.0.0.0 and 255.255.255.255", mf::pii_kind::ipv4) == V{"0.0.0.0", "255.255.255.255"});
  CHECK(found("256.1.1.1", mf::pii_kind::ipv4).empty());   // octet > 255
  CHECK(found("1.1.1.256", mf::pii_kind::ipv4).empty());
  CHECK(found("1.300.1.1", mf::pii_kind::ipv4).empty());
  CHECK(found("01.2.3.4", mf::pii_kind::ipv4).empty());    // leading zero: not an address
  CHECK(found("1.2.3", mf::pii_kind::ipv4).empty());       // three parts: a version or a date
  CHECK(found("1.2.3.4.5", mf::pii_kind::ipv4).empty());   // five parts: a version
  CHECK(found("x1.2.3.4", mf::pii_kind::ipv4).empty());
  CHECK(found("at 10.0.0.1.", mf::pii_kind::ipv4) == V{"10.0.0.1"});  // sentence end
  CHECK(found("(10.0.0.1:8080)", mf::pii_kind::ipv4) == V{"10.0.0.1"});
  // Version strings: decided "not an address" after a version word, an address otherwise.
  CHECK(found("version 1.2.3.4", mf::pii_kind::ipv4).empty());
  CHECK(found("Version: 10.0.19041.1", mf::pii_kind::ipv4).empty());  // five parts anyway
  CHECK(found("firmware=2.1.0.7 and build 4.4.4.4", mf::pii_kind::ipv4).empty());
  CHECK(found("v1.2.3.4", mf::pii_kind::ipv4).empty());
  CHECK(found("server 1.2.3.4", mf::pii_kind::ipv4) == V{"1.2.3.4"});
  CHECK(found("conversion 1.2.3.4", mf::pii_kind::ipv4) == V{"1.2.3.4"});  // "version" must be a word
  const mf::pii_filter all({.detect = {.ipv4_skip_versions = false}});
  CHECK(all.redact("version 1.2.3.4") == "version <IP_ADDRESS>");
}

TEST_CASE("pii.ipv6.function") {
  CHECK(redacted("at 2001:0db8:85a3:0000:0000:8a2e:0370:7334 now") == "at <IP_ADDRESS> now");
  CHECK(found("2001:db8::ff00:42:8329", mf::pii_kind::ipv6) == V{"2001:db8::ff00:42:8329"});
  CHECK(found("fe80::1 up", mf::pii_kind::ipv6) == V{"fe80::1"});
  CHECK(found("::ffff:192.0.2.128", mf::pii_kind::ipv6) == V{"::ffff:192.0.2.128"});
  CHECK(found("[2001:db8::1]:443", mf::pii_kind::ipv6) == V{"2001:db8::1"});
  CHECK(found("std::vector a::b dead::beef ::1", mf::pii_kind::ipv6).empty());  // code, not addresses
  CHECK(found("12:30:45 and 00:1A:2B:3C:4D:5E", mf::pii_kind::ipv6).empty());   // a time, a MAC address
  CHECK(found("1:2:3:4:5:6:7:8:9", mf::pii_kind::ipv6).empty());                 // nine groups
  CHECK(found("2001:db8:0:0:0:0:2:1g", mf::pii_kind::ipv6).empty());
}

TEST_CASE("pii.phone.function") {
  CHECK(redacted("call (555) 123-4567 today") == "call <PHONE> today");
  CHECK(found("555-123-4567", mf::pii_kind::phone) == V{"555-123-4567"});
  CHECK(found("555.123.4567", mf::pii_kind::phone) == V{"555.123.4567"});
  CHECK(found("+1 555 123 4567", mf::pii_kind::phone) == V{"+1 555 123 4567"});
  CHECK(found("1-800-555-0199", mf::pii_kind::phone) == V{"1-800-555-0199"});
  CHECK(found("+44 20 7946 0958", mf::pii_kind::phone) == V{"+44 20 7946 0958"});
  CHECK(found("+33 1 23 45 67 89", mf::pii_kind::phone) == V{"+33 1 23 45 67 89"});
  CHECK(found("+49-30-1234567", mf::pii_kind::phone) == V{"+49-30-1234567"});
  CHECK(found("+44 20 7946 0958 9999", mf::pii_kind::phone) == V{"+44 20 7946 0958"});  // > 15 digits: shortened
  CHECK(found("+12 345", mf::pii_kind::phone).empty());            // too few digits
  CHECK(found("155-123-4567", mf::pii_kind::phone).empty());      // area code starts with 1
  CHECK(found("555-123-45678", mf::pii_kind::phone).empty());     // the number goes on
  CHECK(found("5551234567", mf::pii_kind::phone).empty());        // no separators: an ordinary number
  CHECK(found("2023-12-01 and 12/25/2023 and 2023.12.01", mf::pii_kind::phone).empty());  // dates
  CHECK(found("1,234,567,890 and 3.14159265", mf::pii_kind::phone).empty());
  CHECK(found("ISBN 0-306-40615-2", mf::pii_kind::phone).empty());
}

TEST_CASE("pii.credit_card.function") {
  CHECK(redacted("card 4111 1111 1111 1111 exp") == "card <CREDIT_CARD> exp");
  CHECK(found("4111111111111111", mf::pii_kind::credit_card) == V{"4111111111111111"});
  CHECK(found("4111-1111-1111-1111", mf::pii_kind::credit_card) == V{"4111-1111-1111-1111"});
  CHECK(found("5500 0000 0000 0004", mf::pii_kind::credit_card) == V{"5500 0000 0000 0004"});  // Mastercard
  CHECK(found("3782 822463 10005", mf::pii_kind::credit_card) == V{"3782 822463 10005"});      // Amex 4-6-5
  CHECK(found("6011000990139424", mf::pii_kind::credit_card) == V{"6011000990139424"});        // Discover
  CHECK(found("4111111111111111 2", mf::pii_kind::credit_card) == V{"4111111111111111"});    // a shorter candidate
  CHECK(found("4111111111111112", mf::pii_kind::credit_card).empty());     // invalid Luhn
  CHECK(found("4111 1111 1111 1112", mf::pii_kind::credit_card).empty());
  CHECK(found("41111111111111110", mf::pii_kind::credit_card).empty());    // 17 digits for Visa, and ...
  CHECK(found("41111111111111111111", mf::pii_kind::credit_card).empty()); // 20 digits: a longer number
  CHECK(found("411 1111 1111 11111", mf::pii_kind::credit_card).empty());  // not card grouping
  CHECK(found("4111-1111 1111-1111", mf::pii_kind::credit_card).empty());  // mixed separators
  CHECK(found("1.4111111111111111", mf::pii_kind::credit_card).empty());   // a decimal
  // ISBN-13 (mod 10 with weights 1, 3, not Luhn) and ordinary numbers: no issuer starts with 9, 0, 1.
  CHECK(found("ISBN 978-0-306-40615-7 and 9780306406157", mf::pii_kind::credit_card).empty());
  CHECK(found("1000000000000000009", mf::pii_kind::credit_card).empty());
  CHECK(mf::detail::luhn_ok("79927398713"));
  CHECK_FALSE(mf::detail::luhn_ok("79927398710"));
  const mf::pii_filter any({.detect = {.card_issuer_check = false}});
  CHECK(any.find("9780306406157").empty() == !mf::detail::luhn_ok("9780306406157"));
  CHECK(any.redact("0000000000000000") == "<CREDIT_CARD>");  // Luhn-valid; no issuer check
}

TEST_CASE("pii.iban.valid_countries") {
  // The registry's published examples, grouped as printed and unbroken.
  const V ok = {"DE89 3704 0044 0532 0130 00",       "GB82 WEST 1234 5698 7654 32",         "FR14 2004 1010 0505 0001 3M02 606",
                "NL91 ABNA 0417 1643 00",            "BE68 5390 0754 7034",                 "NO93 8601 1117 947",
                "AT61 1904 3002 3457 3201",          "CH93 0076 2011 6238 5295 7",          "ES91 2100 0418 4502 0005 1332",
                "IT60 X054 2811 1010 0000 0123 456", "PL61 1090 1014 0000 0712 1981 2874",  "SE45 5000 0000 0583 9825 7466",
                "MT84 MALT 0110 0001 2345 MTLC AST0 01S", "SA03 8000 0000 6080 1016 7519", "LC55 HEMM 0001 0001 0012 0012 0002 3015"};
  for (auto& g : ok) {
    CAPTURE(g);
    std::string flat = g;
    flat.erase(std::remove(flat.begin(), flat.end(), ' '), flat.end());
    CHECK(found(g, mf::pii_kind::iban) == V{g});
    CHECK(found(flat, mf::pii_kind::iban) == V{flat});
    CHECK(grouped(flat) == g);
    CHECK(with_check(flat.substr(0, 2), flat.substr(4)) == flat);  // the test's own check digits agree
    CHECK(mf::detail::iban_ok(flat, true));
  }
  CHECK(redacted("IBAN: DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX") == "IBAN: <IBAN>, BIC COBADEFFXXX");
  CHECK(redacted("(GB82WEST12345698765432).") == "(<IBAN>).");
  // Check digits computed here for more countries, grouped and not.
  for (const auto& [cc, bban] : std::vector<std::pair<std::string, std::string>>{
           {"DE", "500105175407324931"}, {"FI", "12345600000785"}, {"PT", "000201231234567890154"},
           {"IE", "AIBK93115212345678"}, {"LU", "0019400644750000"}, {"HR", "10010051863000160"},
           {"RO", "AAAA1B31007593840000"}, {"DK", "00400440116243"}, {"BR", "00360305000010009795493P1"}}) {
    const std::string iban = with_check(cc, bban);
    CAPTURE(iban);
    CHECK(found(iban, mf::pii_kind::iban) == V{iban});
    CHECK(found("to " + grouped(iban) + " today", mf::pii_kind::iban) == V{grouped(iban)});
  }
  // A grouped IBAN followed by a number: cut back to the group that ends it.
  CHECK(found("BE68 5390 0754 7034 1234 paid", mf::pii_kind::iban) == V{"BE68 5390 0754 7034"});
  CHECK(found("DE89 3704 0044 0532 0130 00 12", mf::pii_kind::iban) == V{"DE89 3704 0044 0532 0130 00"});
}

TEST_CASE("pii.iban.false_positives") {
  CHECK(found("DE88 3704 0044 0532 0130 00", mf::pii_kind::iban).empty());     // wrong check digits
  CHECK(found("DE89 3704 0044 0532 0130 01", mf::pii_kind::iban).empty());     // a changed digit
  CHECK(found("GB82 WEST 1234 5698 7654 23", mf::pii_kind::iban).empty());     // two digits swapped
  CHECK(found("DE89 3704 0044 0532 0130 0", mf::pii_kind::iban).empty());      // too short for DE
  // Mod 97 right, the country's length wrong (DE is 22, BE 16, NO 15).
  for (const std::string& bad : {with_check("DE", "3704004405320130001"), with_check("DE", "37040044053201300"),
                                 with_check("BE", "5390075470341"), with_check("NO", "860111179470")}) {
    CAPTURE(bad);
    CHECK(mf::detail::iban_mod97_ok(bad));
    CHECK(found(bad, mf::pii_kind::iban).empty());
    CHECK(found(grouped(bad), mf::pii_kind::iban).empty());
  }
  // Mod 97 right, no such country in the registry (US, XX, ZZ; EU is not a country code).
  for (const std::string& bad : {with_check("US", "SVBKUS6S33009673"), with_check("XX", "370400440532013000"),
                                 with_check("ZZ", "12345678901234"), with_check("EU", "370400440532013000")}) {
    CAPTURE(bad);
    CHECK(mf::detail::iban_mod97_ok(bad));
    CHECK(found(bad, mf::pii_kind::iban).empty());
  }
  // Glued inside a longer word, or with the wrong separators.
  CHECK(found("XDE89370400440532013000", mf::pii_kind::iban).empty());
  CHECK(found("DE89370400440532013000X", mf::pii_kind::iban).empty());
  CHECK(found("ABCDE89370400440532013000", mf::pii_kind::iban).empty());
  CHECK(found("DE89370400440532013000123", mf::pii_kind::iban).empty());
  CHECK(found("id_DE89370400440532013000", mf::pii_kind::iban).empty());
  CHECK(found("XDE89 3704 0044 0532 0130 00", mf::pii_kind::iban).empty());
  CHECK(found("DE89 3704 0044 0532 0130 00X", mf::pii_kind::iban).empty());
  CHECK(found("DE89-3704-0044-0532-0130-00", mf::pii_kind::iban).empty());
  CHECK(found("DE89  3704 0044 0532 0130 00", mf::pii_kind::iban).empty());    // two spaces
  // Ordinary upper-case words and product codes.
  CHECK(found("PLEASE READ THE TERMS AND CONDITIONS CAREFULLY BEFORE ORDERING", mf::pii_kind::iban).empty());
  CHECK(found("part AB12CD34EF56GH78, SKU XY99ZZZZ12345678, ISO 9001 ABCD 1234 EFGH", mf::pii_kind::iban).empty());
  CHECK(found("model GT40 MK2 and DE12 PRODUCT CODE LINE", mf::pii_kind::iban).empty());
  CHECK(found("SHA1 DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", mf::pii_kind::iban).empty());
  // A BBAN that breaks its country's format (DE: 18 digits) with mod 97 right: taken only
  // without the format check.
  const std::string letters = with_check("DE", "37040044053201300A");
  CHECK(found(letters, mf::pii_kind::iban).empty());
  const mf::pii_filter no_format({.detect = {.iban_format_check = false}});
  CHECK(no_format.redact(letters) == "<IBAN>");
  // Lower case: decided "not an IBAN" by default; iban_any_case takes it.
  CHECK(found("de89 3704 0044 0532 0130 00", mf::pii_kind::iban).empty());
  const mf::pii_filter any_case({.detect = {.iban_any_case = true}});
  CHECK(any_case.redact("iban de89370400440532013000 and gb82 west 1234 5698 7654 32") == "iban <IBAN> and <IBAN>");
  CHECK(any_case.redact("de88370400440532013000") == "de88370400440532013000");
  CHECK(mf::detail::iban_country_of("DE") != nullptr);
  CHECK(mf::detail::iban_country_of("US") == nullptr);
  CHECK(std::is_sorted(std::begin(mf::detail::iban_registry), std::end(mf::detail::iban_registry),
                       [](auto& a, auto& b) { return a.code < b.code; }));
  // Every SEPA country is in the registry with its length.
  for (const auto& [cc, len] : std::vector<std::pair<std::string, std::size_t>>{
           {"AD", 24}, {"AL", 28}, {"AT", 20}, {"BE", 16}, {"BG", 22}, {"CH", 21}, {"CY", 28}, {"CZ", 24}, {"DE", 22},
           {"DK", 18}, {"EE", 20}, {"ES", 24}, {"FI", 18}, {"FR", 27}, {"GB", 22}, {"GI", 23}, {"GR", 27}, {"HR", 21},
           {"HU", 28}, {"IE", 22}, {"IS", 26}, {"IT", 27}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27},
           {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MT", 31}, {"NL", 18}, {"NO", 15}, {"PL", 28}, {"PT", 25}, {"RO", 24},
           {"RS", 22}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"VA", 22}}) {
    CAPTURE(cc);
    const auto* c = mf::detail::iban_country_of(cc);
    REQUIRE(c != nullptr);
    CHECK(4 + mf::detail::bban_length(c->bban) == len);
  }
}

TEST_CASE("pii.ssn.function") {
  CHECK(redacted("SSN 123-45-6789 on file") == "SSN <SSN> on file");
  CHECK(found("(078-05-1121), 001-01-0001; 665-99-9999.", mf::pii_kind::ssn) == V{"078-05-1121", "001-01-0001", "665-99-9999"});
  CHECK(found("899-99-9999 and 772-12-3456", mf::pii_kind::ssn) == V{"899-99-9999", "772-12-3456"});
  // Never issued: each rule of the SSA.
  CHECK(found("000-12-3456", mf::pii_kind::ssn).empty());  // area 000
  CHECK(found("666-12-3456", mf::pii_kind::ssn).empty());  // area 666
  CHECK(found("900-12-3456", mf::pii_kind::ssn).empty());  // area 900-999
  CHECK(found("999-99-9999", mf::pii_kind::ssn).empty());
  CHECK(found("987-65-4321", mf::pii_kind::ssn).empty());  // the SSA's advertising range 987-65-4320..4329
  CHECK(found("123-00-4567", mf::pii_kind::ssn).empty());  // group 00
  CHECK(found("123-45-0000", mf::pii_kind::ssn).empty());  // serial 0000
  CHECK(found("078-05-1120", mf::pii_kind::ssn).empty());  // the wallet-insert number (1938)
  CHECK(found("219-09-9999", mf::pii_kind::ssn).empty());  // the SSA pamphlet number (1940)
  CHECK(mf::detail::ssn_ok("123456789"));
  CHECK_FALSE(mf::detail::ssn_ok("12345678"));
  // Not social security numbers: dates, ZIP+4, phones, versions, longer numbers and codes.
  CHECK(found("2023-01-15, 15-01-2023, 01/15/2023", mf::pii_kind::ssn).empty());
  CHECK(found("ZIP 12345-6789 and 90210-1234", mf::pii_kind::ssn).empty());
  CHECK(found("555-123-4567, (555) 123-4567, +1 555 123 4567, +44 20 7946 0958", mf::pii_kind::ssn).empty());
  CHECK(found("v1.2.3-45, 2.0.123-45-6789, release 4.123-45-6789", mf::pii_kind::ssn).empty());
  CHECK(found("1234-56-7890 and 123-45-67890 and 123-45-6789-0", mf::pii_kind::ssn).empty());
  CHECK(found("PN-123-45-6789, X123-45-6789, 123-45-6789X, +123-45-6789", mf::pii_kind::ssn).empty());
  CHECK(found("1/123-45-6789 and 123-45-6789/2 and 3,123-45-6789", mf::pii_kind::ssn).empty());
  CHECK(found("ISBN 0-306-40615-2 and 978-0-306-40615-7", mf::pii_kind::ssn).empty());
  // Spaces and nine bare digits: decided off by default; options take them.
  CHECK(found("123 45 6789 and 123456789", mf::pii_kind::ssn).empty());
  CHECK(found("123-45 6789", mf::pii_kind::ssn).empty());
  const mf::pii_filter spaces({.detect = {.ssn_spaces = true}});
  CHECK(spaces.redact("ssn 123 45 6789; 123-45-6789") == "ssn <SSN>; <SSN>");
  CHECK(spaces.redact("123-45 6789 and 000 12 3456") == "123-45 6789 and 000 12 3456");  // mixed; area 000
  CHECK(spaces.redact("totals 10 123 45 6789 20") == "totals 10 123 45 6789 20");         // a row of numbers
  const mf::pii_filter bare({.detect = {.ssn_bare_digits = true}});
  CHECK(bare.redact("id 123456789.") == "id <SSN>.");
  CHECK(bare.redact("1234567890 and 666123456 and 078051120 and 123-45-6789") == "1234567890 and 666123456 and 078051120 and <SSN>");
  CHECK(bare.redact("12345-6789 and 1.23456789") == "12345-6789 and 1.23456789");
}

TEST_CASE("pii.iban_ssn.utf8_offsets") {
  // Multi-byte text around the matches: offsets are bytes, the text around stays intact.
  const std::string t = "Überweisung an Jürgen — IBAN DE89 3704 0044 0532 0130 00 (Größe: €12), SSN 123-45-6789 ✓ 日本";
  const auto m = default_filter().find(t);
  REQUIRE(m.size() == 2);
  CHECK(m[0].kind == mf::pii_kind::iban);
  CHECK(t.substr(m[0].begin, m[0].end - m[0].begin) == "DE89 3704 0044 0532 0130 00");
  CHECK(m[0].begin == t.find("DE89"));
  CHECK(m[1].kind == mf::pii_kind::ssn);
  CHECK(m[1].begin == t.find("123-45"));
  CHECK(m[1].end == m[1].begin + 11);
  CHECK(redacted(t) == "Überweisung an Jürgen — IBAN <IBAN> (Größe: €12), SSN <SSN> ✓ 日本");
  CHECK(redacted("é078-05-1121é") == "é<SSN>é");  // a non-ASCII letter is not a word character here
  CHECK(redacted("\xff" "FR1420041010050500013M02606\xc3") == "\xff<IBAN>\xc3");
}

TEST_CASE("pii.iban_ssn.actions") {
  const std::string t = "pay GB82 WEST 1234 5698 7654 32 for 123-45-6789";
  CHECK(redacted(t) == "pay <IBAN> for <SSN>");
  const mf::pii_filter tokens({.iban_token = "[iban]", .ssn_token = "[ssn]"});
  CHECK(tokens.redact(t) == "pay [iban] for [ssn]");
  const mf::pii_filter drop({.action = mf::pii_action::drop});
  CHECK(drop.check_text(t, nullptr, nullptr) == "contains_iban");  // the first match's kind
  CHECK(drop.check_text("ssn 123-45-6789", nullptr, nullptr) == "contains_ssn");
  CHECK(drop.check_text("ssn 123-45-0000", nullptr, nullptr) == "");
  const mf::pii_filter ann({.action = mf::pii_action::annotate});
  mf::filter_result fr;
  std::string rewritten;
  CHECK(ann.check_text(t + " and DE89370400440532013000", &fr, &rewritten) == "");
  CHECK(rewritten.empty());
  CHECK(fr.score("pii.iban") == 2);
  CHECK(fr.score("pii.ssn") == 1);
  CHECK(fr.score("pii.email") == 0);
  const mf::pii_filter off({.detect = {.iban = false, .ssn = false}});
  CHECK(off.redact(t) == t);
  const mf::pii_filter only_ssn({.detect = {.iban = false}});
  CHECK(only_ssn.redact(t) == "pay GB82 WEST 1234 5698 7654 32 for <SSN>");
  CHECK(mf::pii_kind_name(mf::pii_kind::iban) == "iban");
  CHECK(mf::pii_kind_name(mf::pii_kind::ssn) == "ssn");
}

TEST_CASE("pii.mixed.overlap_and_kinds_off") {
  const std::string t = "Reach ann@mail.example.org or +1 (555) 010-9999 from 8.8.8.8, card 4012888888881881.";
  CHECK(redacted(t) == "Reach <EMAIL> or <PHONE> from <IP_ADDRESS>, card <CREDIT_CARD>.");
  const auto n = mf::pii_filter::count(default_filter().find(t));
  CHECK(n[std::size_t(mf::pii_kind::email)] == 1);
  CHECK(n[std::size_t(mf::pii_kind::phone)] == 1);
  CHECK(n[std::size_t(mf::pii_kind::ipv4)] == 1);
  CHECK(n[std::size_t(mf::pii_kind::credit_card)] == 1);
  const mf::pii_filter only_mail({.detect = {.ipv4 = false, .ipv6 = false, .phone = false, .credit_card = false},
                                  .email_token = "[mail]"});
  CHECK(only_mail.redact(t) == "Reach [mail] or +1 (555) 010-9999 from 8.8.8.8, card 4012888888881881.");
  const mf::pii_filter none({.detect = {.email = false, .ipv4 = false, .ipv6 = false, .phone = false, .credit_card = false}});
  CHECK(none.redact(t) == t);
  CHECK(redacted("") == "");
  CHECK(redacted("no personal data here, 42 and 3.14 and 2026-12-02.") == "no personal data here, 42 and 3.14 and 2026-12-02.");
  // Malformed UTF-8 around a match does not disturb it.
  CHECK(redacted("\xff\xfe a@b.cd \xc3") == "\xff\xfe <EMAIL> \xc3");
}

namespace {

std::vector<Doc> pii_docs() {
  std::vector<Doc> docs;
  const std::vector<std::string> bodies = {"nothing to see, version 1.2.3.4",  "write to bob@example.net please",
                                           "server at 10.1.2.3 is down",       "call 555-123-4567",
                                           "pay with 4111 1111 1111 1111",     "the year 2026 and 1,000 mills",
                                           "ipv6 2001:db8::7 here",            "isbn 978-0-306-40615-7",
                                           "iban DE89 3704 0044 0532 0130 00", "ssn 078-05-1121 on file",
                                           "both NL91ABNA0417164300 and 772-12-3456", "zip 12345-6789, 2023-01-15, DE88 3704 0044 0532 0130 00"};
  for (std::size_t i = 0; i < 240; ++i) docs.push_back({"d" + std::to_string(1000 + i), bodies[i % bodies.size()] + " #" + std::to_string(i)});
  return docs;
}
std::vector<std::pair<std::string, std::string>> by_id(const std::vector<Doc>& v) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& d : v) out.emplace_back(d.id, d.text);
  std::sort(out.begin(), out.end());
  return out;
}

template <class Exec>
void check_actions(Exec exec) {
  const auto docs = pii_docs();
  // redact: every record stays, the text is rewritten; the tally counts records holding PII.
  {
    std::vector<Doc> out;
    mf::filter_tally tally;
    const auto rep = mr::run(mr::from_range(docs) | mf::pii<Doc>({.tally = &tally}) | mr::collect(out), exec);
    REQUIRE(out.size() == docs.size());
    for (auto& d : out) CHECK(d.text == redacted(docs[std::size_t(std::stoi(d.id.substr(1))) - 1000].text));
    const auto with = [&](const char* tok) {
      return std::count_if(out.begin(), out.end(), [&](const Doc& d) { return d.text.find(tok) != std::string::npos; });
    };
    CHECK(with("<EMAIL>") == 20);
    CHECK(with("<IBAN>") == 40);
    CHECK(with("<SSN>") == 40);
    CHECK(with("DE88 3704") == 20);  // the wrong check digits stay
    CHECK(tally.of("pii").in == 240);
    CHECK(tally.of("pii").dropped == 160);  // email, ipv4, phone, card, ipv6, iban, ssn, both: 8 of 12 bodies
    CHECK(tally.of("pii").reasons.at("contains_phone") == 20);
    CHECK(tally.of("pii").reasons.at("contains_iban") == 40);  // "both": the IBAN comes first
    CHECK(tally.of("pii").reasons.at("contains_ssn") == 20);
    CHECK(rep.find("pii")->rejected == 0);
    CHECK(rep.find("pii")->counter("pii.reason.contains_email") == 20);
  }
  // drop: records with PII go to the exclusions with their reason.
  {
    std::vector<Doc> out;
    std::vector<mf::excluded<Doc>> ex;
    const auto rep = mr::run(mr::from_range(docs) |
                                 mf::pii<Doc>({.params = {.action = mf::pii_action::drop},
                                               .exclusions = [&](mf::excluded<Doc>&& e) { ex.push_back(std::move(e)); }},
                                              "pii_drop") |
                                 mr::collect(out),
                             exec);
    CHECK(out.size() == 80);
    REQUIRE(ex.size() == 160);
    CHECK(rep.find("pii_drop")->rejected == 160);
    for (auto& e : ex) {
      CHECK(e.filter == "pii_drop");
      CHECK(e.reason.rfind("contains_", 0) == 0);
      CHECK(e.record.text == docs[std::size_t(std::stoi(e.record.id.substr(1))) - 1000].text);  // unchanged
    }
    CHECK(std::count_if(ex.begin(), ex.end(), [](auto& e) { return e.reason == "contains_credit_card"; }) == 20);
    CHECK(std::count_if(ex.begin(), ex.end(), [](auto& e) { return e.reason == "contains_ipv6"; }) == 20);
    CHECK(std::count_if(ex.begin(), ex.end(), [](auto& e) { return e.reason == "contains_iban"; }) == 40);
    CHECK(std::count_if(ex.begin(), ex.end(), [](auto& e) { return e.reason == "contains_ssn"; }) == 20);
    for (auto& d : out) {  // kept: the bodies without PII, the zip one among them
      const bool zip = d.text.rfind("zip", 0) == 0;
      CHECK((d.text.find("-6789") != std::string::npos) == zip);
    }
  }
  // annotate: unchanged records with counts.
  {
    std::vector<Doc> out;
    mr::run(mr::from_range(docs) | mf::pii<Doc>({.params = {.action = mf::pii_action::annotate}}) | mr::collect(out), exec);
    REQUIRE(out.size() == docs.size());
    CHECK(by_id(out) == by_id(docs));
    for (auto& d : out) {
      const bool mail = d.text.find('@') != std::string::npos;
      CHECK(d.filter_result.score("pii.email") == (mail ? 1 : 0));
      CHECK((d.filter_result.failed("pii") == "contains_email") == mail);
      const bool both = d.text.rfind("both", 0) == 0;
      CHECK(d.filter_result.score("pii.iban") == (both || d.text.rfind("iban", 0) == 0 ? 1 : 0));
      CHECK(d.filter_result.score("pii.ssn") == (both || d.text.rfind("ssn", 0) == 0 ? 1 : 0));
      CHECK((d.filter_result.failed("pii") == "contains_ssn") == (d.text.rfind("ssn", 0) == 0));
    }
  }
  // In mr::filters::apply with quality filters: redact in drop mode, counts in annotate mode.
  {
    std::vector<Doc> out;
    mr::run(mr::from_range(docs) | mf::apply<Doc>(mf::pii_filter{}) | mr::collect(out), exec);
    REQUIRE(out.size() == docs.size());
    for (auto& d : out) CHECK(d.text == redacted(docs[std::size_t(std::stoi(d.id.substr(1))) - 1000].text));
    std::vector<Doc> ann;
    mr::run(mr::from_range(docs) | mf::apply<Doc>({.action = mf::on_fail::annotate}, mf::pii_filter{}) | mr::collect(ann), exec);
    CHECK(by_id(ann) == by_id(docs));
    std::size_t cards = 0;
    for (auto& d : ann) cards += std::size_t(d.filter_result.score("pii.credit_card"));
    CHECK(cards == 20);
    std::size_t ibans = 0, ssns = 0;
    for (auto& d : ann) ibans += std::size_t(d.filter_result.score("pii.iban")), ssns += std::size_t(d.filter_result.score("pii.ssn"));
    CHECK(ibans == 40);
    CHECK(ssns == 40);
    std::vector<Doc> kept;
    mr::run(mr::from_range(docs) | mf::apply<Doc>(mf::pii_filter({.action = mf::pii_action::drop})) | mr::collect(kept), exec);
    CHECK(kept.size() == 80);
  }
}

}  // namespace

TEST_CASE("pii.actions.serial") { check_actions(mr::serial_executor{.batch_size = 16}); }
TEST_CASE("pii.actions.2T") { check_actions(mr::cpu{.threads = 2, .batch_size = 16}); }

TEST_CASE("pii.annotate_needs_filter_result") {
  CHECK_THROWS_WITH_AS(mf::pii<std::string>({.params = {.action = mf::pii_action::annotate}}),
                       doctest::Contains("filter_result"), std::invalid_argument);
}

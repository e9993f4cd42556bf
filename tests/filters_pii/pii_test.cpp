// The PII filter (RE2): each kind at and around its edges, the false positives it must not take
// (version strings, dates, ordinary numbers, ISBNs, invalid Luhn, octets > 255), the three
// actions as a function, in mr::filters::apply and as mr::filters::pii<Rec>, serial and 2 threads.
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
                                           "ipv6 2001:db8::7 here",            "isbn 978-0-306-40615-7"};
  for (std::size_t i = 0; i < 200; ++i) docs.push_back({"d" + std::to_string(1000 + i), bodies[i % bodies.size()] + " #" + std::to_string(i)});
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
    CHECK(std::count_if(out.begin(), out.end(), [](const Doc& d) { return d.text.find("<EMAIL>") != std::string::npos; }) == 25);
    CHECK(tally.of("pii").in == 200);
    CHECK(tally.of("pii").dropped == 125);  // email, ipv4, phone, card, ipv6: 5 of 8 bodies
    CHECK(tally.of("pii").reasons.at("contains_phone") == 25);
    CHECK(rep.find("pii")->rejected == 0);
    CHECK(rep.find("pii")->counter("pii.reason.contains_email") == 25);
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
    CHECK(out.size() == 75);
    REQUIRE(ex.size() == 125);
    CHECK(rep.find("pii_drop")->rejected == 125);
    for (auto& e : ex) {
      CHECK(e.filter == "pii_drop");
      CHECK(e.reason.rfind("contains_", 0) == 0);
      CHECK(e.record.text == docs[std::size_t(std::stoi(e.record.id.substr(1))) - 1000].text);  // unchanged
    }
    CHECK(std::count_if(ex.begin(), ex.end(), [](auto& e) { return e.reason == "contains_credit_card"; }) == 25);
    CHECK(std::count_if(ex.begin(), ex.end(), [](auto& e) { return e.reason == "contains_ipv6"; }) == 25);
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
    CHECK(cards == 25);
    std::vector<Doc> kept;
    mr::run(mr::from_range(docs) | mf::apply<Doc>(mf::pii_filter({.action = mf::pii_action::drop})) | mr::collect(kept), exec);
    CHECK(kept.size() == 75);
  }
}

}  // namespace

TEST_CASE("pii.actions.serial") { check_actions(mr::serial_executor{.batch_size = 16}); }
TEST_CASE("pii.actions.2T") { check_actions(mr::cpu{.threads = 2, .batch_size = 16}); }

TEST_CASE("pii.annotate_needs_filter_result") {
  CHECK_THROWS_WITH_AS(mf::pii<std::string>({.params = {.action = mf::pii_action::annotate}}),
                       doctest::Contains("filter_result"), std::invalid_argument);
}

// The URL filter's allow lists (an allowed domain overrides a block; a more specific block wins)
// and internationalized domain names: Punycode against RFC 3492's sample strings, IDNA ToASCII on
// real IDN examples, Unicode, ACE and percent-encoded spellings of one domain matched alike; list
// files and a JSONL file through mr::io's reader and writer, 1 and 4 threads.
#include <millrace/core.hpp>
#include <millrace/filters/url.hpp>
#include <millrace/io.hpp>
#include <millrace/text/idna.hpp>

#include <doctest/doctest.h>

#include <mrtest/files.hpp>
#include <mrtest/temp_dir.hpp>

#include <string>
#include <vector>

namespace mr = millrace;
namespace mf = millrace::filters;

TEST_CASE("url.idn.punycode.rfc3492_samples") {
  // RFC 3492 section 7.1 (the encoder keeps the case of basic code points, as the RFC's samples do)
  CHECK(mr::text::punycode_encode(U"\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645\u0648\u0634\u0639\u0631\u0628\u064A\u061F") ==
        "egbpdaj6bu4bxfgehfvwxn");                                                                      // (A) Arabic (Egyptian)
  CHECK(mr::text::punycode_encode(U"\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587") == "ihqwcrb4cv8a8dqg056pqjye");  // (B) Chinese
  CHECK(mr::text::punycode_encode(U"3\u5E74B\u7D44\u91D1\u516B\u5148\u751F") == "3B-ww4c5e180e575a65lsy2b");                  // (L)
  CHECK(mr::text::punycode_encode(U"Maji\u3067Koi\u3059\u308B5\u79D2\u524D") == "MajiKoi5-783gue6qz075azm5e");               // (P)
  CHECK(mr::text::punycode_encode(U"\u305D\u306E\u30B9\u30D4\u30FC\u30C9\u3067") == "d9juau41awczczp");                        // (R)
  CHECK(mr::text::punycode_encode(U"-> $1.00 <-") == "-> $1.00 <--");                                                         // (S) all basic
  CHECK(mr::text::punycode_encode(U"") == "");
}

TEST_CASE("url.idn.domain_to_ascii") {
  using mr::text::domain_to_ascii;
  CHECK(domain_to_ascii("bücher.example") == "xn--bcher-kva.example");
  CHECK(domain_to_ascii("BÜCHER.Example") == "xn--bcher-kva.example");            // upper case folded
  CHECK(domain_to_ascii("ｂücher．example") == "xn--bcher-kva.example");          // full-width letter and full stop (NFKC)
  CHECK(domain_to_ascii("bu\u0308cher.example") == "xn--bcher-kva.example");     // decomposed ü composes
  CHECK(domain_to_ascii("bü\u00ADcher.example") == "xn--bcher-kva.example");    // a soft hyphen is ignored
  CHECK(domain_to_ascii("München.de") == "xn--mnchen-3ya.de");
  CHECK(domain_to_ascii("例え.テスト") == "xn--r8jz45g.xn--zckzah");               // Japanese, IANA's test TLD
  CHECK(domain_to_ascii("例え。テスト") == "xn--r8jz45g.xn--zckzah");              // ideographic full stop
  CHECK(domain_to_ascii("пример.испытание") == "xn--e1afmkfd.xn--80akhbyknj4f");  // Russian
  CHECK(domain_to_ascii("ελληνικά.δοκιμή") == "xn--hxargifdar.xn--jxalpdlp");     // Greek
  CHECK(domain_to_ascii("شبكة.مثال") == "xn--ngbc5azd.xn--mgbh0fb");              // Arabic
  CHECK(domain_to_ascii("faß.de") == "xn--fa-hia.de");                            // nontransitional: ß stays
  CHECK(domain_to_ascii("WWW.Example.COM") == "www.example.com");                 // ASCII: lower case only
  CHECK(domain_to_ascii("xn--bcher-kva.example") == "xn--bcher-kva.example");
  CHECK(domain_to_ascii("b\xFF" "cher.example") == std::nullopt);                 // not UTF-8
}

TEST_CASE("url.idn.hosts_and_rules") {
  CHECK(mf::url_host_ascii("https://Bücher.example/x?q=ü") == "xn--bcher-kva.example");
  CHECK(mf::url_host_ascii("http://b%C3%BCcher.example/") == "xn--bcher-kva.example");  // percent-encoded host
  CHECK(mf::url_host_ascii("https://user@例え.テスト:8443/") == "xn--r8jz45g.xn--zckzah");
  CHECK(mf::url_host_ascii("https://example.com/ü") == "example.com");
  // an entry in either spelling blocks every spelling of the host and its subdomains
  for (const char* entry : {"bücher.example", "xn--bcher-kva.example", "BÜCHER.EXAMPLE"}) {
    INFO(entry);
    const mf::url_blocklist b({.block_domains = {entry}});
    CHECK(b.check("https://bücher.example/") == "blocked_domain");
    CHECK(b.check("https://XN--BCHER-KVA.example/a") == "blocked_domain");
    CHECK(b.check("http://shop.Bücher.example/") == "blocked_domain");
    CHECK(b.check("http://b%c3%bccher.example/") == "blocked_domain");
    CHECK(b.check("https://bucher.example/") == "");
  }
  CHECK_THROWS_WITH_AS(mf::url_blocklist({.block_domains = {"b\xFF" "cher.example"}}),
                       doctest::Contains("block_domains[0]"), std::invalid_argument);
}

TEST_CASE("url.allow.overrides_block") {
  const mf::url_blocklist b({.block_domains = {"bad.com", "ads.example.com"},
                             .block_substrings = {"casino"},
                             .allow_domains = {"blog.bad.com", "example.com", "casino-museum.org", "пример.испытание"}});
  CHECK(b.allowed_domains() == 4);
  CHECK(b.check("https://bad.com/") == "blocked_domain");
  CHECK(b.check("https://www.bad.com/") == "blocked_domain");
  CHECK(b.check("https://blog.bad.com/post") == "");         // allowed under a broader block
  CHECK(b.check("https://a.blog.bad.com/") == "");           // and its subdomains
  CHECK(b.check("https://ads.example.com/x") == "blocked_domain");  // a more specific block wins
  CHECK(b.check("https://www.example.com/casino") == "");    // an allowed domain passes a substring block
  CHECK(b.check("https://casino-museum.org/") == "");
  CHECK(b.check("https://casino.net/") == "blocked_substring");
  CHECK(b.check("https://xn--e1afmkfd.xn--80akhbyknj4f/casino") == "");  // allowed in its Unicode spelling
  // the same domain blocked and allowed: allowed
  const mf::url_blocklist both({.block_domains = {"x.org"}, .allow_domains = {"X.org"}});
  CHECK(both.check("http://x.org/") == "");
}

namespace {

struct Page {
  std::string id, url, text;
  mf::filter_result filter_result{};
};

}  // namespace

TEST_CASE("url.allow_and_idn.files.1T.4T") {
  const mrtest::temp_dir tmp("url-idn");
  mrtest::write_file(tmp / "block.txt", "# blocked\nbücher.example\nbad.com  # and its subdomains\n");
  mrtest::write_file(tmp / "allow.txt", "blog.bad.com\nxn--r8jz45g.xn--zckzah\n");
  mrtest::write_file(tmp / "words.txt", "casino\n");
  const std::vector<std::pair<std::string, bool>> urls = {
      {"https://xn--bcher-kva.example/buch", false}, {"https://Bücher.example/", false},  {"https://blog.bad.com/x", true},
      {"https://bad.com/", false},                   {"https://例え.テスト/casino", true}, {"https://good.org/casino", false},
      {"https://good.org/", true},                   {"http://b%C3%BCcher.example/", false}};
  std::string in;
  for (std::size_t i = 0; i < urls.size() * 25; ++i)
    in += fmt::format("{{\"id\":\"p{}\",\"url\":{},\"text\":\"t\"}}\n", i, mr::json::quote(urls[i % urls.size()].first));
  mrtest::write_file(tmp / "pages.jsonl", in);
  const auto fields = mr::io::fields(mr::io::field("id", &Page::id), mr::io::field("url", &Page::url), mr::io::field("text", &Page::text));
  for (const std::size_t threads : {1, 4}) {
    INFO("threads " << threads);
    mf::filter_tally tally;
    std::vector<std::string> excluded;
    mf::url_filter_options<Page> o;
    o.rules.domain_files = {(tmp / "block.txt").string()};
    o.rules.substring_files = {(tmp / "words.txt").string()};
    o.rules.allow_files = {(tmp / "allow.txt").string()};
    o.tally = &tally;
    o.exclusions = [&](mf::excluded<Page>&& e) { excluded.push_back(e.record.id + ":" + e.reason); };
    const auto out = tmp / fmt::format("out{}", threads);
    mr::run(mr::io::read_jsonl<Page>({(tmp / "pages.jsonl").string()}, fields) | mf::url_filter<Page>(o) | mr::io::write_jsonl<Page>(out, fields),
            mr::cpu{.threads = threads, .batch_size = 8});
    const auto kept = mrtest::output_lines(out);
    std::size_t want = 0;
    for (std::size_t i = 0; i < urls.size() * 25; ++i) want += urls[i % urls.size()].second;
    REQUIRE(kept.size() == want);
    for (auto& l : kept) {
      const auto id = std::get<std::string>(mr::json::parse(l).as_object().at("id").v);
      CHECK(urls[std::stoul(id.substr(1)) % urls.size()].second);
    }
    CHECK(kept.size() + excluded.size() == urls.size() * 25);
    const auto c = tally.of("url_filter");
    CHECK(c.in == urls.size() * 25);
    CHECK(c.reasons.at("blocked_domain") == 4 * 25);
    CHECK(c.reasons.at("blocked_substring") == 25);
  }
}

// The URL filter: host extraction, domain rules (the domain and its subdomains only), substring
// rules, list files with comments and a bad entry named by file and line; drop / annotate through
// mr::run, serial and 2 threads.
// g++ 12 warns -Wrestrict on `"x" + std::string` chains at -O3, a false positive (GCC PR 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <millrace/core.hpp>
#include <millrace/filters/url.hpp>

#include <doctest/doctest.h>

#include <mrtest/files.hpp>
#include <mrtest/temp_dir.hpp>

#include "url_fixtures.hpp"

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace mr = millrace;
namespace mf = millrace::filters;

using url_fixtures::Page;
using url_fixtures::write_list;

TEST_CASE("url.host") {
  CHECK(mf::url_host("https://WWW.Example.COM/path?q=1") == "www.example.com");
  CHECK(mf::url_host("http://user:pw@host.org:8080/x") == "host.org");
  CHECK(mf::url_host("http://[2001:db8::1]:80/") == "2001:db8::1");
  CHECK(mf::url_host("example.com./a") == "example.com");
  CHECK(mf::url_host("//cdn.example.net/lib.js") == "cdn.example.net");
  CHECK(mf::url_host("ftp://files.example.org#frag") == "files.example.org");
  CHECK(mf::url_host("") == "");
}

TEST_CASE("url.rules.domains_and_substrings") {
  const mf::url_blocklist b({.block_domains = {"Example.com", "*.ads.net", ".tracker.io."}, .block_substrings = {"CaSiNo", "/porn/"}});
  CHECK(b.domains() == 3);
  CHECK(b.check("http://example.com/") == "blocked_domain");
  CHECK(b.check("https://a.b.EXAMPLE.com/x") == "blocked_domain");   // a subdomain
  CHECK(b.check("https://notexample.com/") == "");                   // not a subdomain
  CHECK(b.check("https://example.com.evil.org/") == "");             // the domain elsewhere in the host
  CHECK(b.check("https://ads.net/") == "blocked_domain");            // "*.ads.net" blocks ads.net too
  CHECK(b.check("https://x.tracker.io:443/") == "blocked_domain");
  CHECK(b.check("https://u@example.com@other.org/") == "");          // the host is after the last '@'
  CHECK(b.check("https://shop.org/best-CASINO-online") == "blocked_substring");
  CHECK(b.check("https://shop.org/porn") == "");                     // "/porn/" needs both slashes
  CHECK(b.check("https://shop.org/?q=/porn/") == "blocked_substring");
  CHECK(b.check("https://shop.org/ok") == "");
}

TEST_CASE("url.rules.files_and_errors") {
  const auto d = write_list("domains.txt", "# blocked domains\n\nbad.com\n  Worse.ORG   # trailing comment\r\n*.spam.net\n");
  const auto s = write_list("subs.txt", "# substrings\n  #also a comment\nfree-money\nwin#prize\n\n");
  const mf::url_blocklist b({.domain_files = {d}, .substring_files = {s}});
  CHECK(b.domains() == 3);
  CHECK(b.substrings() == 2);
  CHECK(b.check("http://www.worse.org/") == "blocked_domain");
  CHECK(b.check("http://x.spam.net/") == "blocked_domain");
  CHECK(b.check("http://ok.org/win#prize") == "blocked_substring");
  CHECK(b.check("http://ok.org/free-money-now") == "blocked_substring");
  CHECK(b.check("http://ok.org/comment") == "");
  const auto bad = write_list("bad.txt", "ok.com\n# fine\nhttp://not-a-domain.com/path\n");
  CHECK_THROWS_WITH_AS(mf::url_blocklist({.domain_files = {bad}}), doctest::Contains("bad.txt:3: 'http://not-a-domain.com/path' is not a domain"),
                       std::invalid_argument);
  const auto sp = write_list("space.txt", "a.com\nb .com\n");
  CHECK_THROWS_WITH_AS(mf::url_blocklist({.domain_files = {sp}}), doctest::Contains("space.txt:2:"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(mf::url_blocklist({.domain_files = {"/nonexistent/list.txt"}}),
                       doctest::Contains("/nonexistent/list.txt: cannot open"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(mf::url_blocklist({.block_domains = {"a..b"}}), doctest::Contains("block_domains[0]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(mf::url_blocklist({.block_substrings = {"x", "  "}}), doctest::Contains("block_substrings[1]: empty"),
                       std::invalid_argument);
  // The operator reads its lists when it is built, before any data.
  CHECK_THROWS_WITH_AS(mf::url_filter<Page>({.rules = {.domain_files = {bad}}}), doctest::Contains("bad.txt:3"), std::invalid_argument);
}

namespace {

std::vector<Page> pages() {
  std::vector<Page> v;
  const std::vector<std::string> urls = {"https://good.org/a", "https://x.bad.com/b", "http://ok.net/casino-tips", "", "https://bad.com.ok.net/"};
  for (std::size_t i = 0; i < 100; ++i) v.push_back({urls[i % urls.size()], "page " + std::to_string(i)});
  return v;
}

template <class Exec>
void check_url_op(Exec exec) {
  const auto in = pages();
  const mf::url_rules rules{.block_domains = {"bad.com"}, .block_substrings = {"casino"}};
  {
    std::vector<Page> out;
    std::vector<mf::excluded<Page>> ex;
    mf::filter_tally tally;
    const auto rep = mr::run(mr::from_range(in) |
                                 mf::url_filter<Page>({.rules = rules,
                                                       .exclusions = [&](mf::excluded<Page>&& e) { ex.push_back(std::move(e)); },
                                                       .tally = &tally}) |
                                 mr::collect(out),
                             exec);
    CHECK(out.size() == 60);
    CHECK(ex.size() == 40);
    CHECK(rep.find("url_filter")->rejected == 40);
    CHECK(rep.find("url_filter")->counter("url_filter.in") == 100);  // the run report has the reasons too
    CHECK(rep.find("url_filter")->counter("url_filter.reason.blocked_substring") == 20);
    CHECK(tally.of("url_filter").reasons.at("blocked_domain") == 20);
    CHECK(tally.of("url_filter").reasons.at("blocked_substring") == 20);
    for (auto& e : ex) CHECK(e.filter == "url_filter");
    for (auto& p : out) CHECK((p.url.empty() || p.url.find("good") != std::string::npos || p.url.find("ok.net/") != std::string::npos));
  }
  {
    std::vector<Page> out;
    mr::run(mr::from_range(in) | mf::url_filter<Page>({.rules = rules, .drop_missing_url = true}, "url") | mr::collect(out), exec);
    CHECK(out.size() == 40);
  }
  {
    std::vector<Page> out;
    mr::run(mr::from_range(in) | mf::url_filter<Page>({.rules = rules, .annotate = true}) | mr::collect(out), exec);
    REQUIRE(out.size() == 100);
    std::size_t blocked = 0;
    for (auto& p : out) {
      blocked += p.filter_result.score("url_filter.blocked") == 1;
      CHECK((p.filter_result.failed("url_filter") == "blocked_domain") == (p.url == "https://x.bad.com/b"));
    }
    CHECK(blocked == 40);
  }
  {  // a URL from elsewhere in the record
    struct Rec { std::string meta_url; };
    std::vector<Rec> rin{{"https://bad.com"}, {"https://fine.com"}}, out;
    mr::run(mr::from_range(rin) | mf::url_filter<Rec>({.rules = rules, .url_of = [](const Rec& r) -> std::string_view { return r.meta_url; }}) |
                mr::collect(out),
            exec);
    REQUIRE(out.size() == 1);
    CHECK(out[0].meta_url == "https://fine.com");
    CHECK_THROWS_WITH_AS(mf::url_filter<Rec>({.rules = rules}), doctest::Contains("url_of"), std::invalid_argument);
  }
}

}  // namespace

TEST_CASE("url.filter.serial") { check_url_op(mr::serial_executor{.batch_size = 8}); }
TEST_CASE("url.filter.2T") { check_url_op(mr::cpu{.threads = 2, .batch_size = 8}); }

// bench_pii: PII redaction in MB per CPU-second on generated web-like text with e-mails, IPv4 and
// IPv6 addresses, phone and card numbers, IBANs and SSNs (and version strings, dates, ISBNs, plain
// numbers, ZIP+4 codes, a wrong IBAN check and a never-issued SSN as bait) in a quarter of the documents; millrace's RE2 filter against std::regex doing the same
// replacements (same patterns, no context/Luhn/mod-97/SSA checks), on the same text in the same run; and
// mr::filters::pii<Doc> through mr::run on 1 and 2 threads (MB per CPU-second of all threads).
// --dump DIR writes DIR/corpus.jsonl and DIR/patterns.json for bench/filters_pii/python_re.py.
//   bench_pii [--mb 8] [--reps 3] [--dump DIR]
// g++ 12 warns -Wrestrict on `"x" + std::string` chains at -O3, a false positive (GCC PR 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <millrace/core.hpp>
#include <millrace/core/json_value.hpp>
#include <millrace/filters/pii.hpp>
#include <millrace/synth/corpus.hpp>

namespace mr = millrace;
namespace mf = millrace::filters;

namespace {

struct Doc {
  std::string id, text;
};

// The synthetic corpus's documents, with one to three PII items (and bait) spliced in at word
// boundaries of every fourth document.
std::vector<Doc> make_corpus(std::size_t mb, std::size_t& planted) {
  static const char* pii[] = {"jane.roe@example.org", "10.20.30.40",   "(555) 123-4567", "4111 1111 1111 1111",
                              "2001:db8::8a2e:370:7334", "+44 20 7946 0958", "ops-team+alerts@mail.example.co.uk",
                              "5500-0000-0000-0004", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432",
                              "772-12-3456"};
  static const char* bait[] = {"version 1.2.3.4", "2026-12-02", "ISBN 978-0-306-40615-7", "1,234,567", "4111 1111 1111 1112",
                               "256.1.2.3", "3.14159", "DE88 3704 0044 0532 0130 00", "12345-6789", "078-05-1120"};
  constexpr std::size_t n_pii = std::size(pii), n_bait = std::size(bait);
  std::vector<Doc> docs;
  std::size_t bytes = 0, seed = 7;
  mr::synth::rng r(99);
  planted = 0;
  while (bytes < mb << 20) {
    for (auto& d : mr::synth::generate_corpus({.docs = 2000, .seed = seed++})) {
      std::string t = std::move(d.text);
      if (docs.size() % 4 == 0) {
        const std::size_t k = 1 + r.below_unbiased(3);
        std::vector<std::size_t> spots;  // spaces of the original text, filled from the end: no item splits another
        for (std::size_t j = 0; j < k; ++j) spots.push_back(std::min(t.find(' ', r.below_unbiased(t.size() + 1)), t.size()));
        std::sort(spots.rbegin(), spots.rend());
        for (const std::size_t at : spots) {
          const bool real = r.below_unbiased(3) != 0;
          t.insert(at, std::string(" ") + (real ? pii[r.below_unbiased(n_pii)] : bait[r.below_unbiased(n_bait)]) + " ");
          planted += real;
        }
      }
      bytes += t.size();
      docs.push_back({d.id, std::move(t)});
      if (bytes >= mb << 20) break;
    }
  }
  return docs;
}

double cpu_seconds() { return double(std::clock()) / CLOCKS_PER_SEC; }

template <class F>
double best_mb_per_cpu_s(std::size_t bytes, int reps, F&& f) {
  double best = 0;
  for (int i = 0; i < reps; ++i) {
    const double t0 = cpu_seconds();
    f();
    best = std::max(best, double(bytes) / 1e6 / (cpu_seconds() - t0));
  }
  return best;
}
std::size_t count_tokens(const std::vector<std::string>& out) {
  std::size_t n = 0;
  for (auto& s : out)
    for (const char* tok : {"<EMAIL>", "<IP_ADDRESS>", "<PHONE>", "<CREDIT_CARD>", "<IBAN>", "<SSN>"})
      for (std::size_t p = s.find(tok); p != std::string::npos; p = s.find(tok, p + 1)) ++n;
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mb = 8;
  int reps = 3;
  std::string dump;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--mb")) mb = std::strtoul(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dump")) dump = argv[i + 1];
  }
  std::size_t planted = 0;
  const auto docs = make_corpus(mb, planted);
  std::size_t bytes = 0;
  for (auto& d : docs) bytes += d.text.size();
  fmt::print("corpus: {} documents, {:.1f} MB, {} PII items planted (plus bait)\n", docs.size(), double(bytes) / 1e6, planted);

  if (!dump.empty()) {  // the same text and patterns for the Python re baseline
    std::ofstream c(dump + "/corpus.jsonl"), p(dump + "/patterns.json");
    for (auto& d : docs) c << "{\"text\":" << mr::json::quote(d.text) << "}\n";
    p << "[[" << mr::json::quote(mf::detail::email_pattern) << ",\"<EMAIL>\"],[" << mr::json::quote(mf::detail::ipv6_pattern())
      << ",\"<IP_ADDRESS>\"],[" << mr::json::quote(mf::detail::ipv4_pattern()) << ",\"<IP_ADDRESS>\"],["
      << mr::json::quote(mf::detail::phone_pattern) << ",\"<PHONE>\"],[" << mr::json::quote(mf::detail::card_pattern)
      << ",\"<CREDIT_CARD>\"],[" << mr::json::quote(mf::detail::iban_pattern(false)) << ",\"<IBAN>\"],["
      << mr::json::quote(mf::detail::ssn_pattern(false, false)) << ",\"<SSN>\"]]\n";
  }

  const mf::pii_filter f;
  std::vector<std::string> out(docs.size());
  const double ours = best_mb_per_cpu_s(bytes, reps, [&] {
    for (std::size_t i = 0; i < docs.size(); ++i) out[i] = f.redact(docs[i].text);
  });
  const std::size_t ours_found = count_tokens(out);

  // The baseline: std::regex (ECMAScript), one regex_replace per kind, the same patterns.
  const std::pair<std::regex, const char*> base[] = {
      {std::regex(std::string(mf::detail::email_pattern)), "<EMAIL>"},
      {std::regex(mf::detail::ipv6_pattern()), "<IP_ADDRESS>"},
      {std::regex(mf::detail::ipv4_pattern()), "<IP_ADDRESS>"},
      {std::regex(std::string(mf::detail::phone_pattern)), "<PHONE>"},
      {std::regex(std::string(mf::detail::card_pattern)), "<CREDIT_CARD>"},
      {std::regex(mf::detail::iban_pattern(false)), "<IBAN>"},
      {std::regex(mf::detail::ssn_pattern(false, false)), "<SSN>"}};
  const int base_reps = std::max(1, reps / 3);
  const double stdre = best_mb_per_cpu_s(bytes, base_reps, [&] {
    for (std::size_t i = 0; i < docs.size(); ++i) {
      std::string s = docs[i].text;
      for (auto& [re, tok] : base) s = std::regex_replace(s, re, tok);
      out[i] = std::move(s);
    }
  });
  const std::size_t base_found = count_tokens(out);

  std::vector<Doc> sink;
  const auto through = [&](auto exec) {  // CPU time of all threads: MB/s per core
    return best_mb_per_cpu_s(bytes, reps, [&] {
      sink.clear();
      mr::run(mr::from_range(docs) | mf::pii<Doc>() | mr::collect(sink), exec);
    });
  };
  // The same pipeline without the PII operator: what reading and collecting the records costs.
  const double bare = best_mb_per_cpu_s(bytes, reps, [&] {
    sink.clear();
    mr::run(mr::from_range(docs) | mr::collect(sink), mr::serial_executor{});
  });
  const double t1 = through(mr::serial_executor{});
  const double t2 = through(mr::cpu{.threads = 2});

  fmt::print("| row | MB/s | vs std::regex |\n|---|---|---|\n");
  fmt::print("| millrace pii_filter::redact, 1 thread (MB/CPU-s) | {:.1f} | {:.1f}x |\n", ours, ours / stdre);
  fmt::print("| std::regex, {} regex_replace per document (MB/CPU-s) | {:.2f} | 1x |\n", std::size(base), stdre);
  fmt::print("| mr::filters::pii<Doc> via mr::run, serial (MB/CPU-s) | {:.1f} | |\n", t1);
  fmt::print("| (reference) from_range → collect, no PII operator, serial (MB/CPU-s) | {:.1f} | |\n", bare);
  fmt::print("| mr::filters::pii<Doc> via mr::run, 2 threads (MB/CPU-s) | {:.1f} | 2T/1T {:.2f}x |\n", t2, t2 / t1);
  fmt::print("replacements: millrace {} (planted {}), std::regex {} (no context, Luhn, issuer, mod-97 or SSA checks: bait taken)\n",
             ours_found, planted, base_found);
  return ours_found >= planted ? 0 : 1;  // every planted item must be found
}

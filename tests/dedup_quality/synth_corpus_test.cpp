// The synthetic corpus generator: determinism, streaming = batch, valid UTF-8, the mix of documents it
// promises, and a Jaccard spread that its edit-strength knob controls.
#include <millrace/synth/corpus.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace {

namespace sy = millrace::synth;

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += len;
  }
  return true;
}

// A test-local word 5-gram set (lowercase ASCII, split on spaces, punctuation trimmed) with FNV-1a:
// independent of the dedup code, only to see how far copies drift from their originals.
std::vector<std::uint64_t> rough_shingles(const std::string& text) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : text) {
    if (c == ' ') {
      if (!cur.empty()) words.push_back(cur);
      cur.clear();
    } else if (c != '.' && c != ',' && c != '?' && c != '!') {
      cur += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
  }
  if (!cur.empty()) words.push_back(cur);
  std::set<std::uint64_t> out;
  for (std::size_t i = 0; i + 5 <= words.size(); ++i) {
    std::uint64_t h = 1469598103934665603ULL;
    for (std::size_t k = i; k < i + 5; ++k) {
      for (char c : words[k]) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
      h = (h ^ 0xff) * 1099511628211ULL;
    }
    out.insert(h);
  }
  return {out.begin(), out.end()};
}

double jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  std::vector<std::uint64_t> i;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(i));
  const double u = static_cast<double>(a.size() + b.size() - i.size());
  return u == 0 ? 1.0 : static_cast<double>(i.size()) / u;
}

}  // namespace

TEST_CASE("synth.rng.below_is_uniform") {
  sy::rng r(3);
  std::vector<int> counts(7, 0);
  const int n = 70000;
  for (int i = 0; i < n; ++i) ++counts[r.below(7)];
  for (int c : counts) CHECK(std::abs(c - n / 7) < 5 * std::sqrt(n / 7.0));  // 5 sigma
  for (int i = 0; i < 1000; ++i) {
    const double u = r.uniform();
    CHECK((u >= 0 && u < 1));
  }
}

TEST_CASE("synth.zipf.rank_frequencies") {
  const std::size_t n = 50;
  sy::zipf_sampler z(n, 1.0);
  sy::rng r(11);
  std::vector<int> counts(n, 0);
  const int draws = 200000;
  for (int i = 0; i < draws; ++i) ++counts[z(r)];
  double h = 0;
  for (std::size_t k = 1; k <= n; ++k) h += 1.0 / static_cast<double>(k);
  for (std::size_t k : {0u, 1u, 4u, 20u, 49u}) {
    const double p = 1.0 / static_cast<double>(k + 1) / h;
    const double sd = std::sqrt(draws * p * (1 - p));
    CAPTURE(k);
    CHECK(std::abs(counts[k] - draws * p) < 5 * sd);
  }
}

TEST_CASE("synth.corpus.deterministic_and_seeded") {
  const sy::corpus_options o{.docs = 300, .seed = 5};
  const auto a = sy::generate_corpus(o);
  const auto b = sy::generate_corpus(o);
  REQUIRE(a.size() == 300);
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].id == b[i].id);
    CHECK(a[i].text == b[i].text);
  }
  auto o2 = o;
  o2.seed = 6;
  const auto c = sy::generate_corpus(o2);
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i].text == c[i].text;
  CHECK(same == 0);
}

TEST_CASE("synth.corpus.streaming_equals_batch") {
  const sy::corpus_options o{.docs = 200, .seed = 9, .pool = 16};
  const auto batch = sy::generate_corpus(o);
  sy::corpus_generator g(o);
  for (std::size_t i = 0; i < batch.size(); ++i) CHECK(g.next().text == batch[i].text);
  CHECK(g.produced() == batch.size());
}

TEST_CASE("synth.corpus.content_mix") {
  const auto docs = sy::generate_corpus({.docs = 2000, .seed = 1});
  std::set<std::string> ids;
  std::size_t copies = 0, hard = 0, non_ascii = 0, nfd = 0;
  for (const auto& d : docs) {
    CHECK(!d.text.empty());
    CHECK(valid_utf8(d.text));
    ids.insert(d.id);
    copies += d.source >= 0;
    hard += d.hard_negative;
    non_ascii += std::any_of(d.text.begin(), d.text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    nfd += d.text.find("\xcc\x81") != std::string::npos;  // U+0301 combining acute: decomposed-accent noise
    if (d.source >= 0) CHECK(static_cast<std::size_t>(d.source) < static_cast<std::size_t>(&d - docs.data()));
  }
  CHECK(ids.size() == docs.size());
  CHECK(copies > 600);   // duplicate_rate 0.4
  CHECK(copies < 1000);
  CHECK(hard > 50);      // 10% of originals
  CHECK(non_ascii > 1000);
  CHECK(nfd > 0);
}

TEST_CASE("synth.corpus.similarity_knob_spreads_and_controls_jaccard") {
  const auto spread = sy::generate_corpus({.docs = 1500, .seed = 2, .duplicate_rate = 0.5, .truncate_rate = 0,
                                           .boilerplate_rate = 0, .noise_rate = 0, .hard_negative_rate = 0});
  std::vector<int> bins(5, 0);
  int n = 0;
  for (const auto& d : spread) {
    if (d.source < 0) continue;
    const double j = jaccard(rough_shingles(d.text), rough_shingles(spread[static_cast<std::size_t>(d.source)].text));
    ++bins[std::min(4, static_cast<int>(j * 5))];
    ++n;
  }
  REQUIRE(n > 300);
  for (int b : bins) CHECK(b > n / 20);  // every fifth of [0, 1] holds at least 5% of the copies

  const auto close = sy::generate_corpus({.docs = 600, .seed = 2, .duplicate_rate = 0.5, .min_similarity = 0.9,
                                          .truncate_rate = 0, .boilerplate_rate = 0, .noise_rate = 0,
                                          .hard_negative_rate = 0});
  double sum = 0;
  int m = 0;
  for (const auto& d : close)
    if (d.source >= 0) {
      sum += jaccard(rough_shingles(d.text), rough_shingles(close[static_cast<std::size_t>(d.source)].text));
      ++m;
    }
  REQUIRE(m > 100);
  CHECK(sum / m > 0.8);
}

// Conformance of word tokens and word / character shingle hashes.
#include <doctest/doctest.h>

#include <random>
#include <span>
#include <string>
#include <vector>

#include <millrace/text/shingle.hpp>

namespace tx = millrace::text;

TEST_CASE("shingle.word_tokens") {
  std::vector<std::string_view> w;
  tx::word_tokens("  a bb\tccc\n\r d ", w);
  REQUIRE(w.size() == 4);
  CHECK(w[0] == "a");
  CHECK(w[1] == "bb");
  CHECK(w[2] == "ccc");
  CHECK(w[3] == "d");
  tx::word_tokens("   ", w);
  CHECK(w.empty());
}

namespace {
std::uint64_t ngram(std::initializer_list<std::string_view> words) {
  std::vector<std::uint64_t> w;
  for (auto x : words) w.push_back(tx::shingle_hash(x));
  return tx::word_ngram_hash(w);
}
// The plain definition of words, to compare the 64-bytes-at-a-time scanner with.
std::vector<std::string_view> simple_words(std::string_view t) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < t.size()) {
    while (i < t.size() && tx::detail::is_ascii_space(t[i])) ++i;
    const std::size_t b = i;
    while (i < t.size() && !tx::detail::is_ascii_space(t[i])) ++i;
    if (i > b) out.push_back(t.substr(b, i - b));
  }
  return out;
}
}  // namespace

TEST_CASE("shingle.word_tokens.equal_simple_scanner.random") {
  std::mt19937_64 rng(12);
  const char alphabet[] = {' ', ' ', '\t', '\n', '\r', '\v', '\f', 'a', 'b', 'z', '\x08', '\x0e', '\x1f', '\x80',
                           '\xC3', '\xA9', '!', '0'};
  std::vector<std::string_view> got;
  for (int t = 0; t < 3000; ++t) {
    std::string s(rng() % 300, ' ');
    for (auto& c : s) c = alphabet[rng() % sizeof(alphabet)];
    tx::word_tokens(s, got);
    REQUIRE(got == simple_words(s));
    // n-gram hashes agree with the definition on the simple scanner's words
    std::vector<std::uint64_t> h;
    const std::size_t n = 1 + rng() % 6;
    tx::word_shingle_hashes(s, n, h);
    const auto w = simple_words(s);
    std::vector<std::uint64_t> ref;
    std::vector<std::uint64_t> wh;
    for (auto x : w) wh.push_back(tx::shingle_hash(x));
    if (!w.empty()) {
      if (w.size() < n) ref.push_back(tx::word_ngram_hash(wh));
      else
        for (std::size_t k = 0; k + n <= w.size(); ++k)
          ref.push_back(tx::word_ngram_hash(std::span<const std::uint64_t>(wh).subspan(k, n)));
    }
    REQUIRE(h == ref);
  }
}

TEST_CASE("shingle.word_tokens.equal_simple_scanner.long_words_block_edges") {
  // Words longer than a 64-byte block, and texts whose length is a multiple of 64 (no padded tail).
  std::mt19937_64 rng(21);
  std::vector<std::string_view> got;
  for (int t = 0; t < 2000; ++t) {
    const std::size_t len = t % 4 == 0 ? 64 * (1 + rng() % 4) : rng() % 400;
    std::string s(len, 'x');
    for (auto& c : s)
      if (rng() % 70 == 0) c = rng() % 2 ? ' ' : '\n';
    if (t % 3 == 0 && !s.empty()) s.back() = 'y';  // a word running to the very end
    tx::word_tokens(s, got);
    REQUIRE_MESSAGE(got == simple_words(s), "len=" << len);
  }
}

TEST_CASE("shingle.word.ngrams") {
  std::vector<std::uint64_t> h;
  tx::word_shingle_hashes("a b c d", 2, h);
  REQUIRE(h.size() == 3);
  CHECK(h[0] == ngram({"a", "b"}));
  CHECK(h[1] == ngram({"b", "c"}));
  CHECK(h[2] == ngram({"c", "d"}));
  CHECK(h[0] != h[1]);
  CHECK(ngram({"a", "b"}) != ngram({"b", "a"}));  // order matters
  std::vector<std::uint64_t> h2;
  tx::word_shingle_hashes("  a \t b   c\nd ", 2, h2);  // irregular spacing: same shingles
  CHECK(h2 == h);
  tx::word_shingle_hashes("a b c d", 4, h);
  REQUIRE(h.size() == 1);
  CHECK(h[0] == ngram({"a", "b", "c", "d"}));
}

TEST_CASE("shingle.word.short_and_empty") {
  std::vector<std::uint64_t> h;
  tx::word_shingle_hashes("a  b", 5, h);
  REQUIRE(h.size() == 1);
  CHECK(h[0] == ngram({"a", "b"}));
  tx::word_shingle_hashes("", 5, h);
  CHECK(h.empty());
  tx::word_shingle_hashes(" \n ", 5, h);
  CHECK(h.empty());
}

TEST_CASE("shingle.char.utf8_code_points") {
  std::vector<std::uint64_t> h;
  tx::char_shingle_hashes("h\xC3\xA9llo", 2, h);  // "héllo": 5 code points -> 4 windows
  REQUIRE(h.size() == 4);
  CHECK(h[0] == tx::shingle_hash("h\xC3\xA9"));
  CHECK(h[1] == tx::shingle_hash("\xC3\xA9l"));
  CHECK(h[2] == tx::shingle_hash("ll"));
  CHECK(h[3] == tx::shingle_hash("lo"));
  tx::char_shingle_hashes("ab", 24, h);
  REQUIRE(h.size() == 1);
  CHECK(h[0] == tx::shingle_hash("ab"));
  tx::char_shingle_hashes("", 24, h);
  CHECK(h.empty());
  tx::char_shingle_hashes("a b", 1, h);
  CHECK(h.size() == 3);
}

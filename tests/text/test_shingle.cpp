// Conformance of word tokens and word / character shingle hashes.
#include <doctest/doctest.h>

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

TEST_CASE("shingle.word.ngrams") {
  std::vector<std::uint64_t> h;
  tx::word_shingle_hashes("a b c d", 2, h);
  REQUIRE(h.size() == 3);
  CHECK(h[0] == tx::shingle_hash("a b"));
  CHECK(h[1] == tx::shingle_hash("b c"));
  CHECK(h[2] == tx::shingle_hash("c d"));
  std::vector<std::uint64_t> h2;
  tx::word_shingle_hashes("  a \t b   c\nd ", 2, h2);  // irregular spacing: same shingles
  CHECK(h2 == h);
  tx::word_shingle_hashes("a b c d", 4, h);
  REQUIRE(h.size() == 1);
  CHECK(h[0] == tx::shingle_hash("a b c d"));
}

TEST_CASE("shingle.word.short_and_empty") {
  std::vector<std::uint64_t> h;
  tx::word_shingle_hashes("a  b", 5, h);
  REQUIRE(h.size() == 1);
  CHECK(h[0] == tx::shingle_hash("a b"));
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

// text_view: word segmentation across scripts, lines, paragraphs and counts from the one scan.
// g++ 12 warns -Wrestrict on `"x" + std::string` chains at -O3, a false positive (GCC PR 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <millrace/filters/text_view.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace mf = millrace::filters;

namespace {
std::vector<std::string> words(std::string_view text) {
  const auto st = mf::analyze(text);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < st.words.size(); ++i) out.emplace_back(st.word(i));
  return out;
}
using V = std::vector<std::string>;
}  // namespace

TEST_CASE("text_view.words.latin_joiners") {
  CHECK(words("Don't stop, it's 3.14 or 1,000 km.") == V{"Don't", "stop", "it's", "3.14", "or", "1,000", "km"});
  CHECK(words("l’été à Zürich") == V{"l’été", "à", "Zürich"});
  CHECK(words("snake_case and e.g. U.S.A") == V{"snake_case", "and", "e.g", "U.S.A"});
  // A comma between words is no joiner; between digits it is.
  CHECK(words("a,b 1,2") == V{"a", "b", "1,2"});
  CHECK(words("end...start") == V{"end", "start"});
}

TEST_CASE("text_view.words.scripts") {
  CHECK(words("Привет, мир!") == V{"Привет", "мир"});                    // Cyrillic
  CHECK(words("Καλημέρα κόσμε") == V{"Καλημέρα", "κόσμε"});              // Greek
  CHECK(words("مرحبا بالعالم") == V{"مرحبا", "بالعالم"});                  // Arabic
  CHECK(words("नमस्ते दुनिया") == V{"नमस्ते", "दुनिया"});                     // Devanagari: vowel signs (M*) stay in the word
  CHECK(words("안녕하세요 세계") == V{"안녕하세요", "세계"});                // Hangul: spaces separate words
  // Han ideographs and Hiragana: one word per character; a Katakana run is one word.
  CHECK(words("我爱北京。") == V{"我", "爱", "北", "京"});
  CHECK(words("カタカナです") == V{"カタカナ", "で", "す"});
  CHECK(words("Thai: สวัสดีครับ") == V{"Thai", "สวัสดีครับ"});                // no spaces: one run (documented)
}

TEST_CASE("text_view.words.alpha_and_chars") {
  const auto st = mf::analyze("abc 123 été 北");
  REQUIRE(st.words.size() == 4);
  CHECK(st.words[0].alpha);
  CHECK_FALSE(st.words[1].alpha);
  CHECK(st.words[2].chars == 3);  // code points, not bytes
  CHECK(st.words[2].size == 5);
  CHECK(st.words[3].alpha);       // Lo
  CHECK(st.chars == 13);
}

TEST_CASE("text_view.symbols_hashes_ellipses") {
  const auto st = mf::analyze("#tag ## a... b…. c.... (x) 😀");
  CHECK(st.hashes == 3);
  // "..." once, "…" once, "...." once (non-overlapping, as str.count)
  CHECK(st.ellipses == 3);
  // '#', '##' (one run), '...', '…', '.', '....', '(', ')', emoji
  CHECK(st.symbol_tokens == 9);
  CHECK(st.tokens() == st.words.size() + 9);
}

TEST_CASE("text_view.lines") {
  const auto st = mf::analyze("  one two \r\n\nthree\n");
  REQUIRE(st.lines.size() == 4);  // str.split("\n"): the empty text after the last '\n' too
  CHECK(st.line(0) == "  one two \r");
  CHECK(st.stripped_line(0) == "one two");
  CHECK(st.lines[0].ws_tokens == 2);
  CHECK(st.lines[0].n_words == 2);
  CHECK(st.lines[1].blank());
  CHECK(st.line(2) == "three");
  CHECK(st.lines[2].first_word == 2);
  CHECK(st.lines[3].size == 0);
  CHECK(st.newlines == 3);
  CHECK(st.lines[0].chars == 11);
}

// Python's str.isspace() holds U+001C..U+001F (not White_Space): str.strip() and str.split()
// remove them ("a\x1fb".split() == ["a", "b"], "\x1f ".strip() == "").
TEST_CASE("text_view.lines.python_whitespace") {
  const auto st = mf::analyze("a\x1f" "b\n\x1f \n\x1c" "c\x1d");
  REQUIRE(st.lines.size() == 3);
  CHECK(st.lines[0].ws_tokens == 2);
  CHECK(st.lines[0].n_words == 2);
  CHECK(st.lines[1].blank());
  CHECK(st.stripped_line(2) == "c");
  CHECK(st.ws_tokens.size() == 3);
  CHECK(words("a\x1f" "b") == V{"a", "b"});
}

TEST_CASE("text_view.paragraphs") {
  // re.split(r"\n{2,}", text.strip())
  const auto st = mf::analyze("\n  first para\nstill first \n\n\nsecond\n \nsame second\n\n");
  REQUIRE(st.paragraphs.size() == 2);
  CHECK(st.paragraph(0) == "first para\nstill first ");
  CHECK(st.paragraph(1) == "second\n \nsame second");
  CHECK(st.paragraphs[1].chars == 20);
  CHECK(mf::analyze("").paragraphs.size() == 1);
  CHECK(mf::analyze(" \n \n").paragraphs.size() == 1);
  CHECK(mf::analyze("a\n\nb\n\nc").paragraphs.size() == 3);
}

TEST_CASE("text_view.malformed_utf8") {
  const std::string bad = std::string("ok \xff\xfe and \xe2\x82", 10);
  const auto st = mf::analyze(bad);
  CHECK(words(bad) == V{"ok", "and"});
  CHECK(st.chars == 10);  // each malformed byte counts as one U+FFFD
}

// Unicode clean-up: ill-formed UTF-8 (maximal subparts) and surrogates replaced or dropped, CESU-8
// pairs joined, controls and invisible characters removed (joiners and bidi marks on request),
// NFC; through mr::run, serial and 2 threads.
// g++ 12 warns -Wrestrict on `"x" + std::string` chains at -O3, a false positive (GCC PR 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <millrace/core.hpp>
#include <millrace/filters/unicode_cleanup.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace mr = millrace;
namespace mf = millrace::filters;

namespace {
const std::string R = "\xEF\xBF\xBD";  // U+FFFD
std::string clean(std::string_view s, const mf::unicode_cleanup_options& o = {}) { return mf::unicode_cleanup(s, o); }
}  // namespace

TEST_CASE("unicode_cleanup.invalid_utf8") {
  CHECK(clean("plain ascii\ttext\r\n") == "plain ascii\ttext\r\n");
  CHECK(clean("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");  // valid, kept
  CHECK(clean("a\xFF" "b") == "a" + R + "b");
  CHECK(clean("a\xC3") == "a" + R);                 // truncated at the end
  CHECK(clean("\xE2\x82" "x") == R + "x");         // one replacement for the maximal subpart
  CHECK(clean("\xF0\x9F\x98") == R);
  CHECK(clean("\xC0\xAF") == R + R);               // overlong: C0 is never valid, AF alone
  CHECK(clean("\xE0\x80\x80") == R + R + R);       // overlong 3-byte
  CHECK(clean("\xF4\x90\x80\x80") == R + R + R + R);  // above U+10FFFF
  CHECK(clean("\x80\xBF") == R + R);               // lone continuation bytes
  CHECK(clean("a\xFF" "b\xC3", {.invalid = mf::invalid_utf8::drop}) == "ab");
  CHECK(clean("a\xFF", {.replacement = "?"}) == "a?");
}

TEST_CASE("unicode_cleanup.surrogates") {
  const std::string hi = "\xED\xA0\xBD", lo = "\xED\xB8\x80";  // U+D83D, U+DE00 (CESU-8 of U+1F600)
  CHECK(clean("x" + hi + lo + "y") == "x\xF0\x9F\x98\x80y");
  CHECK(clean("x" + hi + lo, {.join_surrogate_pairs = false}) == "x" + R + R);
  CHECK(clean(hi + "y") == R + "y");                // lone high surrogate: one replacement
  CHECK(clean(lo + hi) == R + R);                   // wrong order: two lone ones
  CHECK(clean("a" + lo + "b", {.invalid = mf::invalid_utf8::drop}) == "ab");
  CHECK(clean("\xED\x9F\xBF") == "\xED\x9F\xBF");   // U+D7FF, the last code point before them
}

TEST_CASE("unicode_cleanup.controls_and_invisible") {
  CHECK(clean("a\x01\x1F\x7F" "b\tc\nd\re") == "ab\tc\nd\re");
  CHECK(clean("a\xC2\x85\xC2\x9F" "b") == "ab");    // C1 controls (U+0085, U+009F)
  CHECK(clean("a\x01" "b", {.remove_controls = false}) == "a\x01" "b");
  CHECK(clean("\xEF\xBB\xBFzero\xE2\x80\x8Bwidth soft\xC2\xADhyphen\xE2\x81\xA0") == "zerowidth softhyphen");
  CHECK(clean("tag\xF3\xA0\x80\x81") == "tag");     // U+E0001 LANGUAGE TAG
  CHECK(clean("a\xE2\x80\x8B" "b", {.remove_invisible = false}) == "a\xE2\x80\x8B" "b");
  const std::string zwj = "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9";  // man ZWJ woman
  CHECK(clean(zwj) == zwj);                          // joiners kept by default
  CHECK(clean(zwj, {.remove_joiners = true}) == "\xF0\x9F\x91\xA8\xF0\x9F\x91\xA9");
  const std::string rlm = "a\xE2\x80\x8F" "b\xE2\x80\xAE" "c";
  CHECK(clean(rlm) == rlm);
  CHECK(clean(rlm, {.remove_bidi = true}) == "abc");
  CHECK(clean("\xC2\xA0nbsp\xE3\x80\x80") == "\xC2\xA0nbsp\xE3\x80\x80");  // spaces are not invisible
}

TEST_CASE("unicode_cleanup.nfc") {
  CHECK(clean("e\xCC\x81") == "\xC3\xA9");                          // e + COMBINING ACUTE -> é
  CHECK(clean("e\xCC\x81", {.nfc = false}) == "e\xCC\x81");
  CHECK(clean("\xEF\xAC\x81") == "\xEF\xAC\x81");                   // ﬁ ligature: NFC keeps it (NFKC would not)
  CHECK(clean("\xE2\x84\xAB") == "\xC3\x85");                       // ANGSTROM SIGN -> Å (canonical)
  CHECK(clean("e\xE2\x80\x8B\xCC\x81") == "\xC3\xA9");              // the invisible goes first, then NFC composes
  CHECK(clean("\xE1\x84\x80\xE1\x85\xA1") == "\xEA\xB0\x80");       // Hangul jamo -> 가
  CHECK(clean("a\xFF" "e\xCC\x81") == "a" + R + "\xC3\xA9");
}

namespace {
struct Doc {
  std::string id, text;
};
template <class Exec>
void check_op(Exec exec) {
  std::vector<Doc> in, out;
  for (int i = 0; i < 300; ++i) in.push_back({std::to_string(i), "n" + std::to_string(i) + (i % 3 ? "e\xCC\x81\xFF" : "\xEF\xBB\xBFok")});
  mr::run(mr::from_range(in) | mf::unicode_cleanup_op<Doc>() | mr::collect(out), exec);
  REQUIRE(out.size() == in.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    CHECK(out[i].id == in[i].id);
    CHECK(out[i].text == "n" + in[i].id + (std::stoi(in[i].id) % 3 ? "\xC3\xA9" + R : std::string("ok")));
  }
  std::vector<std::string> s{"a\x01\xFF"}, sout;
  mr::run(mr::from_range(s) | mf::unicode_cleanup_op<std::string>({.invalid = mf::invalid_utf8::drop}, "clean") | mr::collect(sout), exec);
  CHECK(sout == std::vector<std::string>{"a"});
}
}  // namespace

TEST_CASE("unicode_cleanup.op.serial") { check_op(mr::serial_executor{.batch_size = 16}); }
TEST_CASE("unicode_cleanup.op.2T") { check_op(mr::cpu{.threads = 2, .batch_size = 16}); }

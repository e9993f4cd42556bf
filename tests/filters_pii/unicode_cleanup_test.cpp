// Unicode clean-up: ill-formed UTF-8 (maximal subparts) and surrogates replaced or dropped, CESU-8
// pairs joined, controls and invisible characters removed (joiners and bidi marks on request),
// NFC; through mr::run, serial and 2 threads.
// g++ 12 warns -Wrestrict on `"x" + std::string` chains at -O3, a false positive (GCC PR 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <millrace/core.hpp>
#include <millrace/filters/unicode_cleanup.hpp>
#include <millrace/synth/corpus.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <utf8proc.h>

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
// The reference: the clean-up one code point at a time (no fast path), then utf8proc on the
// whole text, as unicode_cleanup did before it normalized by windows.
std::string reference(std::string_view s, const mf::unicode_cleanup_options& o) {
  namespace d = mf::detail;
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = 1, len2 = 0;
    char32_t c = 0, c2 = 0;
    const auto unit = d::next_unit(s, i, len, c);
    if (unit == d::utf8_unit::surrogate && o.join_surrogate_pairs && c <= 0xdbff &&
        d::next_unit(s, i + 3, len2, c2) == d::utf8_unit::surrogate && c2 >= 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (c2 - 0xdc00), len = 6;
    } else if (unit != d::utf8_unit::ok) {
      if (o.invalid == mf::invalid_utf8::replace) out += o.replacement;
      i += len;
      continue;
    }
    const bool removed = (o.remove_controls && d::is_control(c)) || (o.remove_invisible && d::is_invisible(c)) ||
                         (o.remove_joiners && (c == 0x200c || c == 0x200d)) || (o.remove_bidi && d::is_bidi(c));
    if (!removed) d::append_utf8(out, c);
    i += len;
  }
  if (!o.nfc) return out;
  utf8proc_uint8_t* buf = nullptr;
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(out.data()), utf8proc_ssize_t(out.size()), &buf,
                              static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
  REQUIRE(n >= 0);
  std::string nfc(reinterpret_cast<const char*>(buf), std::size_t(n));
  std::free(buf);
  return nfc;
}
std::string hex(std::string_view s) {
  std::string h;
  for (unsigned char c : s) h += "0123456789abcdef"[c >> 4], h += "0123456789abcdef"[c & 15], h += ' ';
  return h;
}
void same_as_reference(const std::string& s, const mf::unicode_cleanup_options& o) {
  const std::string want = reference(s, o), got = mf::unicode_cleanup(s, o);
  std::string in_place = s;
  const bool changed = mf::unicode_cleanup_in_place(in_place, o);
  if (got != want || in_place != want || changed != (want != s)) {
    INFO("input: ", hex(s));
    INFO("want:  ", hex(want));
    CHECK(hex(got) == hex(want));
    CHECK(hex(in_place) == hex(want));
    CHECK(changed == (want != s));
  }
}
}  // namespace

// NFC by windows (only around code points NFC can change) gives utf8proc's bytes on the whole
// text: random texts of ASCII runs, combining marks after ASCII letters and precomposed letters,
// Hangul jamo and syllables (U+11A7 too, which utf8proc composes), Indic and Tamil two-part
// vowels, singletons, non-starter decompositions, supplementary compositions, controls,
// invisibles, bidi marks, broken UTF-8 and surrogates, under every option.
TEST_CASE("unicode_cleanup.nfc_windows_match_utf8proc") {
  const std::vector<std::string> pool = {
      "a", "e", "E", "o", " ", "\n", "\t", "\r", "The quick brown fox, 12 jumps.\n",
      "\xCC\x81", "\xCC\x88", "\xCC\xA7", "\xCC\xA3", "\xCC\x83", "\xCD\x85", "\xCD\x82", "\xC3\xA9", "\xC3\xBC", "\xCE\xB1",
      "\xE1\x84\x80", "\xE1\x85\xA1", "\xE1\x86\xA8", "\xE1\x86\xA7", "\xEA\xB0\x80", "\xEA\xB0\x81",  // Hangul
      "\xE0\xAF\x86", "\xE0\xAE\xBE", "\xE0\xAF\x97", "\xE0\xA4\xA8", "\xE0\xA4\xBC", "\xE0\xB3\x86", "\xE0\xB3\x95",
      "\xE0\xB7\x99", "\xE0\xB7\x8F", "\xE1\xAC\x85", "\xE1\xAC\xB5",                                 // two-part vowels
      "\xE4\xB8\xAD", "\xEF\xA4\x80", "\xE2\x84\xAB", "\xCD\x84", "\xE0\xBD\xB3", "\xE0\xBD\xB1", "\xE0\xBD\xB2",
      "\xF0\x9F\x98\x80", "\xF0\x91\x82\x99", "\xF0\x91\x82\xBA", "\xF0\x9D\x85\x97", "\xF0\x9D\x85\xA5",
      "\xEF\xAC\x81", "\xD0\xB8\xCC\x86", "\x01", "\x7f", "\xC2\x85", "\xE2\x80\x8B", "\xE2\x80\x8C", "\xE2\x80\x8D",
      "\xE2\x80\x8F", "\xE2\x80\xAE", "\xC2\xAD", "\xEF\xBB\xBF", "\xFF", "\xC3", "\xE2\x82", "\xED\xA0\xBD",
      "\xED\xB8\x80", "\xED\xA0\x80\xED\xB0\x80", "\xC0\xAF", "\xF4\x90\x80\x80"};
  std::mt19937_64 rng(20261203);
  std::vector<mf::unicode_cleanup_options> opts(7);
  opts[1].invalid = mf::invalid_utf8::drop;
  opts[2].remove_joiners = opts[2].remove_bidi = true;
  opts[3].remove_controls = opts[3].remove_invisible = false;
  opts[4].nfc = false;
  opts[5].replacement = "?";
  opts[6].replacement = "", opts[6].join_surrogate_pairs = false;
  for (int it = 0; it < 30000; ++it) {
    std::string s;
    for (int k = int(rng() % 40); k-- > 0;) {
      if (rng() % 8 == 0) s += std::string(rng() % 90, char('a' + rng() % 26));  // long ASCII runs: the 64-byte path
      else s += pool[rng() % pool.size()];
    }
    same_as_reference(s, opts[std::size_t(it) % opts.size()]);
  }
  // The synthetic corpus (6% non-ASCII words, Unicode noise) and the cases above, whole.
  for (auto& d : mr::synth::generate_corpus({.docs = 300, .seed = 3})) same_as_reference(d.text, {});
  same_as_reference(std::string(200, 'x') + "e\xCC\x81" + std::string(100, 'y'), {});  // a mark right after a 64-byte block
  same_as_reference(std::string(64, 'x') + "\xCC\x81", {});
  same_as_reference("\xCC\x81\xCC\x81 leading marks", {});
}

// No code point that the windows take as inert changes, alone or after a starter it could follow.
TEST_CASE("unicode_cleanup.nfc_inert_code_points") {
  std::size_t inert = 0;
  for (char32_t c = 0; c < 0x110000; c += (c < 0x30000 ? 1 : 0x1000)) {
    if ((c >= 0xd800 && c <= 0xdfff) || !mf::detail::nfc_inert(c)) continue;
    ++inert;
    std::string one;
    mf::detail::append_utf8(one, c);
    for (std::string pre : {"", "a", "\xEA\xB0\x80", "\xE1\x84\x80", "\xE0\xAF\x86", "\xF0\x91\x82\x99"}) {
      std::string t = pre + one, p = pre;
      mf::detail::nfc_tail(t, 0);
      mf::detail::nfc_tail(p, 0);
      if (t != p + one) CHECK_MESSAGE(false, "U+", unsigned(c), " after ", hex(pre));
    }
  }
  CHECK(inert > 150000);  // of the ~196 K code points sampled
  CHECK(!mf::detail::nfc_inert(0x301));   // combining acute
  CHECK(!mf::detail::nfc_inert(0x1161));  // Hangul V
  CHECK(!mf::detail::nfc_inert(0x11a7));  // utf8proc's T index 0
  CHECK(!mf::detail::nfc_inert(0xbbe));   // Tamil AA: the second part of U+0BCA
  CHECK(mf::detail::nfc_inert(0xe9));     // é (below U+0300)
  CHECK(mf::detail::nfc_inert(0x4e2d));   // 中
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

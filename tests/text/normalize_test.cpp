// Conformance of millrace::text::normalize: Unicode cases, options, and the ASCII fast path.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include <millrace/text/normalize.hpp>

namespace tx = millrace::text;

TEST_CASE("normalize.ascii.defaults") {
  CHECK(tx::normalize("Hello,  World! 123\tfoo") == "hello world 000 foo");
  CHECK(tx::normalize("  leading and trailing  ") == "leading and trailing");
  CHECK(tx::normalize("a-b_c.d") == "a b c d");
  CHECK(tx::normalize("") == "");
  CHECK(tx::normalize(" \t\n ") == "");
  CHECK(tx::normalize("x\x01y") == "xy");  // control characters vanish
}

TEST_CASE("normalize.unicode.accents_and_case") {
  CHECK(tx::normalize("Ça coûte") == "ca coute");
  CHECK(tx::normalize("naïve CAFÉ") == "naive cafe");
  CHECK(tx::normalize("Straße") == "strasse");                     // full case folding
  CHECK(tx::normalize("\xEF\xAC\x81ne") == "fine");                // U+FB01 ligature (NFKC)
  CHECK(tx::normalize("ＡＢＣ１２") == "abc00");                    // fullwidth forms
  CHECK(tx::normalize("ΑΒΓ Привет") == "αβγ привет");
  CHECK(tx::normalize("Ångström") == "angstrom");
  CHECK(tx::normalize("e\xCC\x81") == "e");                        // decomposed accent
}

TEST_CASE("normalize.unicode.punctuation_space_digits") {
  CHECK(tx::normalize("«Bonjour» — dit-il…") == "bonjour dit il");
  CHECK(tx::normalize("a\xC2\xA0" "b") == "a b");                  // NBSP
  CHECK(tx::normalize("a\xE2\x80\x83\xE2\x80\x83" "b") == "a b");  // em spaces collapse
  CHECK(tx::normalize("a\xE2\x80\x8B" "b") == "ab");               // ZWSP (Cf) removed
  CHECK(tx::normalize("price: 12€ ©2024") == "price 00 0000");
  CHECK(tx::normalize("\xD9\xA3\xD9\xA4") == "00");                // Arabic-Indic digits (Nd)
  CHECK(tx::normalize("a\xE3\x80\x80" "b") == "a b");              // ideographic space
}

TEST_CASE("normalize.invalid_utf8.replaced") {
  // U+FFFD is a symbol: with punctuation normalization it becomes a space.
  CHECK(tx::normalize("a\xFF" "b") == "a b");
  tx::normalize_options keep;
  keep.normalize_punctuation = false;
  CHECK(tx::normalize("a\xFF" "b\xC3", keep) == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
}

TEST_CASE("normalize.options.each_flag") {
  tx::normalize_options none{false, false, false, false, false};
  CHECK(tx::normalize("Hi,  World 12", none) == "Hi,  World 12");
  CHECK(tx::normalize("Café  №5", none) == "Café  No5");  // NFKC still applies
  tx::normalize_options o;
  o.collapse_whitespace = false;
  CHECK(tx::normalize(" a,b  c ", o) == " a b  c ");
  o = {};
  o.lowercase = false;
  CHECK(tx::normalize("ÉCOLE", o) == "ECOLE");
  o = {};
  o.strip_accents = false;
  CHECK(tx::normalize("École", o) == "école");
  o = {};
  o.normalize_digits = false;
  CHECK(tx::normalize("a1 ２", o) == "a1 2");
  o = {};
  o.normalize_punctuation = false;
  CHECK(tx::normalize("A, b!", o) == "a, b!");
}

TEST_CASE("normalize.idempotent") {
  for (const char* s : {"Hello,  World! 123", "Ça coûte 12,50 €!", "«Bonjour» — dit-il…", "ＡＢＣ１２ ﬁne",
                        "Straße ΑΒΓ", "a\xFF" "b"}) {
    const std::string once = tx::normalize(s);
    CHECK(tx::normalize(once) == once);
  }
}

TEST_CASE("normalize.ascii_fast_path.equals_unicode_path.all_options") {
  std::mt19937_64 rng(42);
  for (int flags = 0; flags < 32; ++flags) {
    tx::normalize_options o{(flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, (flags & 8) != 0,
                            (flags & 16) != 0};
    for (int t = 0; t < 200; ++t) {
      std::string s(rng() % 40, ' ');
      for (auto& c : s) c = static_cast<char>(rng() % 128);
      std::string fast, slow;
      tx::detail::normalize_ascii(s, o, fast);
      tx::detail::normalize_unicode(s, o, slow);
      REQUIRE_MESSAGE(fast == slow, "flags=" << flags);
    }
    // every ASCII byte on its own, between letters
    for (int c = 0; c < 128; ++c) {
      std::string s = "aB";
      s.insert(1, 1, static_cast<char>(c));
      std::string fast, slow;
      tx::detail::normalize_ascii(s, o, fast);
      tx::detail::normalize_unicode(s, o, slow);
      REQUIRE_MESSAGE(fast == slow, "flags=" << flags << " byte=" << c);
    }
  }
}

TEST_CASE("normalize.ascii_fast_path.chunks_equal_byte_loop.all_options") {
  // The 16-byte SSSE3 chunks against the byte loop, on text dense in what they treat specially:
  // runs of spaces and punctuation across chunk edges, controls (which send a chunk to the byte
  // loop), uppercase and digits, at every length up to 100 and at every offset of the output.
  const std::string alphabet = "aZ0 ,.\t\n\x01\x7f  ..Q9-";
  std::mt19937_64 rng(77);
  for (int flags = 0; flags < 32; ++flags) {
    tx::normalize_options o{(flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, (flags & 8) != 0,
                            (flags & 16) != 0};
    for (int t = 0; t < 400; ++t) {
      std::string s(static_cast<std::size_t>(t % 101), ' ');
      const bool with_controls = t % 3 == 0;
      for (auto& c : s) {
        c = alphabet[rng() % alphabet.size()];
        if (!with_controls && (c == '\x01' || c == '\x7f')) c = 'b';
        if (rng() % 8 == 0) c = static_cast<char>(rng() % 128);
      }
      for (const char* prefix : {"", "x", "y "}) {  // the state carried in from earlier output
        std::string chunks = prefix, bytes = prefix;
        tx::detail::emitter ec{chunks, o}, eb{bytes, o};
        tx::detail::normalize_ascii(s, ec, true);
        tx::detail::normalize_ascii(s, eb, false);
        REQUIRE_MESSAGE(chunks == bytes, "flags=" << flags << " prefix='" << prefix << "' input=" << s);
      }
    }
  }
}

TEST_CASE("normalize.mixed_segments.equal_whole_text_unicode_path.all_options") {
  // normalize() runs ASCII stretches on the fast path and the rest through utf8proc; the result
  // must equal utf8proc on the whole text, whatever sits at the seams.
  const char* pieces[] = {"e", "E", " ", "  ", ",", "1", "\xCC\x81", "\xCC\x88", "\xC3\xA9", "\xC3\x89", "\xC2\xA0",
                          "\xEF\xBC\xA1", "\xEF\xAC\x81", "\xE2\x80\x94", "\xE2\x80\x8B", "\xFF", "\xC3",
                          "\xE1\x84\x80", "\xE1\x85\xA1", "\xEA\xB0\x80", "\xC3\x9F", "\xCE\xA3", "ab", "\t", "\xD9\xA3"};
  std::mt19937_64 rng(3);
  for (int flags = 0; flags < 32; ++flags) {
    tx::normalize_options o{(flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, (flags & 8) != 0,
                            (flags & 16) != 0};
    for (int t = 0; t < 300; ++t) {
      std::string s;
      const std::size_t n = rng() % 12;
      for (std::size_t k = 0; k < n; ++k) s += pieces[rng() % std::size(pieces)];
      std::string whole;
      tx::detail::normalize_unicode(s, o, whole);
      REQUIRE_MESSAGE(tx::normalize(s, o) == whole, "flags=" << flags << " input=" << s);
    }
  }
}

namespace {
// Texts whose non-ASCII segments repeat (hits) or run long (past the memo's key limit).
struct normalize_check_inputs {
  std::vector<std::string> texts{
      "Ça coûte 12,50 €! Ça coûte encore.", "naïve café, NAÏVE CAFÉ; naïve\u00a0café",
      "Straße straße STRASSE", "«Bonjour» — dit-il… «Bonjour»",
      "日本語のテキストは空白なしで長く続きます日本語のテキストは空白なしで長く続きます",
      "ＡＢＣ１２ ﬁne ＡＢＣ１２", "e\xCC\x81 e\xCC\x81 E\xCC\x81", "a\xFF" "b a\xFF" "b"};
};
}  // namespace

TEST_CASE("normalize.segment_memo.repeats_option_changes_and_overflow") {
  // normalize() memoizes each thread's non-ASCII segments: hits, a change of options between calls,
  // a memo that overflows and starts afresh, and segments too long to keep must all give what
  // utf8proc gives on the whole text.
  const normalize_check_inputs inputs;
  const tx::normalize_options defaults{}, keep_case{false, true, true, true, true}, keep_spaces{true, true, false, true, false};
  for (int round = 0; round < 3; ++round) {
    for (const auto* o : {&defaults, &keep_case, &keep_spaces, &defaults}) {
      for (const std::string& s : inputs.texts) {
        std::string whole;
        tx::detail::normalize_unicode(s, *o, whole);
        REQUIRE_MESSAGE(tx::normalize(s, *o) == whole, "round=" << round << " input=" << s);
      }
    }
  }
  // more distinct segments than the memo holds, twice over
  const std::size_t n = 2 * tx::detail::unicode_segment_memo::max_entries + 100;
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i = 0; i < n; ++i) {
      // a base letter, a combining acute, and a code point from U+0100..U+17FF that varies with i
      const char32_t cp = 0x100 + static_cast<char32_t>(i % 0x1700);
      std::string s = "x";
      s += static_cast<char>('a' + i % 26);
      s += "\xCC\x81";
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
      s += std::to_string(i / 0x1700);  // digits keep the strings distinct past 0x1700
      std::string whole;
      tx::detail::normalize_unicode(s, defaults, whole);
      REQUIRE_MESSAGE(tx::normalize(s) == whole, "pass=" << pass << " i=" << i);
    }
  }
}

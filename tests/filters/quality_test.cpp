// Each quality filter on hand-made documents at and just around each threshold, plus the
// repetition statistics against a plain string-based reference written from datatrove's Python.
// g++ 12 warns -Wrestrict on `"x" + std::string` chains at -O3, a false positive (GCC PR 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <millrace/filters/c4.hpp>
#include <millrace/filters/fineweb.hpp>
#include <millrace/filters/gopher.hpp>

#include <doctest/doctest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace mf = millrace::filters;

namespace {

// The i-th distinct lower-case word of `len` letters ('w' then base-26 digits).
std::string word(std::size_t i, std::size_t len = 5) {
  std::string w(len, 'a');
  w[0] = 'w';
  for (std::size_t k = len - 1; k > 0 && i; --k, i /= 26) w[k] = char('a' + i % 26);
  return w;
}
// "the and" plus n-2 distinct words: passes every Gopher quality test at the defaults (n >= 50).
std::string gopher_doc(std::size_t n, std::size_t len = 5) {
  std::string s = "the and";
  for (std::size_t i = 2; i < n; ++i) s += " " + word(i, len);
  return s;
}
std::string_view gq(const std::string& text, mf::gopher_quality_params p = {}) {
  static thread_local std::string keep;
  keep = text;
  return mf::gopher_quality{.params = std::move(p)}.check(mf::analyze(keep));
}

}  // namespace

TEST_CASE("gopher_quality.defaults_pass") { CHECK(gq(gopher_doc(50)) == ""); }

TEST_CASE("gopher_quality.word_count") {
  CHECK(gq(gopher_doc(50)) == "");
  CHECK(gq(gopher_doc(49)) == "gopher_short_doc");
  CHECK(gq(gopher_doc(100)) == "");
  CHECK(gq(gopher_doc(100), {.max_doc_words = 100}) == "");
  CHECK(gq(gopher_doc(101), {.max_doc_words = 100}) == "gopher_long_doc");
  CHECK(gq(gopher_doc(10), {.min_doc_words = std::nullopt}) == "");  // switched off
}

TEST_CASE("gopher_quality.mean_word_length") {
  CHECK(gq(gopher_doc(50, 3)) == "");  // every word 3 letters: mean 3.0 is not below 3
  std::string shorter = gopher_doc(50, 3);
  shorter.pop_back();  // one word of 2 letters: mean 2.98
  CHECK(gq(shorter) == "gopher_below_avg_threshold");
  mf::gopher_quality_params no_stop{.min_stop_words = std::nullopt};
  std::string ten;  // 50 words of 10 letters: mean 10.0 passes, one more letter fails
  for (std::size_t i = 0; i < 50; ++i) ten += (i ? " " : "") + word(i, 10);
  CHECK(gq(ten, no_stop) == "");
  CHECK(gq(ten + "x", no_stop) == "gopher_above_avg_threshold");
}

TEST_CASE("gopher_quality.hash_and_ellipsis_ratio") {
  // 45 words + 5 '#' tokens = 50 tokens: 0.1 passes; a 6th '#' (51 tokens): 0.118 fails.
  const std::string base = gopher_doc(50);
  std::string five = gopher_doc(45) + " # # # # #";
  mf::gopher_quality_params p{.min_doc_words = 45, .max_ellipsis_lines_ratio = std::nullopt};
  CHECK(gq(five, p) == "");
  CHECK(gq(five + " #", p) == "gopher_too_many_hashes");
  std::string dots = gopher_doc(45) + " ... ... … ... …";
  CHECK(gq(dots, p) == "");
  CHECK(gq(dots + " …", p) == "gopher_too_many_ellipsis");
  CHECK(gq(base) == "");
}

TEST_CASE("gopher_quality.bullet_and_ellipsis_lines") {
  auto lines = [](std::size_t n, std::size_t bullets, std::size_t dots) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
      s += i < bullets ? (i % 2 ? "  • " : "- ") : "";
      s += "the and " + word(5 * i) + " " + word(5 * i + 1) + " " + word(5 * i + 2);
      s += i < dots ? (i % 2 ? "..." : "…  ") : ".";
      s += "\n";  // a final '\n' makes no extra line (splitlines)
    }
    return s;
  };
  // Bullets and full stops are tokens: 5 letters-words of 7 tokens fail the alpha test; off here.
  const mf::gopher_quality_params p{.min_alpha_words_ratio = std::nullopt};
  CHECK(gq(lines(20, 18, 0), p) == "");  // 0.9
  CHECK(gq(lines(20, 19, 0), p) == "gopher_too_many_bullets");
  CHECK(gq(lines(20, 0, 6), p) == "");   // 0.3
  CHECK(gq(lines(20, 0, 7), p) == "gopher_too_many_end_ellipsis");
  CHECK(gq(lines(20, 18, 0)) == "gopher_below_alpha_threshold");  // 5 of 7 tokens: 0.71
}

TEST_CASE("gopher_quality.alpha_ratio") {
  auto doc = [](std::size_t alpha, std::size_t numbers) {
    std::string s = "the and";
    for (std::size_t i = 2; i < alpha; ++i) s += " " + word(i);
    for (std::size_t i = 0; i < numbers; ++i) s += " " + std::to_string(10000 + i);
    return s;
  };
  CHECK(gq(doc(40, 10)) == "");  // 40 / 50 = 0.8
  CHECK(gq(doc(39, 11)) == "gopher_below_alpha_threshold");
  // Symbol tokens count in the denominator (datatrove's words include punctuation tokens).
  CHECK(gq(doc(41, 9) + " %") == "");  // 41 / 51
  CHECK(gq(doc(41, 9) + " % &") == "gopher_below_alpha_threshold");  // 41 / 52
}

TEST_CASE("gopher_quality.stop_words") {
  std::string one = "the the";
  for (std::size_t i = 2; i < 60; ++i) one += " " + word(i);
  CHECK(gq(one) == "gopher_enough_stop_words");
  CHECK(gq("The " + one.substr(4)) == "gopher_enough_stop_words");  // case-sensitive, as datatrove
  CHECK(gq("of " + one) == "");
  CHECK(gq(one, {.stop_words = {"the", word(3)}}) == "");
}

TEST_CASE("gopher_quality.annotate_measures_everything") {
  const std::string text = gopher_doc(10) + " # # #";
  const auto st = mf::analyze(text);
  mf::filter_result r;
  const mf::gopher_quality f{};
  CHECK(f.check(st, &r) == "gopher_short_doc");
  CHECK(r.failed("gopher_quality") == "gopher_short_doc");
  CHECK(r.score("gopher_quality.words") == 10);
  CHECK(r.score("gopher_quality.hash_ratio") == doctest::Approx(3.0 / 13));
  CHECK(r.score("gopher_quality.stop_words") == 2);
}

// ---------------------------------------------------------------------------------------------
namespace {

std::string_view rep(const std::string& text, mf::gopher_repetition_params p) {
  static thread_local std::string keep;
  keep = text;
  return mf::gopher_repetition{.params = std::move(p)}.check(mf::analyze(keep));
}
mf::gopher_repetition_params only(auto setter) {
  mf::gopher_repetition_params p{.dup_line_frac = std::nullopt, .dup_para_frac = std::nullopt, .dup_line_char_frac = std::nullopt,
                                 .dup_para_char_frac = std::nullopt, .top_n_grams = {}, .dup_n_grams = {}};
  setter(p);
  return p;
}

}  // namespace

TEST_CASE("gopher_repetition.paragraphs") {
  // 10 paragraphs, 3 of them repeats: 0.3 passes; 4 repeats fail.
  auto doc = [](std::size_t dups) {
    std::string s;
    for (std::size_t i = 0; i < 10; ++i) s += (i ? "\n\n" : "") + (i < dups ? word(999) : word(i));
    return s;
  };
  auto p = only([](auto& q) { q.dup_para_frac = 0.3; });
  CHECK(rep(doc(4), p) == "");  // word(999) x4: 3 duplicates
  CHECK(rep(doc(5), p) == "dup_para_frac");
  // Characters: paragraphs "aaaaa" x2 in a text of 5+2+5+2+10 = 24 chars: 5/24 = 0.208.
  auto pc = only([](auto& q) { q.dup_para_char_frac = 5.0 / 24; });
  CHECK(rep("aaaaa\n\naaaaa\n\nbbbbbbbbbb", pc) == "");
  CHECK(rep("aaaaa\n\naaaaa\n\nbbbbbbbbb", pc) == "dup_para_char_frac");  // 5/23
}

TEST_CASE("gopher_repetition.lines") {
  // re.split("\n+"): "a\n\n\na" has 2 lines, 1 duplicate.
  auto p = only([](auto& q) { q.dup_line_frac = 0.5; });
  CHECK(rep("x\n\n\nx", p) == "");
  CHECK(rep("x\n\n\nx\nx", p) == "dup_line_frac");  // 2 of 3
  // A leading and a trailing '\n' each give an empty line, and the second one is a duplicate.
  CHECK(rep("\nx\ny\n", only([](auto& q) { q.dup_line_frac = 0.24; })) == "dup_line_frac");  // 1 / 4
  CHECK(rep("\nx\ny\n", only([](auto& q) { q.dup_line_frac = 0.25; })) == "");
  auto pc = only([](auto& q) { q.dup_line_char_frac = 4.0 / 14; });
  CHECK(rep("abcd\nabcd\nefgh", pc) == "");   // 4 / 14
  CHECK(rep("abcd\nabcd\nefg", pc) == "dup_line_char_frac");  // 4 / 13
}

TEST_CASE("gopher_repetition.top_n_grams") {
  // "a b a b c": top 2-gram "a b" x2 = 6 chars of 9.
  CHECK(rep("a b a b c", only([](auto& q) { q.top_n_grams = {{2, 6.0 / 9}}; })) == "");
  CHECK(rep("a b a b c", only([](auto& q) { q.top_n_grams = {{2, 6.0 / 9 - 1e-9}}; })) == "top_2_gram");
  // Ties: the first n-gram seen wins ("long words" 10 chars, count 1, before "b c").
  CHECK(rep("long words b c", only([](auto& q) { q.top_n_grams = {{2, 10.0 / 14}}; })) == "");
  CHECK(rep("long words b c", only([](auto& q) { q.top_n_grams = {{2, 10.0 / 14 - 1e-9}}; })) == "top_2_gram");
  CHECK(rep("b c long words", only([](auto& q) { q.top_n_grams = {{2, 3.0 / 14}}; })) == "");
  // Fewer words than n: no test.
  CHECK(rep("a b", only([](auto& q) { q.top_n_grams = {{3, 0.0}}; })) == "");
}

TEST_CASE("gopher_repetition.dup_n_grams") {
  // "a b c d e a b c d e": the second 5-gram repeats: 5 chars ("".join) of 19.
  const std::string t = "a b c d e a b c d e";
  CHECK(rep(t, only([](auto& q) { q.dup_n_grams = {{5, 5.0 / 19}}; })) == "");
  CHECK(rep(t, only([](auto& q) { q.dup_n_grams = {{5, 5.0 / 19 - 1e-9}}; })) == "duplicated_5_n_grams");
  CHECK(rep(t, only([](auto& q) { q.dup_n_grams = {{6, 0.0}}; })) == "");  // no 6-gram repeats
}

TEST_CASE("gopher_repetition.defaults") {
  std::string natural;
  for (std::size_t i = 0; i < 200; ++i) natural += (i % 12 == 11 ? ".\n" : " ") + word(i);
  CHECK(rep(natural, {}) == "");
  std::string spam = natural;
  for (int i = 0; i < 12; ++i) spam += "\nBuy cheap watches now at our store today";
  CHECK(rep(spam, {}) != "");
}

namespace {

// datatrove's gopher_repetition_filter.py, transcribed with std::string and std::map, over our words.
struct reference_rep {
  std::map<int, double> top, dup;
};
std::size_t u8len(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}
reference_rep reference(const std::string& text) {
  const auto st = mf::analyze(text);
  std::vector<std::string> w;
  for (std::size_t i = 0; i < st.words.size(); ++i) w.emplace_back(st.word(i));
  const double len = double(u8len(text));
  reference_rep r;
  for (int n = 2; n <= 4; ++n) {
    if (w.size() < std::size_t(n)) continue;
    std::map<std::string, std::pair<int, std::size_t>> c;  // count, first index
    for (std::size_t i = 0; i + n <= w.size(); ++i) {
      std::string g = w[i];
      for (int k = 1; k < n; ++k) g += " " + w[i + k];
      auto [it, fresh] = c.try_emplace(g, 0, i);
      ++it->second.first;
    }
    const std::pair<const std::string, std::pair<int, std::size_t>>* best = nullptr;
    for (auto& e : c)
      if (!best || e.second.first > best->second.first || (e.second.first == best->second.first && e.second.second < best->second.second))
        best = &e;
    r.top[n] = double(u8len(best->first) * std::size_t(best->second.first)) / len;
  }
  for (int n = 5; n <= 10; ++n) {
    std::set<std::string> seen;
    std::size_t rep_chars = 0, i = 0;
    while (w.size() >= std::size_t(n) && i < w.size() - n + 1) {
      std::string g;
      for (int k = 0; k < n; ++k) g += w[i + k];
      if (seen.count(g)) rep_chars += u8len(g), i += n;
      else seen.insert(g), ++i;
    }
    r.dup[n] = double(rep_chars) / len;
  }
  return r;
}

}  // namespace

TEST_CASE("gopher_repetition.matches_reference_on_random_text") {
  std::mt19937 rng(14);
  const std::vector<std::string> vocab = {"a", "bb", "ccc", "the", "été", "北", "word", "x", "zz", "Ωμέγα"};
  for (int doc = 0; doc < 200; ++doc) {
    std::string text;
    const int n = 5 + int(rng() % 80);
    for (int i = 0; i < n; ++i) text += (i ? (rng() % 9 == 0 ? "\n" : " ") : "") + vocab[rng() % (2 + doc % 9)];
    const auto want = reference(text);
    mf::filter_result got;
    mf::gopher_repetition{}.check(mf::analyze(text), &got);
    for (auto [n_, v] : want.top) CHECK(got.score("gopher_repetition.top_" + std::to_string(n_) + "_gram") == doctest::Approx(v));
    for (auto [n_, v] : want.dup) CHECK(got.score("gopher_repetition.duplicated_" + std::to_string(n_) + "_n_grams") == doctest::Approx(v));
  }
}

// ---------------------------------------------------------------------------------------------
namespace {

std::string sentence(std::size_t i, std::size_t words = 4) {
  std::string s = "The";
  for (std::size_t k = 0; k < words - 1; ++k) s += " " + word(i * 10 + k);
  return s + ".";
}
std::string c4(const std::string& text, std::string* kept = nullptr, mf::c4_quality_params p = {}) {
  return std::string(mf::c4_quality{.params = p}.check(mf::analyze(text), nullptr, kept));
}

}  // namespace

TEST_CASE("c4_quality.min_sentences") {
  std::string five, four;
  for (std::size_t i = 0; i < 5; ++i) five += sentence(i) + "\n";
  for (std::size_t i = 0; i < 4; ++i) four += sentence(i) + "\n";
  CHECK(c4(five) == "");
  CHECK(c4(four) == "too_few_sentences");
  CHECK(c4(four + "One more. And two!\n") == "");  // a line of two sentences
  CHECK(c4(four, nullptr, {.min_num_sentences = -1}) == "");
}

TEST_CASE("c4_quality.line_rules_and_kept_text") {
  std::string body;
  for (std::size_t i = 0; i < 5; ++i) body += sentence(i) + "\n";
  const std::string text = "Menu Home About\n" + body + "Two words.\n  Trailing dots here...\nPlease enable JavaScript now.\n" +
                           "Read our Privacy Policy today.\n" + "A fact is here.[1]\n" + "Ends with a quote \"yes.\"\n";
  std::string kept;
  CHECK(c4(text, &kept) == "");
  std::string want = body + "A fact is here.\nEnds with a quote \"yes.\"";
  CHECK(kept == want);
  // Without citation removal "here.[1]" does not end in punctuation.
  c4(text, &kept, {.remove_citations = false});
  CHECK(kept.find("A fact") == std::string::npos);
  // Three words is enough, two is not.
  c4(body + "Three words here.\n", &kept);
  CHECK(kept.ends_with("Three words here."));
  c4(body + "Three words here.\n", &kept, {.min_words_per_line = 4});
  CHECK_FALSE(kept.ends_with("Three words here."));
}

TEST_CASE("c4_quality.document_rules_only_on_candidate_lines") {
  std::string body;
  for (std::size_t i = 0; i < 5; ++i) body += sentence(i) + "\n";
  CHECK(c4(body + "Lorem ipsum dolor sit amet.\n") == "lorem_ipsum");
  CHECK(c4(body + "The code is { here }.\n") == "curly_bracket");
  // datatrove tests these only on lines that passed the punctuation and length rules.
  CHECK(c4(body + "lorem ipsum\n") == "");
  CHECK(c4(body + "function() {\n") == "");
  CHECK(c4(body + "The code is { here }.\n", nullptr, {.filter_curly_bracket = false}) == "");
}

TEST_CASE("c4_quality.max_word_length") {
  std::string body;
  for (std::size_t i = 0; i < 5; ++i) body += sentence(i) + "\n";
  std::string kept;
  c4(body + "A long " + std::string(1000, 'x') + " word.\n", &kept);
  CHECK(kept.find("A long") != std::string::npos);
  c4(body + "A long " + std::string(1001, 'x') + " word.\n", &kept);
  CHECK(kept.find("A long") == std::string::npos);
}

TEST_CASE("c4_quality.sentences_multilingual") {
  CHECK(mf::detail::count_sentences("One. Two! Three? Four.") == 4);
  CHECK(mf::detail::count_sentences("Pi is 3.14 today.") == 1);
  CHECK(mf::detail::count_sentences("他来了。她走了。") == 1);  // no space after 。: one span
  CHECK(mf::detail::count_sentences("他来了。 她走了。") == 2);
  CHECK(mf::detail::count_sentences("He said \"stop.\" Then left.") == 2);
}

// ---------------------------------------------------------------------------------------------
namespace {

std::string fw(const std::string& text, mf::fineweb_quality_params p = {}) {
  return std::string(mf::fineweb_quality{.params = p}.check(mf::analyze(text)));
}
// n lines, `punct` of them ending in '.', each more than 30 characters and distinct.
std::string fw_doc(std::size_t n, std::size_t punct) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i)
    s += "the " + word(4 * i, 6) + " " + word(4 * i + 1, 6) + " " + word(4 * i + 2, 6) + " " + word(4 * i + 3, 6) + (i < punct ? "." : "") + "\n";
  return s;
}

}  // namespace

TEST_CASE("fineweb_quality.line_punct_ratio") {
  CHECK(fw(fw_doc(25, 3)) == "");  // 0.12
  CHECK(fw(fw_doc(25, 2)) == "line_punct_ratio");
  CHECK(fw(fw_doc(25, 0), {.line_punct_exclude_zero = true}) == "");
  // Terminal punctuation of other scripts counts; a trailing space does not (endswith on the raw line).
  CHECK(fw("这是一个很长的中文句子，它的结尾有一个句号，我们这样就可以了。\n") == "");
  CHECK(fw(fw_doc(1, 0) + "the " + word(1, 6) + " " + word(2, 6) + " " + word(3, 6) + " " + word(4, 6) + ". \n") == "line_punct_ratio");
  CHECK(fw(fw_doc(1, 0) + "the " + word(1, 6) + " " + word(2, 6) + " " + word(3, 6) + " " + word(4, 6) + ".\n") == "");
  CHECK(fw("", {}) == "empty");
  CHECK(fw(" \n\t\n", {}) == "empty");
}

TEST_CASE("fineweb_quality.short_lines") {
  auto doc = [](std::size_t n, std::size_t short_n, std::size_t len) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
      std::string l = i < short_n ? word(i, len - 1) + "."
                                  : "the " + word(4 * i, 6) + " " + word(4 * i + 1, 6) + " " + word(4 * i + 2, 6) + " " + word(4 * i + 3, 6) + ".";
      s += l + "\n";
    }
    return s;
  };
  mf::fineweb_quality_params p{.new_line_ratio = 1.0};
  CHECK(fw(doc(100, 67, 30), p) == "");  // 0.67, lines of exactly 30 chars are short
  CHECK(fw(doc(100, 68, 30), p) == "short_line_ratio");
  CHECK(fw(doc(100, 68, 31), p) == "");  // 31 chars: not short
}

TEST_CASE("fineweb_quality.char_dup_ratio") {
  // 100 distinct lines of 32 chars (3200 chars without '\n'), then one repeat of 32: 32/3232 < 0.01.
  std::string s = fw_doc(100, 100);
  const std::string first = s.substr(0, s.find('\n'));
  REQUIRE(first.size() == 32);
  CHECK(fw(s + first + "\n") == "");
  CHECK(fw(s + first + "\n" + first + "\n") == "char_dup_ratio");  // 64 / 3264
  CHECK(fw(s + first + "\n", {.char_duplicates_ratio = 32.0 / 3232 - 1e-12}) == "char_dup_ratio");
}

TEST_CASE("fineweb_quality.list_ratio") {
  // 10 lines of 3 words + '.' = 4 tokens each: 10 '\n' / 40 tokens = 0.25.
  std::string s;
  for (std::size_t i = 0; i < 10; ++i) s += word(3 * i, 12) + " " + word(3 * i + 1, 12) + " " + word(3 * i + 2, 12) + ".\n";
  CHECK(fw(s) == "");
  CHECK(fw(s, {.new_line_ratio = 0.25}) == "");
  CHECK(fw(s, {.new_line_ratio = 0.24}) == "list_ratio");
}

// A GNU info node starts with a line holding U+001F: blank for datatrove (str.strip() removes it),
// so 1 of 8 lines ends in punctuation (0.125 >= 0.12; 1 of 9 would fail). datatrove 0.10.1 keeps it.
TEST_CASE("fineweb_quality.info_separator_line_is_blank") {
  std::string doc = "\x1f\nFile: x.info,  Node: Time, Up: Top";
  for (int i = 0; i < 6; ++i) doc += "\nThis line number " + std::to_string(i) + " is long enough to count";
  doc += "\nThe last line of the node ends with a period.";
  CHECK(mf::fineweb_quality{}.check(mf::analyze(doc)) == "");
}

TEST_CASE("fineweb_quality.custom_stop_chars") {
  std::string s;
  for (std::size_t i = 0; i < 4; ++i) s += "the " + word(4 * i, 6) + " " + word(4 * i + 1, 6) + " " + word(4 * i + 2, 6) + " " + word(4 * i + 3, 6) + ";\n";
  CHECK(fw(s) == "line_punct_ratio");  // ';' is no terminal punctuation by default
  CHECK(fw(s, {.stop_chars = U";"}) == "");
}

TEST_CASE("c4_quality.policy_and_javascript_phrases") {
  std::string body;
  for (std::size_t i = 0; i < 6; ++i) body += sentence(i) + "\n";
  for (const char* line : {"This site USES COOKIES for you.", "Read the terms of use first.", "Our privacy policy is here.",
                           "See our Cookie Policy page.", "We use of cookies sometimes.", "Sites use cookies a lot.",
                           "Please turn on JavaScript here."}) {
    std::string kept;
    CHECK(c4(body + line + "\n", &kept) == "");
    CHECK(kept.find(line) == std::string::npos);
  }
  std::string kept;
  c4(body + "Terms are of use here.\n", &kept);  // no phrase: kept
  CHECK(kept.ends_with("Terms are of use here."));
  CHECK(c4(body + "Lorem Ipsum is common text.\n") == "lorem_ipsum");
}

TEST_CASE("gopher_repetition.larger_n_after_no_repeat") {
  // No repeated 5-gram, but a repeated 7-gram cannot exist either; a repeated 6-gram implies a
  // repeated 5-gram, so the skip must still find 6-grams when 5-grams repeat.
  const std::string t = "a b c d e f x a b c d e f y";
  mf::filter_result r;
  mf::gopher_repetition{}.check(mf::analyze(t), &r);
  CHECK(r.score("gopher_repetition.duplicated_5_n_grams") > 0);
  CHECK(r.score("gopher_repetition.duplicated_6_n_grams") == doctest::Approx(6.0 / 27));
  CHECK(r.score("gopher_repetition.duplicated_7_n_grams") == 0);
  CHECK(r.score("gopher_repetition.duplicated_10_n_grams") == 0);
  // Lists not in increasing order: a larger n first finds none; a smaller one is still measured.
  mf::filter_result r2;
  mf::gopher_repetition{.params = {.dup_n_grams = {{8, 1.0}, {5, 1.0}}}}.check(mf::analyze(t), &r2);
  CHECK(r2.score("gopher_repetition.duplicated_5_n_grams") > 0);
}

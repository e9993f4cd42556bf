// Augmentation operations: rates honoured statistically (binomial bounds), at-least-one edits,
// case/punctuation kept, UTF-8 untouched, span corruption bookkeeping, determinism.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>

#include <millrace/augment/augmenter.hpp>

#include "wordnet_fixture.hpp"

namespace au = millrace::augment;

namespace {
// k successes out of n trials is within 5 standard deviations of n*p (false alarm ~6e-7 per check).
void check_binomial(std::size_t k, std::size_t n, double p) {
  const double mean = static_cast<double>(n) * p;
  const double sd = std::sqrt(static_cast<double>(n) * p * (1 - p));
  INFO("k=" << k << " n=" << n << " p=" << p << " mean=" << mean << " sd=" << sd);
  CHECK(std::abs(static_cast<double>(k) - mean) <= 5 * sd);
}

std::string repeat_words(const std::vector<std::string>& words, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) s += ' ';
    s += words[i % words.size()];
  }
  return s;
}
}  // namespace

TEST_CASE("augment.rate.delete.binomial") {
  const std::string text = repeat_words({"alpha", "beta", "gamma", "delta"}, 2000);
  for (double p : {0.05, 0.1, 0.3}) {
    std::size_t deleted = 0, total = 0;
    for (std::uint64_t key = 0; key < 5; ++key) {
      au::token_list t(text);
      au::rng r(42, key, 1, 0);
      const std::size_t k = au::random_delete(t, r, p, false);
      CHECK(t.size() == 2000 - k);
      deleted += k;
      total += 2000;
    }
    check_binomial(deleted, total, p);
  }
}

TEST_CASE("augment.rate.synonym.binomial_over_eligible") {
  const auto& wn = test::shared_wordnet();
  // Eligible: car, house, happy; never eligible: stop words and non-words.
  const std::string text = repeat_words({"the", "car", "and", "house", "xq", "happy"}, 3000);
  const au::synonym_lookup lk{&wn, {}, true};
  for (double p : {0.1, 0.5}) {
    std::size_t replaced = 0, eligible = 0;
    for (std::uint64_t key = 0; key < 4; ++key) {
      au::token_list t(text), src(text);
      au::rng r(7, key, 1, 0);
      const std::size_t k = au::synonym_replace(t, r, lk, p, false);
      std::size_t changed = 0;
      for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i].text != src[i].text) {
          ++changed;
          CHECK((src[i].text == "car" || src[i].text == "house" || src[i].text == "happy"));
        }
      }
      CHECK(changed <= k);   // a synonym is never the word itself, but two senses may share spellings
      replaced += k;
      eligible += 1500;   // car, house, happy: half of the tokens
    }
    check_binomial(replaced, eligible, p);
  }
}

TEST_CASE("augment.rate.typo_and_case.binomial_per_letter") {
  const std::string text = repeat_words({"keyboard", "noise", "test"}, 1500);
  std::size_t letters = 0;
  for (char c : text) letters += (c != ' ');
  for (double p : {0.02, 0.2}) {
    std::string a = text, b = text;
    au::rng r1(1, 2, 3, 0), r2(1, 2, 3, 1);
    const std::size_t ka = au::keyboard_typos(a, r1, p, false);
    const std::size_t kb = au::case_flips(b, r2, p, false);
    check_binomial(ka, letters, p);
    check_binomial(kb, letters, p);
    std::size_t diff_a = 0, diff_b = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      diff_a += a[i] != text[i];
      diff_b += b[i] != text[i];
      if (a[i] != text[i]) CHECK(au::qwerty_neighbours(text[i]).find(a[i]) != std::string_view::npos);
    }
    CHECK(diff_a == ka);   // a neighbour is never the letter itself
    CHECK(diff_b == kb);
  }
}

TEST_CASE("augment.rate.swap_insert_mask.binomial") {
  const auto& wn = test::shared_wordnet();
  const au::synonym_lookup lk{&wn, {}, true};
  const std::string text = repeat_words({"car", "dog", "house", "tree"}, 2000);
  const double p = 0.1;
  au::token_list t1(text), t2(text), t3(text);
  au::rng r1(9, 0, 1, 0), r2(9, 0, 1, 1), r3(9, 0, 1, 2);
  check_binomial(au::random_swap(t1, r1, p, false), 2000, p);
  const std::size_t ins = au::random_insert(t2, r2, lk, p, false);
  check_binomial(ins, 2000, p);
  CHECK(t2.size() == 2000 + ins);
  const std::size_t masked = au::mask_tokens(t3, r3, 0.15, false, "[MASK]");
  check_binomial(masked, 2000, 0.15);
  std::size_t seen = 0;
  for (const auto& tk : t3.tokens()) seen += tk.text == "[MASK]";
  CHECK(seen == masked);
}

TEST_CASE("augment.at_least_one.forces_one_edit") {
  const auto& wn = test::shared_wordnet();
  const au::synonym_lookup lk{&wn, {}, true};
  const std::string text = "The old car stopped near a house.";
  for (std::uint64_t key = 0; key < 20; ++key) {
    au::token_list a(text), b(text), c(text), d(text);
    au::rng r(5, key, 1, 0);
    CHECK(au::synonym_replace(a, r, lk, 0.0, true) == 1);
    CHECK(a.join() != text);
    CHECK(au::random_delete(b, r, 0.0, true) == 1);
    CHECK(b.size() == 6);
    CHECK(au::random_swap(c, r, 0.0, true) == 1);
    CHECK(au::random_insert(d, r, lk, 0.0, true) == 1);
    CHECK(d.size() == 8);
    au::token_list e(text);
    CHECK(au::synonym_replace(e, r, lk, 0.0, false) == 0);
    CHECK(e.join() == text);
  }
}

TEST_CASE("augment.delete.never_empties") {
  au::token_list t("a b c");
  au::rng r(1, 1, 1, 1);
  CHECK(au::random_delete(t, r, 1.0, false) == 2);
  CHECK(t.size() == 1);
}

TEST_CASE("augment.synonym.keeps_case_punctuation_plural") {
  const auto& wn = test::shared_wordnet();
  const au::synonym_lookup lk{&wn, {.max_senses = 1}, true};
  for (std::uint64_t key = 0; key < 10; ++key) {
    au::token_list t("(Cars,");
    au::rng r(3, key, 1, 0);
    REQUIRE(au::synonym_replace(t, r, lk, 1.0, false) == 1);
    const std::string s = t.join();
    INFO(s);
    CHECK(s.starts_with("("));
    CHECK(s.ends_with("s,"));        // plural re-inflected, comma kept
    CHECK(std::isupper(static_cast<unsigned char>(s[1])));
    CHECK(s != "(Cars,");
  }
  // Irregular inflections are not replaced (WordNet gives base forms only).
  au::token_list t("went");
  au::rng r(3, 0, 1, 0);
  CHECK(au::synonym_replace(t, r, lk, 1.0, false) == 0);
}

TEST_CASE("augment.typo.utf8_untouched") {
  const std::string text = "naïve café – déjà vu 東京";
  std::string s = text;
  au::rng r(1, 0, 0, 0);
  au::keyboard_typos(s, r, 1.0, false);
  au::case_flips(s, r, 1.0, false);
  REQUIRE(s.size() == text.size());
  for (std::size_t i = 0; i < s.size(); ++i)
    if (static_cast<unsigned char>(text[i]) >= 0x80) CHECK(s[i] == text[i]);
}

TEST_CASE("augment.span.t5_counts_and_target") {
  const std::string text = repeat_words({"w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9"}, 100);
  for (std::uint64_t key = 0; key < 10; ++key) {
    au::token_list t(text);
    au::rng r(11, key, 1, 0);
    const auto res = au::span_corrupt(t, r, 0.15, 3.0, "<extra_id_{}>");
    CHECK(res.noise_tokens == 15);
    CHECK(res.spans == 5);
    CHECK(t.size() == 100 - 15 + 5);
    // Every token is either kept in the input or listed in the target, in order.
    std::string merged;
    au::token_list tgt(res.target);
    std::size_t ti = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (t[i].text.starts_with("<extra_id_")) {
        REQUIRE(tgt[ti].text == t[i].text);
        for (++ti; ti < tgt.size() && !tgt[ti].text.starts_with("<extra_id_"); ++ti) merged += std::string(tgt[ti].text) + " ";
      } else {
        merged += std::string(t[i].text) + " ";
      }
    }
    merged.pop_back();
    CHECK(merged == text);
    CHECK(tgt[tgt.size() - 1].text == "<extra_id_5>");
  }
}

TEST_CASE("augment.parse_ops.names_and_errors") {
  auto ops = au::parse_ops("synonym, insert,swap,delete,typo,case,mask,span");
  CHECK(ops.size() == 8);
  CHECK(ops[3] == au::op_kind::del);
  CHECK_THROWS_WITH_AS(au::parse_ops("synonym,shuffle"), doctest::Contains("shuffle"), std::invalid_argument);
  CHECK_THROWS_AS(au::augmenter(nullptr, {.ops = {au::op_kind::synonym}}), std::invalid_argument);
  CHECK_NOTHROW(au::augmenter(nullptr, {.ops = {au::op_kind::swap}}));
}

TEST_CASE("augment.augmenter.deterministic.1T_vs_2T") {
  const auto& wn = test::shared_wordnet();
  au::augment_options o;
  o.ops = au::parse_ops("synonym,insert,swap,delete,typo,case,mask,span");
  o.variants = 8;
  o.seed = 2026;
  const au::augmenter a(&wn, o);
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i) texts.push_back("Record " + std::to_string(i) + ": the quick brown fox jumps over the lazy dog near the old house.");
  auto run = [&](int threads) {
    tbb::global_control gc(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    std::vector<std::vector<au::variant>> out(texts.size());
    tbb::parallel_for(std::size_t{0}, texts.size(), [&](std::size_t i) { a.make_all(texts[i], i, out[i]); });
    std::string all;
    for (const auto& vs : out)
      for (const auto& v : vs) all += std::to_string(v.number) + "|" + v.text + "|" + v.target + "\n";
    return all;
  };
  const std::string one = run(1), two = run(2);
  CHECK(one == two);
  CHECK(one == run(2));
  // Variants differ from each other and from the source; another seed gives another output.
  au::augment_options o2 = o;
  o2.seed = 2027;
  const au::augmenter b(&wn, o2);
  std::vector<au::variant> va, vb;
  a.make_all(texts[0], 0, va);
  b.make_all(texts[0], 0, vb);
  std::size_t same = 0;
  for (std::size_t i = 0; i < va.size(); ++i) {
    CHECK(va[i].text != texts[0]);
    CHECK(va[i].ops.size() == 1);
    CHECK(va[i].ops[0] == o.ops[i]);
    same += va[i].text == vb[i].text;
  }
  CHECK(same < va.size());
}

TEST_CASE("augment.augmenter.chain_mode_applies_all") {
  const auto& wn = test::shared_wordnet();
  const au::augmenter a(&wn, {.ops = au::parse_ops("synonym,swap,delete"), .variants = 3, .mode = au::compose_mode::chain, .seed = 1});
  std::vector<au::variant> v;
  a.make_all("The happy dog ran across the big green field to the old house.", 0, v);
  REQUIRE(v.size() == 3);
  for (const auto& x : v) {
    CHECK(x.ops == au::parse_ops("synonym,swap,delete"));
    CHECK(x.edits >= 3);
  }
}

TEST_CASE("augment.synonym_cache.same_as_uncached") {
  const auto& wn = test::shared_wordnet();
  const std::vector<std::string> words{"car", "cars", "run", "happy", "quickly", "house", "went", "light", "the", "xq", "boxes"};
  const std::vector<std::string> prevs{"", "the", "to", "very"};
  std::vector<std::string_view> syn;
  std::vector<std::string> cached, direct;
  for (bool pos_aware : {true, false}) {
    for (std::size_t senses : {1u, 3u, 0u}) {
      const au::synonym_lookup lk{&wn, {.max_senses = senses}, pos_aware};
      for (int round = 0; round < 2; ++round) {   // second round is served from the cache
        for (const auto& w : words) {
          for (const auto& p : prevs) {
            au::detail::word_synonyms(lk, w, p, syn, cached);
            au::detail::compute_synonyms(lk, w, pos_aware ? au::context_of(wn, p) : au::pos_context::none, syn, direct);
            CHECK(cached == direct);
          }
        }
      }
    }
  }
  const au::synonym_lookup lk{&wn, {}, true};
  au::detail::word_synonyms(lk, "car", "the", syn, cached);
  CHECK(!cached.empty());
}

TEST_CASE("augment.synonym.context_and_filter") {
  const auto& wn = test::shared_wordnet();
  // After an adjective-only word the noun reading wins ("strongest support": not the verb).
  CHECK(au::context_of(wn, "strongest") == au::pos_context::after_adjective);
  CHECK(au::context_of(wn, "the") == au::pos_context::after_determiner);
  CHECK(au::context_of(wn, "to") == au::pos_context::before_verb);
  CHECK(au::guess_pos(wn, "support", "strongest")->pos == au::pos::noun);
  CHECK(au::guess_pos(wn, "support", "to")->pos == au::pos::verb);
  // Digits, single letters and abbreviations are never written as synonyms.
  const au::synonym_lookup lk{&wn, {.max_senses = 0}, false};
  std::vector<std::string_view> syn;
  std::vector<std::string> out;
  au::detail::compute_synonyms(lk, "five", au::pos_context::none, syn, out);
  CHECK(!out.empty());
  for (const auto& s : out) {
    INFO(s);
    CHECK(au::detail::usable_synonym(s));
  }
  CHECK_FALSE(au::detail::usable_synonym("5"));
  CHECK_FALSE(au::detail::usable_synonym("V"));
  CHECK_FALSE(au::detail::usable_synonym("U.S."));
  CHECK(au::detail::usable_synonym("railway car"));
}

TEST_CASE("augment.synonym.article_agreement") {
  const auto& wn = test::shared_wordnet();
  const au::synonym_lookup lk{&wn, {.max_senses = 0}, true};
  std::size_t checked = 0;
  for (std::uint64_t key = 0; key < 40; ++key) {
    au::token_list t("It was a real climb and an ugly one.");
    au::rng r(8, key, 1, 0);
    au::synonym_replace(t, r, lk, 0.5, true);
    for (std::size_t i = 0; i + 1 < t.size(); ++i) {
      if (t[i].text != "a" && t[i].text != "an") continue;
      const char c = t[i + 1].text.front();
      const bool vowel = std::string_view("aeiouAEIOU").find(c) != std::string_view::npos;
      INFO(t.join());
      CHECK(t[i].text == (vowel ? "an" : "a"));
      ++checked;
    }
  }
  CHECK(checked >= 40);
}

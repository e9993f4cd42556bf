// Similarity guard and exact variant dedup: bounds respected (checked against an independent
// recomputation and against exact Jaccard), copies and destroyed texts rejected, sibling copies.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <millrace/augment/augmenter.hpp>
#include <millrace/augment/guard.hpp>

#include "wordnet_fixture.hpp"

namespace au = millrace::augment;

namespace {
std::vector<std::uint64_t> shingle_set(std::string_view text, std::size_t n) {
  std::vector<std::uint64_t> h;
  millrace::text::word_shingle_hashes(text, n, h);
  std::sort(h.begin(), h.end());
  h.erase(std::unique(h.begin(), h.end()), h.end());
  return h;
}
double exact_jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  std::vector<std::uint64_t> i;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(i));
  const double u = static_cast<double>(a.size() + b.size() - i.size());
  return u == 0 ? 0 : static_cast<double>(i.size()) / u;
}
const std::vector<std::string> sources{
    "The experiencing of affective and emotional states. She had a feeling of euphoria. He had terrible feelings of guilt.",
    "A motor vehicle with four wheels; usually propelled by an internal combustion engine. He needs a car to get to work.",
    "Marked by good fortune. A felicitous life. A happy outcome of a long and difficult journey across the mountains.",
    "A notable achievement. He performed a great feat. The book was her finest effort and the critics agreed.",
};
}  // namespace

TEST_CASE("guard.bounds.0.3-0.95.respected") {
  const auto& wn = test::shared_wordnet();
  for (auto [lo, hi] : {std::pair{0.3, 0.95}, std::pair{0.5, 0.7}}) {
    const au::similarity_guard g({.lo = lo, .hi = hi});
    const au::augmenter a(&wn, {.ops = au::parse_ops("synonym,insert,swap,delete,typo,case,mask,span"), .variants = 16, .seed = 4});
    std::size_t kept = 0, rejected = 0;
    for (std::size_t s = 0; s < sources.size(); ++s) {
      std::vector<au::variant> v;
      a.make_all(sources[s], s, v);
      std::vector<std::string_view> texts;
      for (const auto& x : v) texts.push_back(x.text);
      std::vector<au::guard_verdict> verdict;
      std::vector<double> j;
      g.judge(sources[s], texts, verdict, &j);
      const auto src_set = shingle_set(sources[s], 2);
      for (std::size_t i = 0; i < v.size(); ++i) {
        const double again = g.similarity(sources[s], v[i].text);   // independent recomputation
        CHECK(again == doctest::Approx(j[i]));
        // 128 permutations: the estimate's sd is <= 0.045; 0.25 is more than 5 sd.
        CHECK(std::abs(j[i] - exact_jaccard(src_set, shingle_set(v[i].text, 2))) <= 0.25);
        switch (verdict[i]) {
          case au::guard_verdict::kept: CHECK((again >= lo && again <= hi)); ++kept; break;
          case au::guard_verdict::too_similar: CHECK(again > hi); ++rejected; break;
          case au::guard_verdict::too_different: CHECK(again < lo); ++rejected; break;
          case au::guard_verdict::sibling_duplicate: CHECK((again >= lo && again <= hi)); ++rejected; break;
        }
      }
    }
    CHECK(kept > 0);
    if (hi - lo < 0.3) CHECK(rejected > 0);   // the narrow window must reject something
  }
}

TEST_CASE("guard.copy_and_unrelated.rejected") {
  const au::similarity_guard g;
  const std::vector<std::string_view> v{sources[0], "completely unrelated words about quantum lattice gauge theory here",
                                        ""};
  std::vector<au::guard_verdict> verdict;
  g.judge(sources[0], v, verdict);
  CHECK(verdict[0] == au::guard_verdict::too_similar);
  CHECK(verdict[1] == au::guard_verdict::too_different);
  CHECK(verdict[2] == au::guard_verdict::too_different);   // an empty variant never passes
}

TEST_CASE("guard.siblings.second_copy_rejected") {
  const std::string src = sources[1];
  const std::string var = "A motor vehicle with four wheels; usually driven by an internal combustion engine. He needs a auto to get to work.";
  const std::vector<std::string_view> v{var, var};
  std::vector<au::guard_verdict> verdict;
  au::similarity_guard(au::guard_options{}).judge(src, v, verdict);
  CHECK(verdict[0] == au::guard_verdict::kept);
  CHECK(verdict[1] == au::guard_verdict::sibling_duplicate);
  au::similarity_guard(au::guard_options{.siblings = false}).judge(src, v, verdict);
  CHECK(verdict[1] == au::guard_verdict::kept);
}

TEST_CASE("guard.options.invalid_bounds_throw") {
  CHECK_THROWS_AS(au::similarity_guard(au::guard_options{.lo = 0.9, .hi = 0.5}), std::invalid_argument);
  CHECK_THROWS_AS(au::similarity_guard(au::guard_options{.lo = -0.1}), std::invalid_argument);
}

TEST_CASE("guard.exact_seen.first_wins") {
  au::exact_seen seen;
  CHECK(seen.insert("a b c"));
  CHECK_FALSE(seen.insert("a b c"));
  CHECK(seen.insert("a b c "));   // bytes, not normalized
  CHECK(seen.contains("a b c"));
  CHECK_FALSE(seen.contains("a b"));
  CHECK(seen.size() == 2);
}

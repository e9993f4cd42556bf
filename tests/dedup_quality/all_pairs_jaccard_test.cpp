// all_pairs_jaccard (prefix + size filtered join) against a brute-force N^2 reference on random sets.
#include <millrace/dedup/all_pairs_jaccard.hpp>
#include <millrace/synth/corpus.hpp>

#include <doctest/doctest.h>
#include <millrace/core.hpp>  // with_executor: the library functions run on the executor given

#include <algorithm>
#include <iterator>
#include <set>
#include <vector>

namespace {

using set_list = std::vector<std::vector<std::uint64_t>>;
namespace dd = millrace::dedup;

// Families of overlapping sets so that every Jaccard range (including 1.0 and the exact thresholds
// t * size) is populated: a random base per family, then variants that drop and add tokens.
set_list random_sets(std::uint64_t seed, std::size_t families, std::size_t per_family, std::uint64_t universe) {
  millrace::synth::rng r(seed);
  set_list out;
  for (std::size_t f = 0; f < families; ++f) {
    std::set<std::uint64_t> base;
    const auto size = r.between(0, 40);
    while (base.size() < size) base.insert(r.below_unbiased(universe) * 0x9e3779b97f4a7c15ULL);  // spread over 64 bits
    for (std::size_t v = 0; v < per_family; ++v) {
      std::set<std::uint64_t> s;
      const double drop = r.uniform() * 0.5;
      for (auto t : base)
        if (!r.bernoulli(drop)) s.insert(t);
      const auto add = r.below_unbiased(6);
      for (std::uint64_t k = 0; k < add; ++k) s.insert(r.below_unbiased(universe) * 0x9e3779b97f4a7c15ULL);
      out.emplace_back(s.begin(), s.end());
    }
  }
  // interleave families so that input order is not cluster order
  for (std::size_t i = out.size(); i > 1; --i) std::swap(out[i - 1], out[r.below_unbiased(i)]);
  return out;
}

std::vector<dd::jaccard_pair> brute_force(const set_list& sets, double t) {
  std::vector<dd::jaccard_pair> out;
  for (std::uint32_t i = 0; i < sets.size(); ++i)
    for (std::uint32_t j = i + 1; j < sets.size(); ++j) {
      std::vector<std::uint64_t> inter;
      std::set_intersection(sets[i].begin(), sets[i].end(), sets[j].begin(), sets[j].end(), std::back_inserter(inter));
      if (inter.empty()) continue;
      const double jac = dd::detail::jaccard_from_counts(inter.size(), sets[i].size(), sets[j].size());
      if (jac >= t) out.push_back({i, j, jac});
    }
  return out;
}

}  // namespace

TEST_CASE("all_pairs_jaccard.brute_force.random_sets") {
  const set_list sets = random_sets(42, 60, 6, 400);
  for (double t : {0.0, 0.05, 0.2, 1.0 / 3, 0.5, 0.6, 0.75, 0.8, 0.9, 1.0}) {
    CAPTURE(t);
    const auto expected = brute_force(sets, t);
    const auto got = dd::all_pairs_jaccard(sets, t);
    CHECK(got.size() == expected.size());
    CHECK(got == expected);
  }
  // the fixture really covers the range: identical pairs and many mid-range pairs exist
  const auto all = brute_force(sets, 0.0);
  CHECK(std::count_if(all.begin(), all.end(), [](const auto& p) { return p.jaccard == 1.0; }) > 0);
  CHECK(std::count_if(all.begin(), all.end(), [](const auto& p) { return p.jaccard > 0.4 && p.jaccard < 0.9; }) > 50);
}

TEST_CASE("all_pairs_jaccard.brute_force.many_seeds.small_universe") {
  // a small universe makes frequent tokens and many accidental overlaps: stresses the prefix filter
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    const set_list sets = random_sets(seed, 25, 4, 60);
    for (double t : {0.1, 0.45, 0.7, 0.85}) {
      CAPTURE(seed);
      CAPTURE(t);
      CHECK(dd::all_pairs_jaccard(sets, t) == brute_force(sets, t));
    }
  }
}

TEST_CASE("all_pairs_jaccard.1T_equals_2T") {
  const set_list sets = random_sets(7, 200, 5, 1000);
  std::vector<dd::jaccard_pair> one, two;
  one = millrace::with_executor(millrace::cpu{.threads = 1}, [&] { return dd::all_pairs_jaccard(sets, 0.3); });
  two = millrace::with_executor(millrace::cpu{.threads = 2}, [&] { return dd::all_pairs_jaccard(sets, 0.3); });
  CHECK(!one.empty());
  CHECK(one == two);
}

TEST_CASE("all_pairs_jaccard.edge_cases") {
  const set_list sets = {{}, {1, 2, 3}, {}, {1, 2, 3}, {3}, {4}};
  const auto got = dd::all_pairs_jaccard(sets, 0.0);
  // empty sets match nothing; disjoint sets never appear
  const std::vector<dd::jaccard_pair> expected = {{1, 3, 1.0}, {1, 4, 1.0 / 3}, {3, 4, 1.0 / 3}};
  CHECK(got == expected);
  CHECK(dd::all_pairs_jaccard(sets, 1.0) == std::vector<dd::jaccard_pair>{{1, 3, 1.0}});
  CHECK(dd::all_pairs_jaccard({}, 0.5).empty());
  CHECK_THROWS_AS(dd::all_pairs_jaccard({{1, 1}}, 0.5), std::invalid_argument);
  CHECK_THROWS_AS(dd::all_pairs_jaccard({{3, 2}}, 0.5), std::invalid_argument);
}

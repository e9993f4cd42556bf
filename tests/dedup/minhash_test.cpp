// MinHash and LSH: kernels vs the scalar formula, estimator error, the LSH optimizer's objective,
// band collisions and bucket chaining.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <vector>

#include <millrace/dedup/jaccard.hpp>
#include <millrace/dedup/lsh.hpp>
#include <millrace/dedup/minhash.hpp>

namespace dd = millrace::dedup;

namespace {
std::vector<std::uint64_t> random_set(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::uint64_t> v(n);
  for (auto& x : v) x = rng();
  return v;
}
// Two sets with |A ∩ B| = common, |A \ B| = |B \ A| = extra: J = common / (common + 2 extra).
std::pair<std::vector<std::uint64_t>, std::vector<std::uint64_t>> pair_with(std::mt19937_64& rng, std::size_t common,
                                                                           std::size_t extra) {
  auto c = random_set(rng, common);
  auto a = c, b = c;
  auto ea = random_set(rng, extra), eb = random_set(rng, extra);
  a.insert(a.end(), ea.begin(), ea.end());
  b.insert(b.end(), eb.begin(), eb.end());
  return {a, b};
}
const char* family_name(dd::hash_family f) { return f == dd::hash_family::mersenne61 ? "mersenne61" : "fast32"; }
}  // namespace

TEST_CASE("minhash.kernel_equals_scalar.all_simd_levels.both_families") {
  std::mt19937_64 rng(7);
  for (auto fam : {dd::hash_family::mersenne61, dd::hash_family::fast32}) {
    for (std::size_t perms : {1u, 7u, 112u, 260u}) {
      dd::minhasher mh({perms, 99, fam});
      // includes values >= 2^61 - 1 and around it, to exercise the modular reduction
      std::vector<std::uint64_t> xs = random_set(rng, 1300);
      xs.push_back(dd::mersenne61);
      xs.push_back(dd::mersenne61 - 1);
      xs.push_back(~0ull);
      xs.push_back(0);
      std::vector<std::uint64_t> ref(perms, dd::empty_minhash);
      for (std::size_t i = 0; i < perms; ++i)
        for (auto x : xs) ref[i] = std::min(ref[i], mh.hash(i, x));
      for (int level = 0; level <= 2; ++level) {
        mh.force_simd_level(level);
        CHECK_MESSAGE(mh.sign(xs) == ref, family_name(fam) << " perms=" << perms << " level=" << level);
      }
    }
  }
}

TEST_CASE("minhash.kernel_equals_scalar.block_and_vector_tails.both_families") {
  // Sizes around the vector width (4 or 8) and the 512-hash block, so every tail path runs.
  std::mt19937_64 rng(17);
  for (auto fam : {dd::hash_family::mersenne61, dd::hash_family::fast32}) {
    dd::minhasher mh({37, 5, fam});
    for (std::size_t n : {1u, 2u, 3u, 4u, 5u, 7u, 9u, 511u, 512u, 513u, 1027u}) {
      const auto xs = random_set(rng, n);
      std::vector<std::uint64_t> ref(37, dd::empty_minhash);
      for (std::size_t i = 0; i < 37; ++i)
        for (auto x : xs) ref[i] = std::min(ref[i], mh.hash(i, x));
      for (int level = 0; level <= 2; ++level) {
        mh.force_simd_level(level);
        CHECK_MESSAGE(mh.sign(xs) == ref, family_name(fam) << " n=" << n << " level=" << level);
      }
    }
  }
}

TEST_CASE("minhash.mersenne61.kernel_equals_scalar.hashes_near_zero") {
  // The AVX2 kernel keeps hashes unreduced by one p when a lane's value is within a few of p, which
  // happens for true hashes in [0, 4): it must notice and recompute. Build shingle hashes whose
  // i-th hash is 0..5 (x = (v - b) / a mod p, with a and b read back from hash(i, 0) and hash(i, 1)).
  __extension__ using u128 = unsigned __int128;
  const auto mulmod = [](std::uint64_t a, std::uint64_t b) { return static_cast<std::uint64_t>(u128(a) * b % dd::mersenne61); };
  const auto inverse = [&](std::uint64_t a) {  // a^(p-2) mod p
    std::uint64_t r = 1, e = dd::mersenne61 - 2;
    for (; e; e >>= 1, a = mulmod(a, a))
      if (e & 1) r = mulmod(r, a);
    return r;
  };
  std::mt19937_64 rng(23);
  const std::size_t perms = 24;
  dd::minhasher mh({perms, 8, dd::hash_family::mersenne61});
  for (std::size_t target = 0; target < perms; ++target) {
    const std::uint64_t b = mh.hash(target, 0), a = (mh.hash(target, 1) + dd::mersenne61 - b) % dd::mersenne61;
    const std::uint64_t a_inv = inverse(a);
    auto xs = random_set(rng, 300);
    for (std::uint64_t v = 0; v < 6; ++v)  // spread over vector lanes and positions
      xs[(v * 53 + target) % xs.size()] = mulmod((v + dd::mersenne61 - b) % dd::mersenne61, a_inv);
    std::vector<std::uint64_t> ref(perms, dd::empty_minhash);
    for (std::size_t i = 0; i < perms; ++i)
      for (auto x : xs) ref[i] = std::min(ref[i], mh.hash(i, x));
    REQUIRE(ref[target] == 0);
    for (int level = 0; level <= 2; ++level) {
      mh.force_simd_level(level);
      CHECK_MESSAGE(mh.sign(xs) == ref, "target perm " << target << " level=" << level);
    }
  }
}

TEST_CASE("minhash.mersenne61.values_below_prime") {
  dd::minhasher mh({64, 3, dd::hash_family::mersenne61});
  std::mt19937_64 rng(1);
  for (int t = 0; t < 1000; ++t) {
    const auto x = rng();
    for (std::size_t i = 0; i < 64; ++i) REQUIRE(mh.hash(i, x) < dd::mersenne61);
  }
}

TEST_CASE("minhash.properties.identical_order_duplicates_empty") {
  std::mt19937_64 rng(11);
  for (auto fam : {dd::hash_family::mersenne61, dd::hash_family::fast32}) {
    dd::minhasher mh({112, 1, fam});
    auto s = random_set(rng, 700);
    auto sig = mh.sign(s);
    auto shuffled = s;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    shuffled.insert(shuffled.end(), s.begin(), s.begin() + 100);  // duplicates
    CHECK(mh.sign(shuffled) == sig);
    CHECK(dd::estimate_jaccard(sig, sig) == 1.0);
    auto empty = mh.sign(std::vector<std::uint64_t>{});
    CHECK(std::all_of(empty.begin(), empty.end(), [](auto v) { return v == dd::empty_minhash; }));
    CHECK(dd::estimate_jaccard(empty, empty) == 0.0);
    CHECK(dd::estimate_jaccard(empty, sig) == 0.0);
    dd::minhasher other({112, 2, fam});
    CHECK(other.sign(s) != sig);  // another seed, other permutations
  }
}

TEST_CASE("minhash.estimate_within_binomial_error.both_families") {
  // Each estimate is Binomial(k, J)/k; the mean of m independent estimates has sd sqrt(J(1-J)/(k m)).
  std::mt19937_64 rng(2026);
  for (auto fam : {dd::hash_family::mersenne61, dd::hash_family::fast32}) {
    for (auto [common, extra] : {std::pair<std::size_t, std::size_t>{500, 250}, {900, 50}, {100, 450}, {300, 0}}) {
      const double j = static_cast<double>(common) / static_cast<double>(common + 2 * extra);
      const std::size_t k = 128, m = 40;
      double sum = 0;
      for (std::size_t t = 0; t < m; ++t) {
        auto [a, b] = pair_with(rng, common, extra);
        dd::minhasher mh({k, 1000 + t, fam});
        const double est = dd::estimate_jaccard(mh.sign(a), mh.sign(b));
        const double sd1 = std::sqrt(j * (1 - j) / k);
        CHECK_MESSAGE(std::abs(est - j) <= 5 * sd1 + 1e-12, family_name(fam) << " J=" << j << " est=" << est);
        sum += est;
      }
      const double mean = sum / m, sd = std::sqrt(j * (1 - j) / (k * m));
      CHECK_MESSAGE(std::abs(mean - j) <= 4 * sd + 1e-12, family_name(fam) << " J=" << j << " mean=" << mean);
    }
  }
}

TEST_CASE("jaccard.exact") {
  std::vector<std::uint64_t> a{1, 2, 3, 4}, b{3, 4, 5}, e;
  CHECK(dd::exact_jaccard(a, b) == doctest::Approx(2.0 / 5.0));
  CHECK(dd::exact_jaccard(a, a) == 1.0);
  CHECK(dd::exact_jaccard(a, e) == 0.0);
  CHECK(dd::exact_jaccard(e, e) == 0.0);
  std::mt19937_64 rng(5);
  for (int t = 0; t < 50; ++t) {
    std::set<std::uint64_t> x, y;
    for (int i = 0; i < 60; ++i) x.insert(rng() % 100), y.insert(rng() % 100);
    std::vector<std::uint64_t> vx(x.begin(), x.end()), vy(y.begin(), y.end()), in, un;
    std::set_intersection(vx.begin(), vx.end(), vy.begin(), vy.end(), std::back_inserter(in));
    std::set_union(vx.begin(), vx.end(), vy.begin(), vy.end(), std::back_inserter(un));
    CHECK(dd::exact_jaccard(vx, vy) == doctest::Approx(double(in.size()) / double(un.size())));
  }
}

TEST_CASE("lsh.collision_probability.formula") {
  CHECK(dd::lsh_collision_probability(1.0, {14, 8}) == 1.0);
  CHECK(dd::lsh_collision_probability(0.0, {14, 8}) == 0.0);
  CHECK(dd::lsh_collision_probability(0.5, {4, 2}) == doctest::Approx(1 - std::pow(0.75, 4)));
}

TEST_CASE("lsh.choose_params.minimizes_objective") {
  // Check the optimizer against an independent, finer integration of the same objective.
  auto fine = [](double t, dd::lsh_params p, double wfp, double wfn) {
    const int n = 20000;
    double fp = 0, fn = 0;
    for (int i = 0; i < n; ++i) {
      const double s = (i + 0.5) / n;
      const double pr = dd::lsh_collision_probability(s, p);
      if (s < t) fp += pr / n;
      else fn += (1 - pr) / n;
    }
    return wfp * fp + wfn * fn;
  };
  struct config { double t; int perms; double wfp, wfn; };
  const config configs[] = {{0.72, 112, 0.5, 0.5}, {0.8, 112, 0.5, 0.5}, {0.5, 64, 0.5, 0.5},
                            {0.8, 260, 0.5, 0.5}, {0.7, 128, 0.9, 0.1}};
  for (const config& cfg : configs) {
    const double t = cfg.t, wfp = cfg.wfp, wfn = cfg.wfn;
    const int perms = cfg.perms;
    const auto best = dd::choose_lsh_params(t, static_cast<std::size_t>(perms), wfp, wfn);
    CHECK(best.bands * best.rows <= static_cast<std::size_t>(perms));
    const double best_err = fine(t, best, wfp, wfn);
    for (std::size_t b = 1; b <= static_cast<std::size_t>(perms); ++b)
      for (std::size_t r = 1; r <= static_cast<std::size_t>(perms) / b; ++r)
        REQUIRE_MESSAGE(best_err <= fine(t, {b, r}, wfp, wfn) + 1e-4,
                        "t=" << t << " chosen " << best.bands << "x" << best.rows << " beaten by " << b << "x" << r);
    // with equal weights the S-curve's midpoint lies near the threshold
    if (wfp != wfn) continue;
    const double mid = std::pow(1.0 / static_cast<double>(best.bands), 1.0 / static_cast<double>(best.rows));
    CHECK(std::abs(mid - t) < 0.1);
    MESSAGE("threshold " << t << " num_perm " << perms << " -> " << best.bands << " x " << best.rows);
  }
}

TEST_CASE("lsh.collide.bands") {
  std::vector<std::uint64_t> a(16), b(16);
  for (std::size_t i = 0; i < 16; ++i) a[i] = i, b[i] = 100 + i;
  CHECK_FALSE(dd::lsh_collide(a, b, {4, 4}));
  std::copy(a.begin() + 8, a.begin() + 12, b.begin() + 8);  // band 2 equal
  CHECK(dd::lsh_collide(a, b, {4, 4}));
  b[11] = 7;
  CHECK_FALSE(dd::lsh_collide(a, b, {4, 4}));
  std::vector<std::uint64_t> e1(16, dd::empty_minhash), e2(16, dd::empty_minhash);
  CHECK_FALSE(dd::lsh_collide(e1, e2, {4, 4}));
  CHECK_THROWS_AS(dd::lsh_collide(a, b, {5, 4}), std::invalid_argument);
  CHECK(dd::band_key(a, 1, 4) != dd::band_key(a, 2, 4));
}

TEST_CASE("lsh.link_band.k_docs_k_minus_1_edges") {
  std::mt19937_64 rng(3);
  std::vector<dd::band_entry> e;
  std::vector<std::size_t> sizes{1, 2, 5, 17, 1, 3};
  std::uint32_t doc = 0;
  std::size_t expected = 0;
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    for (std::size_t i = 0; i < sizes[k]; ++i) e.push_back({1000 + k, doc++});
    expected += sizes[k] - 1;
  }
  std::shuffle(e.begin(), e.end(), rng);
  std::sort(e.begin(), e.end());
  std::vector<dd::doc_edge> out;
  dd::link_band(e, out);
  CHECK(out.size() == expected);
  std::vector<dd::doc_edge> heads;
  dd::link_band_heads(e, heads);  // one edge to the head per member after the second
  std::size_t expected_heads = 0;
  for (auto k : sizes) expected_heads += k > 2 ? k - 2 : 0;
  CHECK(heads.size() == expected_heads);
  for (auto ed : out) CHECK(ed.a < ed.b);
  // every edge joins two docs of the same bucket
  for (auto ed : out) {
    auto ka = std::find_if(e.begin(), e.end(), [&](auto& x) { return x.doc == ed.a; })->key;
    auto kb = std::find_if(e.begin(), e.end(), [&](auto& x) { return x.doc == ed.b; })->key;
    CHECK(ka == kb);
  }
}

TEST_CASE("minhash.estimate_variance_is_binomial.rows_independent.both_families") {
  // Correlated rows (a weak hash family) inflate the variance of the estimate above J(1-J)/k.
  std::mt19937_64 rng(77);
  for (auto fam : {dd::hash_family::mersenne61, dd::hash_family::fast32}) {
    const std::size_t k = 64, trials = 300;
    const double j = 0.5;
    double s = 0, s2 = 0;
    for (std::size_t t = 0; t < trials; ++t) {
      auto [a, b] = pair_with(rng, 200, 100);
      dd::minhasher mh({k, 5000 + t, fam});
      const double e = dd::estimate_jaccard(mh.sign(a), mh.sign(b));
      s += e;
      s2 += e * e;
    }
    const double mean = s / trials, var = s2 / trials - mean * mean, expected = j * (1 - j) / k;
    // The sample variance of 300 draws lies within about +-25% of the true one (99.9%).
    CHECK_MESSAGE(var < 1.35 * expected, family_name(fam) << " variance " << var << " vs " << expected);
    CHECK_MESSAGE(var > 0.65 * expected, family_name(fam) << " variance " << var << " vs " << expected);
  }
}

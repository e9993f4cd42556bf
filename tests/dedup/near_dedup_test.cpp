// Batch and streaming near-dedup, union-find components and exact dedup: behaviour and determinism.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <queue>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include <oneapi/tbb/task_arena.h>

#include <millrace/dedup/exact.hpp>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/dedup/near_streaming.hpp>
#include <millrace/dedup/union_find.hpp>

#include "corpus.hpp"

namespace dd = millrace::dedup;

namespace {
template <class F>
auto in_arena(int threads, F f) {
  tbb::task_arena arena(threads);
  return arena.execute(f);
}

std::vector<std::uint64_t> bfs_components(std::size_t n, const std::vector<dd::doc_edge>& edges) {
  std::vector<std::vector<std::uint32_t>> adj(n);
  for (auto e : edges) adj[e.a].push_back(e.b), adj[e.b].push_back(e.a);
  std::vector<std::uint64_t> comp(n, ~0ull);
  for (std::size_t s = 0; s < n; ++s) {  // s is the smallest index of a component met first
    if (comp[s] != ~0ull) continue;
    std::queue<std::uint32_t> q;
    q.push(static_cast<std::uint32_t>(s));
    comp[s] = s;
    while (!q.empty()) {
      auto u = q.front();
      q.pop();
      for (auto v : adj[u])
        if (comp[v] == ~0ull) comp[v] = s, q.push(v);
    }
  }
  return comp;
}

// Lower bound on how many (copy, origin) pairs must share a cluster: each pair collides in LSH with
// probability P(J) = 1 - (1 - J^r)^b (independently, given the sets); clusters can only add more.
// Returns {pairs, bound} with bound = sum P - 4 sd.
std::pair<std::size_t, double> recall_bound(const dedup_test::corpus& c, const dd::near_dedup_options& o) {
  const auto p = o.resolved_lsh();
  double mean = 0, var = 0;
  std::size_t pairs = 0;
  for (std::size_t i = 0; i < c.docs.size(); ++i) {
    if (c.origin[i] == i) continue;
    const double j = dd::exact_jaccard(dd::shingle_set(c.docs[i], o), dd::shingle_set(c.docs[c.origin[i]], o));
    const double pr = dd::lsh_collision_probability(j, p);
    mean += pr;
    var += pr * (1 - pr);
    ++pairs;
  }
  return {pairs, mean - 4 * std::sqrt(var)};
}
}  // namespace

TEST_CASE("union_find.components_vs_bfs.random_graphs.1T_2T") {
  std::mt19937_64 rng(17);
  for (int t = 0; t < 12; ++t) {
    const std::size_t n = 50 + rng() % 3000, m = rng() % (2 * n);
    std::vector<dd::doc_edge> edges;
    for (std::size_t i = 0; i < m; ++i) {
      auto a = static_cast<std::uint32_t>(rng() % n), b = static_cast<std::uint32_t>(rng() % n);
      if (a == b) continue;
      edges.push_back({std::min(a, b), std::max(a, b)});
    }
    const auto ref = bfs_components(n, edges);
    for (int threads : {1, 2}) {
      auto got = in_arena(threads, [&] { return dd::connected_components(n, edges); });
      REQUIRE_MESSAGE(got == ref, "graph " << t << " threads " << threads);
    }
    std::shuffle(edges.begin(), edges.end(), rng);
    CHECK(in_arena(2, [&] { return dd::connected_components(n, edges); }) == ref);
  }
}

TEST_CASE("near_dedup.presets") {
  auto d = dd::near_dedup_options::preset("datatrove");
  CHECK(d.num_perm == 112);
  CHECK(d.ngram == 5);
  CHECK(d.shingle == dd::shingle_kind::word);
  CHECK(d.resolved_lsh() == dd::lsh_params{14, 8});
  auto n = dd::near_dedup_options::preset("nemo");
  CHECK(n.num_perm == 260);
  CHECK(n.ngram == 24);
  CHECK(n.shingle == dd::shingle_kind::character);
  CHECK(n.resolved_lsh() == dd::lsh_params{20, 13});
  CHECK_THROWS_AS(dd::near_dedup_options::preset("nope"), std::invalid_argument);
  dd::near_dedup_options bad;
  bad.lsh = dd::lsh_params{20, 8};  // 160 > 112
  CHECK_THROWS_AS(dd::near_dedup_batch{bad}, std::invalid_argument);
}

TEST_CASE("near_dedup.shingle_set.sorted_unique_normalized") {
  dd::near_dedup_options o;
  o.ngram = 2;
  auto s = dd::shingle_set("A b, a B a b", o);  // normalized: "a b a b a b" -> {a b, b a}
  CHECK(s.size() == 2);
  CHECK(std::is_sorted(s.begin(), s.end()));
  o.normalize = false;
  CHECK(dd::shingle_set("A b, a B a b", o).size() == 5);
}

TEST_CASE("near_dedup.batch.finds_edited_copies.2T") {
  auto c = dedup_test::make_corpus(1, 150, 2, 0.03);
  auto texts = dedup_test::views(c.docs);
  dd::near_dedup_options o;
  o.threshold = 0.7;
  auto r = in_arena(2, [&] { return dd::near_dedup(texts, o); });
  REQUIRE(r.cluster.size() == texts.size());
  REQUIRE(r.kept.size() == texts.size());
  std::size_t copies = 0, found = 0, false_merges = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    CHECK(r.cluster[i] <= i);
    CHECK((r.kept[i] != 0) == (r.cluster[i] == i));
    CHECK(r.cluster[r.cluster[i]] == r.cluster[i]);  // the id is a member of its own cluster
    if (c.origin[i] != i) {
      ++copies;
      found += r.cluster[i] == r.cluster[c.origin[i]];
    }
    if (c.origin[i] == i && r.cluster[i] != i) ++false_merges;  // an original merged into another original
  }
  const auto rb = recall_bound(c, o);
  const std::size_t pairs = rb.first;
  const double bound = rb.second;
  MESSAGE("copies " << copies << " found " << found << " bound " << bound << " candidate edges " << r.candidate_edges);
  CHECK(copies == pairs);
  CHECK(copies > 50);
  CHECK(static_cast<double>(found) >= bound);
  CHECK(static_cast<double>(found) >= 0.5 * static_cast<double>(copies));  // the bound is not vacuous
  CHECK(false_merges == 0);  // independent random documents share no 5-grams
}

TEST_CASE("near_dedup.batch.deterministic.1T_vs_2T.verify_and_not.both_families") {
  auto c = dedup_test::make_corpus(2, 120, 3, 0.1);
  auto texts = dedup_test::views(c.docs);
  for (bool verify : {false, true}) {
    for (auto fam : {dd::hash_family::mersenne61, dd::hash_family::fast32}) {
      dd::near_dedup_options o;
      o.threshold = 0.5;
      o.verify = verify;
      o.family = fam;
      auto r1 = in_arena(1, [&] { return dd::near_dedup(texts, o); });
      auto r2 = in_arena(2, [&] { return dd::near_dedup(texts, o); });
      CHECK(r1.cluster == r2.cluster);
      CHECK(r1.kept == r2.kept);
      CHECK(r1.candidate_edges == r2.candidate_edges);
      CHECK(r1.verified_edges == r2.verified_edges);
      CHECK(r1.verified_edges <= r1.candidate_edges);
      CHECK(r1.verified_edges + r1.check_dropped + r1.verify_dropped >= r1.candidate_edges);  // + head pairs
      if (!verify) CHECK(r1.verify_dropped == 0);
      {  // the signature check off: every candidate pair merges (datatrove's behaviour)
        dd::near_dedup_options off = o;
        off.check_signatures = false;
        auto r0 = dd::near_dedup(texts, off);
        CHECK(r0.candidate_edges == r1.candidate_edges);
        CHECK(r0.check_dropped == 0);
        if (!verify) CHECK(r0.verified_edges == r0.candidate_edges);
      }
      // adding in pieces gives the same as adding at once
      dd::near_dedup_batch b(o);
      const std::size_t half = texts.size() / 2;
      in_arena(2, [&] {
        b.add(std::span<const std::string_view>(texts).first(half));
        b.add(std::span<const std::string_view>(texts).subspan(half));
        return 0;
      });
      CHECK(b.finish().cluster == r1.cluster);
    }
  }
}

TEST_CASE("near_dedup.batch.verify.every_merge_backed_by_a_similar_pair") {
  auto c = dedup_test::make_corpus(3, 100, 3, 0.2);
  auto texts = dedup_test::views(c.docs);
  dd::near_dedup_options o;
  o.threshold = 0.6;
  o.lsh = dd::lsh_params{28, 4};  // loose bands: many dissimilar candidates for verify to drop
  o.verify = true;
  auto r = dd::near_dedup(texts, o);
  CHECK(r.verified_edges < r.candidate_edges);
  std::vector<std::vector<std::uint64_t>> sets;
  for (auto t : texts) sets.push_back(dd::shingle_set(t, o));
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (r.kept[i]) continue;
    bool backed = false;
    for (std::size_t j = 0; j < texts.size() && !backed; ++j)
      backed = j != i && r.cluster[j] == r.cluster[i] && dd::exact_jaccard(sets[i], sets[j]) >= o.threshold;
    CHECK_MESSAGE(backed, "doc " << i);
  }
}

TEST_CASE("near_dedup.empty_docs_stay_alone") {
  std::vector<std::string_view> texts{"", "  ", "", "some words here", "some words here", ",,,"};
  auto r = dd::near_dedup(texts);
  CHECK(r.cluster == std::vector<std::uint64_t>{0, 1, 2, 3, 3, 5});
}

TEST_CASE("near_dedup.character_shingles.nemo_like.2T") {
  auto c = dedup_test::make_corpus(4, 60, 1, 0.02);
  auto texts = dedup_test::views(c.docs);
  auto o = dd::near_dedup_options::preset("nemo");
  auto r1 = in_arena(1, [&] { return dd::near_dedup(texts, o); });
  auto r2 = in_arena(2, [&] { return dd::near_dedup(texts, o); });
  CHECK(r1.cluster == r2.cluster);
  std::size_t copies = 0, found = 0;
  for (std::size_t i = 0; i < texts.size(); ++i)
    if (c.origin[i] != i) ++copies, found += r1.cluster[i] == r1.cluster[c.origin[i]];
  const auto rb = recall_bound(c, o);
  const std::size_t pairs = rb.first;
  const double bound = rb.second;
  CHECK(copies == pairs);
  CHECK(static_cast<double>(found) >= bound);
  CHECK(static_cast<double>(found) >= 0.5 * static_cast<double>(copies));
}

TEST_CASE("near_streaming.first_of_group_kept.deterministic.1T_2T") {
  auto c = dedup_test::make_corpus(5, 150, 2, 0.03);
  auto texts = dedup_test::views(c.docs);
  dd::near_dedup_options o;
  o.threshold = 0.7;
  auto run = [&](int threads, std::size_t batch, std::size_t max_index) {
    return in_arena(threads, [&] {
      dd::near_streaming_index idx(o, max_index);
      std::vector<std::uint64_t> all, part;
      for (std::size_t s = 0; s < texts.size(); s += batch) {
        idx.process(std::span<const std::string_view>(texts).subspan(s, std::min(batch, texts.size() - s)), part);
        all.insert(all.end(), part.begin(), part.end());
      }
      CHECK(idx.seen() == texts.size());
      if (max_index) CHECK(idx.index_size() <= max_index);
      return all;
    });
  };
  auto a = run(1, 7, 0), b = run(2, 64, 0);
  CHECK(a == b);
  std::size_t copies = 0, found = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    CHECK(a[i] <= i);
    CHECK(a[a[i]] == a[i]);  // points to a kept document
    if (c.origin[i] != i) ++copies, found += a[i] == a[c.origin[i]];
    if (c.origin[i] == i) CHECK(a[i] == i);  // originals come first and are unrelated
  }
  const auto rb = recall_bound(c, o);
  const std::size_t pairs = rb.first;
  const double bound = rb.second;
  CHECK(copies == pairs);
  CHECK(static_cast<double>(found) >= bound);
  CHECK(static_cast<double>(found) >= 0.5 * static_cast<double>(copies));
  // batch mode agrees here (copies are close to their original, not only to each other)
  auto batch = dd::near_dedup(texts, o);
  std::size_t agree = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) agree += batch.cluster[i] == a[i];
  CHECK(agree >= texts.size() * 98 / 100);
  // a tiny index forgets old documents: fewer duplicates found, never more; still deterministic
  auto small1 = run(1, 5, 3), small2 = run(2, 50, 3);
  CHECK(small1 == small2);
  std::size_t kept_small = 0, kept_full = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) kept_small += small1[i] == i, kept_full += a[i] == i;
  CHECK(kept_small >= kept_full);
}

TEST_CASE("exact_dedup.equals_unordered_set_reference.raw_and_normalized") {
  std::mt19937_64 rng(9);
  std::vector<std::string> pool;
  for (int i = 0; i < 300; ++i) pool.push_back(dedup_test::random_doc(rng, 1 + rng() % 6));
  std::vector<std::string> docs;
  for (int i = 0; i < 3000; ++i) {
    std::string d = pool[rng() % pool.size()];
    if (rng() % 4 == 0) d[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(d[0])));
    if (rng() % 5 == 0) d += "  ";
    docs.push_back(d);
  }
  docs.push_back("");
  docs.push_back("");
  auto texts = dedup_test::views(docs);
  for (bool norm : {false, true}) {
    dd::exact_options o;
    o.normalize = norm;
    auto kept = dd::exact_dedup(texts, o);
    std::unordered_set<std::string> seen;
    std::size_t n_kept = 0;
    for (std::size_t i = 0; i < docs.size(); ++i) {
      const bool fresh = seen.insert(norm ? millrace::text::normalize(docs[i]) : docs[i]).second;
      REQUIRE_MESSAGE((kept[i] != 0) == fresh, "doc " << i << " normalize " << norm);
      n_kept += fresh;
    }
    MESSAGE("normalize " << norm << ": kept " << n_kept << " of " << docs.size());
  }
}

TEST_CASE("exact_dedup.digest_set.grows_and_handles_zero") {
  dd::digest_set s;
  for (std::uint64_t i = 0; i < 20000; ++i) CHECK(s.insert({i * 0x9E3779B97F4A7C15ull, i}));
  for (std::uint64_t i = 0; i < 20000; ++i) CHECK_FALSE(s.insert({i * 0x9E3779B97F4A7C15ull, i}));
  CHECK(s.size() == 20000);  // {0, 0} was inserted once (i = 0)
  CHECK(s.contains({0, 0}));
  CHECK_FALSE(s.contains({1, 1}));
  CHECK(s.memory_bytes() <= 16 * 20000 * 2 * 8 / 7 + 16 * 1024);
}

TEST_CASE("near_dedup.batch.verify.star_edges_bridge_a_dissimilar_middle_doc") {
  // Bucket [A, X, A'] (one 1-row band): A ~ A', X shares only a prefix. Chain edges A-X and X-A'
  // fail verification; the star edge A-A' keeps A' with A.
  std::mt19937_64 rng(8);
  const std::string a = dedup_test::random_doc(rng, 60);
  std::string a2 = a;
  a2 += " extra";
  const std::string x = a.substr(0, a.size() / 5);
  std::vector<std::string_view> texts{a, x, a2};
  dd::near_dedup_options o;
  o.threshold = 0.8;
  o.num_perm = 1;
  o.lsh = dd::lsh_params{1, 1};
  o.verify = true;
  int found = 0;
  for (std::uint64_t seed = 1; seed < 400 && found < 3; ++seed) {
    o.seed = seed;
    dd::minhasher mh({1, seed, o.family});
    const auto sa = mh.sign(dd::shingle_set(a, o)), sx = mh.sign(dd::shingle_set(x, o)), sa2 = mh.sign(dd::shingle_set(a2, o));
    if (!(sa == sx && sx == sa2)) continue;  // need all three in one bucket
    ++found;
    REQUIRE(dd::exact_jaccard(dd::shingle_set(a, o), dd::shingle_set(x, o)) < o.threshold);
    REQUIRE(dd::exact_jaccard(dd::shingle_set(a, o), dd::shingle_set(a2, o)) >= o.threshold);
    auto r = dd::near_dedup(texts, o);
    CHECK(r.cluster == std::vector<std::uint64_t>{0, 1, 0});
    CHECK(r.candidate_edges == 2);  // the chain A-X, X-A'
    CHECK(r.verified_edges == 0);   // both fail
    CHECK(r.head_edges == 1);       // A-A' passes
  }
  CHECK(found > 0);
}

// The GPU backend's device logic (MILLRACE_HD functors and the Thrust pipeline of
// millrace/cuda/algorithms.hpp) compiled by g++ with Thrust's CPP device system, checked bit for
// bit against the CPU operators on generated text: runs in every CI, with or without a GPU.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include <millrace/augment/masking.hpp>
#include <millrace/cuda/algorithms.hpp>
#include <millrace/cuda/budget.hpp>
#include <millrace/cuda/host_finish.hpp>
#include <millrace/cuda/masking.hpp>
#include <millrace/dedup/exact.hpp>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/text/shingle.hpp>

static_assert(THRUST_DEVICE_SYSTEM == THRUST_DEVICE_SYSTEM_CPP, "this test runs the device logic on the CPU");

namespace cu = millrace::cuda;
namespace dd = millrace::dedup;

namespace {

// Text with ASCII whitespace of every kind, long words (every xxh3 length class), multi-byte UTF-8
// and stray continuation bytes.
std::string random_text(std::mt19937_64& g, std::size_t words) {
  static const char* pieces[] = {"ka", "lo", "mi", "ne", "ru", "sa", "é", "ß", "日本", "😀", "\x80", "Zq"};
  static const char* spaces[] = {" ", "  ", "\t", "\n", "\r\n", "\v", "\f"};
  std::string s;
  if (g() % 4 == 0) s += " ";
  for (std::size_t w = 0; w < words; ++w) {
    if (w) s += spaces[g() % 7];
    const std::size_t len = (g() % 50 == 0) ? 40 + g() % 300 : 1 + g() % 4;
    for (std::size_t k = 0; k < len; ++k) s += pieces[g() % 12];
  }
  if (g() % 4 == 0) s += "\n";
  return s;
}

std::vector<std::string> corpus(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  std::vector<std::string> docs;
  for (std::size_t i = 0; i < n; ++i) {
    if (i % 10 == 9) docs.push_back("");
    else if (i % 10 == 7) docs.push_back(random_text(g, 1 + g() % 3));  // fewer words than n
    else if (i >= 20 && i % 5 == 0) {  // a near copy of an earlier document
      std::string c = docs[g() % i];
      if (!c.empty()) c[g() % c.size()] = 'x';
      docs.push_back(c + (g() % 2 ? " tail" : ""));
    } else docs.push_back(random_text(g, 5 + g() % 200));
  }
  return docs;
}

template <class T>
std::vector<T> host(const thrust::device_vector<T>& v) {
  return std::vector<T>(v.begin(), v.end());
}

}  // namespace

TEST_CASE("gpu.xxh3.cpp_backend.all_lengths_and_seeds") {
  std::mt19937_64 g(3);
  std::vector<unsigned char> buf(3000);
  for (auto& c : buf) c = static_cast<unsigned char>(g());
  for (std::size_t len = 0; len <= 2100; len += (len < 300 ? 1 : 37)) {
    for (std::uint64_t seed : {std::uint64_t(0), std::uint64_t(1), std::uint64_t(13), ~std::uint64_t(0) / 3}) {
      REQUIRE(cu::detail::xxh3_64(buf.data() + 1, len, seed) == XXH3_64bits_withSeed(buf.data() + 1, len, seed));
    }
    const XXH128_hash_t h = XXH3_128bits(buf.data() + 3, len);
    const cu::detail::xxh128 d = cu::detail::xxh3_128(buf.data() + 3, len);
    REQUIRE(d.lo == h.low64);
    REQUIRE(d.hi == h.high64);
  }
}

TEST_CASE("gpu.shingles.cpp_backend.word_and_char_match_text") {
  const auto docs = corpus(300, 11);
  std::vector<std::uint64_t> ref;
  for (std::size_t n : {std::size_t(0), std::size_t(1), std::size_t(3), std::size_t(5), std::size_t(24)}) {
    for (const bool words : {true, false}) {
      const auto packed = cu::pack_documents(docs);
      thrust::device_vector<std::uint64_t> sh, off;
      cu::shingle_documents(thrust::device, packed, {n, words}, sh, off);
      const auto hs = host(sh);
      const auto ho = host(off);
      for (std::size_t d = 0; d < docs.size(); ++d) {
        if (words) millrace::text::word_shingle_hashes(docs[d], n, ref);
        else millrace::text::char_shingle_hashes(docs[d], n, ref);
        const std::vector<std::uint64_t> got(hs.begin() + static_cast<std::ptrdiff_t>(ho[d]),
                                             hs.begin() + static_cast<std::ptrdiff_t>(ho[d + 1]));
        INFO("doc ", d, " n ", n, " words ", words);
        REQUIRE(got == ref);
      }
    }
  }
}

TEST_CASE("gpu.minhash.cpp_backend.both_families_match_minhasher") {
  const auto docs = corpus(200, 5);
  for (const auto family : {dd::hash_family::mersenne61, dd::hash_family::fast32}) {
    const dd::minhash_params p{.num_perm = 112, .seed = 7, .family = family};
    const dd::minhasher mh(p);
    const cu::device_minhash_table table(cu::minhash_params_table{p});
    const auto packed = cu::pack_documents(docs);
    thrust::device_vector<std::uint64_t> sh, off, sig;
    cu::shingle_documents(thrust::device, packed, {5, true}, sh, off);
    cu::sign_shingles(thrust::device, sh, off, table, sig);
    const auto hsig = host(sig);
    std::vector<std::uint64_t> hashes;
    for (std::size_t d = 0; d < docs.size(); ++d) {
      millrace::text::word_shingle_hashes(docs[d], 5, hashes);
      const auto want = mh.sign(hashes);
      REQUIRE(std::vector<std::uint64_t>(hsig.begin() + static_cast<std::ptrdiff_t>(d * 112),
                                         hsig.begin() + static_cast<std::ptrdiff_t>((d + 1) * 112)) == want);
    }
  }
}

TEST_CASE("gpu.near.cpp_backend.band_keys_edges_and_clusters_match_near_dedup") {
  for (const bool words : {true, false}) {
    const auto docs = corpus(400, words ? 21 : 22);
    dd::near_dedup_options o;
    o.threshold = 0.5;
    o.normalize = false;           // the device pipeline takes normalized text from the host
    o.check_signatures = false;    // every candidate pair of a bucket merges, as datatrove
    o.shingle = words ? dd::shingle_kind::word : dd::shingle_kind::character;
    o.ngram = words ? 3 : 8;
    const auto lsh = o.resolved_lsh();
    std::vector<std::string_view> views(docs.begin(), docs.end());
    const auto want = dd::near_dedup(views, o);

    const cu::device_minhash_table table(cu::minhash_params_table{{o.num_perm, o.seed, o.family}});
    const auto packed = cu::pack_documents(docs);
    thrust::device_vector<std::uint64_t> sh, off, sig, keys, edges;
    cu::shingle_documents(thrust::device, packed, {o.ngram, words}, sh, off);
    cu::sign_shingles(thrust::device, sh, off, table, sig);
    cu::band_keys(thrust::device, sig, docs.size(), o.num_perm, lsh, keys);
    const auto hsig = host(sig);
    const auto hkeys = host(keys);
    for (std::size_t d = 0; d < docs.size(); ++d)
      for (std::size_t b = 0; b < lsh.bands; ++b)
        REQUIRE(hkeys[b * docs.size() + d] ==
                dd::band_key(std::span<const std::uint64_t>(hsig.data() + d * o.num_perm, o.num_perm), b, lsh.rows));
    cu::candidate_edges(thrust::device, keys, off, lsh.bands, edges);
    CHECK(edges.size() == want.candidate_edges);
    CHECK(edges.size() > 10);  // the corpus has near copies: the comparison is not vacuous
    thrust::device_vector<std::uint32_t> labels;
    cu::components(thrust::device, docs.size(), edges, labels);
    const auto hl = host(labels);
    std::size_t merged = 0;
    for (std::size_t d = 0; d < docs.size(); ++d) {
      REQUIRE(hl[d] == want.cluster[d]);
      merged += hl[d] != d;
    }
    CHECK(merged > 0);

    // The filtered end on the host from the device's keys and signatures: same clusters and counts
    // as near_dedup with the signature check and/or verification.
    const auto hsh = host(sh);
    const auto hoff = host(off);
    std::vector<char> nonempty(docs.size());
    std::vector<std::vector<std::uint64_t>> sets(docs.size());
    for (std::size_t d = 0; d < docs.size(); ++d) {
      nonempty[d] = hoff[d + 1] > hoff[d];
      sets[d].assign(hsh.begin() + static_cast<std::ptrdiff_t>(hoff[d]), hsh.begin() + static_cast<std::ptrdiff_t>(hoff[d + 1]));
      std::sort(sets[d].begin(), sets[d].end());
      sets[d].erase(std::unique(sets[d].begin(), sets[d].end()), sets[d].end());
    }
    for (const auto& [check, verify] : {std::pair{true, false}, std::pair{false, true}, std::pair{true, true}}) {
      dd::near_dedup_options f = o;
      f.check_signatures = check;
      f.verify = verify;
      const auto w = dd::near_dedup(views, f);
      const auto r = cu::finish_near_on_host(hkeys, hsig, nonempty, sets, f);
      INFO("check ", check, " verify ", verify);
      REQUIRE(r.cluster == w.cluster);
      CHECK(r.candidate_edges == w.candidate_edges);
      CHECK(r.verified_edges == w.verified_edges);
      CHECK(r.head_edges == w.head_edges);
      CHECK(r.check_dropped == w.check_dropped);
      CHECK(r.verify_dropped == w.verify_dropped);
    }
  }
}

TEST_CASE("gpu.exact.cpp_backend.first_occurrence_matches_exact_dedup") {
  auto docs = corpus(300, 9);
  for (std::size_t i = 0; i < 60; ++i) docs.push_back(docs[(i * 7) % 300]);  // exact copies
  std::vector<std::string_view> views(docs.begin(), docs.end());
  const auto want = dd::exact_dedup(views);
  for (std::size_t i = 0; i < docs.size(); ++i) {
    const auto d = cu::detail::xxh3_128(docs[i].data(), docs[i].size());
    const auto w = dd::exact_digest(docs[i]);
    REQUIRE(d.lo == w.lo);
    REQUIRE(d.hi == w.hi);
  }
  thrust::device_vector<char> kept;
  cu::exact_keep(thrust::device, cu::pack_documents(docs), kept);
  const auto hk = host(kept);
  REQUIRE(std::vector<char>(hk.begin(), hk.end()) == want);
  CHECK(std::count(want.begin(), want.end(), 0) >= 60);
  // Clusters: the first occurrence's position, as dedup::exact's cluster callback reports it.
  thrust::device_vector<std::uint64_t> cluster;
  cu::exact_clusters(thrust::device, cu::pack_documents(docs), cluster);
  const auto hc = host(cluster);
  for (std::size_t i = 0; i < docs.size(); ++i) {
    std::size_t j = 0;
    while (docs[j] != docs[i]) ++j;
    REQUIRE(hc[i] == j);
  }
}

TEST_CASE("gpu.augment.cpp_backend.masking_and_span_corruption_match_augment") {
  std::mt19937_64 g(17);
  for (int doc = 0; doc < 300; ++doc) {
    std::string text;
    const std::size_t n = doc % 50 == 0 ? doc % 3 : 1 + g() % 120;
    for (std::size_t i = 0; i < n; ++i) text += (i ? " w" : "w") + std::to_string(g() % 1000);
    const double rate = (doc % 7) * 0.05;
    {
      millrace::augment::token_list t(text);
      millrace::augment::rng r(42, doc, 1, 3);
      const std::size_t edits = millrace::augment::mask_tokens(t, r, rate, doc % 2 == 0, "<mask>");
      cu::device_rng dr(42, doc, 1, 3);
      std::vector<char> flags(t.size());
      REQUIRE(cu::mask_flags(dr, t.size(), rate, doc % 2 == 0, flags.data()) == edits);
      for (std::size_t i = 0; i < t.size(); ++i) REQUIRE((t[i].text == "<mask>") == (flags[i] == 1));
    }
    {
      millrace::augment::token_list t(text);
      const std::size_t tokens = t.size();
      millrace::augment::rng r(5, doc, 2, 4);
      const auto res = millrace::augment::span_corrupt(t, r, 0.15 + 0.1 * (doc % 3), 3.0, "<extra_id_{}>");
      cu::device_rng dr(5, doc, 2, 4);
      std::vector<std::size_t> scratch(tokens + 1), noise_len(tokens + 1), keep_len(tokens + 1);
      std::size_t noise = 0;
      const std::size_t spans = cu::span_plan(dr, tokens, 0.15 + 0.1 * (doc % 3), 3.0, scratch.data(), noise_len.data(),
                                              keep_len.data(), &noise);
      REQUIRE(spans == res.spans);
      REQUIRE(noise == res.noise_tokens);
      // Rebuild the corrupted text from the plan and compare with augment's.
      if (spans == 0) continue;
      millrace::augment::token_list orig(text);
      std::string rebuilt;
      std::size_t at = 0;
      std::vector<std::string> out;
      for (std::size_t s = 0; s < spans; ++s) {
        for (std::size_t i = 0; i < keep_len[s]; ++i) out.emplace_back(orig[at++].text);
        out.push_back("<extra_id_" + std::to_string(s) + ">");
        at += noise_len[s];
      }
      REQUIRE(at == tokens);
      REQUIRE(out.size() == t.size());
      for (std::size_t i = 0; i < out.size(); ++i) REQUIRE(out[i] == t[i].text);
    }
  }
}

TEST_CASE("gpu.budget.cpp_backend.chunked_near_and_exact_match_one_pass") {
  for (const bool words : {true, false}) {
    const auto docs = corpus(400, words ? 31 : 32);
    std::vector<std::string_view> views(docs.begin(), docs.end());
    dd::near_dedup_options o;
    o.threshold = 0.5;
    o.normalize = false;
    o.shingle = words ? dd::shingle_kind::word : dd::shingle_kind::character;
    o.ngram = words ? 3 : 8;
    std::size_t longest = 0;
    for (const auto& d : docs) longest = std::max(longest, d.size());
    const auto lsh = o.resolved_lsh();
    const std::size_t one_doc = cu::sign_bytes_per_doc(longest, o.num_perm, lsh.bands) + 5 * 8 * o.num_perm + 16;
    // Budgets: the largest document only (many chunks, bands and components on the host), enough
    // for a band's sort but not for one pass, and the default (one chunk, all on the device).
    const std::size_t budgets[] = {one_doc, std::max(one_doc, cu::band_bytes_per_doc * docs.size() + 1024),
                                   cu::device_budget{}.device_bytes};
    for (const auto& [check, verify] : {std::pair{false, false}, std::pair{true, false}, std::pair{false, true}}) {
      o.check_signatures = check;
      o.verify = verify;
      const auto want = dd::near_dedup(views, o);
      for (const std::size_t b : budgets) {
        cu::budget_report rep;
        const auto r = cu::near_dedup_in_budget(thrust::device, views, o, {b}, &rep);
        INFO("words ", words, " check ", check, " verify ", verify, " budget ", b, " chunks ", rep.chunks);
        REQUIRE(r.cluster == want.cluster);
        CHECK(r.kept == want.kept);
        CHECK(r.candidate_edges == want.candidate_edges);
        CHECK(r.verified_edges == want.verified_edges);
        if (b == budgets[0]) CHECK(rep.chunks > 20);
        if (b == budgets[2]) CHECK(rep.chunks == 1);
        if (!check && !verify) {
          CHECK(rep.bands_on_device + rep.bands_on_host == lsh.bands);
          CHECK(rep.components_on_device == (cu::component_bytes(docs.size(), r.candidate_edges) <= b));
        }
      }
      CHECK(std::count(want.kept.begin(), want.kept.end(), 0) > 0);  // near copies merged: not vacuous
    }
    // Band edges with every band sorted on the host (budget 0) and every band on the device: the same edges.
    const cu::device_minhash_table table(cu::minhash_params_table{{o.num_perm, o.seed, o.family}});
    const cu::chunk_range all{0, docs.size()};
    const auto s = cu::sign_in_chunks(thrust::device, views, std::span(&all, 1), table, {o.ngram, words}, lsh, false, false);
    cu::budget_report on_host, on_device;
    const auto e_host = cu::chain_edges_in_budget(thrust::device, s.keys, s.nonempty, lsh.bands, 0, on_host);
    const auto e_dev = cu::chain_edges_in_budget(thrust::device, s.keys, s.nonempty, lsh.bands, std::size_t(1) << 30, on_device);
    CHECK(on_host.bands_on_host == lsh.bands);
    CHECK(on_device.bands_on_device == lsh.bands);
    REQUIRE(e_host == e_dev);
    o.check_signatures = o.verify = false;
    CHECK(e_host.size() == dd::near_dedup(views, o).candidate_edges);
    CHECK(e_host.size() > 10);
  }
  // Exact: clusters (and so the kept flags) equal exact_dedup's with digests in chunks.
  auto docs = corpus(300, 9);
  for (std::size_t i = 0; i < 60; ++i) docs.push_back(docs[(i * 7) % 300]);
  std::vector<std::string_view> views(docs.begin(), docs.end());
  const auto want = dd::exact_dedup(views);
  std::size_t longest = 0;
  for (const auto& d : docs) longest = std::max(longest, d.size());
  for (const std::size_t b : {cu::sign_bytes_per_doc(longest, 0, 0) + 16, cu::device_budget{}.device_bytes}) {
    cu::budget_report rep;
    const auto cl = cu::exact_clusters_in_budget(thrust::device, views, {b}, &rep);
    INFO("budget ", b, " chunks ", rep.chunks);
    CHECK((rep.chunks > 1) == (b != cu::device_budget{}.device_bytes));
    CHECK(rep.components_on_device == (48 * docs.size() <= b));
    for (std::size_t i = 0; i < docs.size(); ++i) {
      REQUIRE((cl[i] == i) == (want[i] != 0));
      REQUIRE(docs[cl[i]] == docs[i]);
      REQUIRE(cl[i] <= i);
    }
  }
  // A document that alone exceeds the budget is named.
  const std::size_t lens[] = {10, 5000, 10};
  CHECK_THROWS_WITH_AS(cu::plan_chunks(lens, 112, 14, 20000), doctest::Contains("document 1 (5000 bytes)"), std::length_error);
}

// GPU tests (need a device): the gpu_stage pool against the CPU MinHash, and the device near and
// exact dedup against the CPU operators. Without a usable device the binary prints why and exits
// with 77, which CTest's SKIP_RETURN_CODE reports as "skipped" (never passed, never failed).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <millrace/core.hpp>
#include <millrace/cuda/backend.hpp>
#include <millrace/cuda/runtime.cuh>
#include <millrace/cuda/stage.cuh>
#include <millrace/dedup/exact.hpp>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/exec/tbb.hpp>
#include <millrace/text/shingle.hpp>

namespace cu = millrace::cuda;
namespace dd = millrace::dedup;
namespace mr = millrace;

namespace {
std::vector<std::string> corpus(std::size_t n, std::uint64_t seed) {
  static const char* syll[] = {"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "é", "日本"};
  std::mt19937_64 g(seed);
  std::vector<std::string> docs;
  for (std::size_t i = 0; i < n; ++i) {
    if (i >= 10 && i % 4 == 0) {
      std::string c = docs[g() % i];
      docs.push_back(c + " extra words here");
      continue;
    }
    std::string s;
    const std::size_t words = i % 17 == 0 ? 0 : 1 + g() % 300;
    for (std::size_t w = 0; w < words; ++w) {
      if (w) s += ' ';
      for (std::size_t k = 0, len = 1 + g() % 3; k < len; ++k) s += syll[g() % 10];
    }
    docs.push_back(s);
  }
  return docs;
}
}  // namespace

TEST_CASE("gpu.stage.minhash.4slots.split_batches_match_cpu") {
  const dd::minhash_params p{.num_perm = 112, .seed = 3};
  const auto docs = corpus(3000, 1);
  // Small slots: every batch is split into several parts, in flight on 4 streams at once.
  cu::gpu_stage<cu::minhash_kernel> gpu(cu::minhash_kernel(p, {5, true}),
                                        {.slots = 4, .pinned_bytes = 1 << 20, .device_bytes = 4 << 20});
  std::vector<std::vector<std::uint64_t>> got;
  mr::run(mr::from_range(docs) | mr::async_stage(gpu, "gpu.minhash") | mr::collect(got), mr::cpu{.threads = 4, .batch_size = 256});
  REQUIRE(got.size() == docs.size());
  const dd::minhasher mh(p);
  std::vector<std::uint64_t> h;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    millrace::text::word_shingle_hashes(docs[i], 5, h);
    REQUIRE(got[i] == mh.sign(h));
  }
  CHECK(gpu.peak_in_flight() <= gpu.slots());
  CHECK(gpu.peak_in_flight() >= 1);
}

TEST_CASE("gpu.near.device.matches_cpu_near_dedup") {
  for (const bool words : {true, false}) {
    const auto docs = corpus(5000, words ? 7 : 8);
    std::vector<std::string_view> views(docs.begin(), docs.end());
    dd::near_dedup_options o;
    o.threshold = 0.7;
    o.check_signatures = !words;  // one run each way: device components, host-filtered end
    o.shingle = words ? dd::shingle_kind::word : dd::shingle_kind::character;
    o.ngram = words ? 5 : 12;
    const auto want = dd::near_dedup(views, o);
    const auto got = cu::gpu_near_dedup(views, o);
    REQUIRE(got.cluster == want.cluster);
    CHECK(got.candidate_edges == want.candidate_edges);
    CHECK(std::count(want.kept.begin(), want.kept.end(), 0) > 100);
    // A 2 MiB budget: the same input in chunks (budget.hpp), the same clusters.
    cu::budget_report rep;
    const auto chunked = cu::gpu_near_dedup(views, o, {std::size_t(2) << 20}, &rep);
    CHECK(rep.chunks > 1);
    REQUIRE(chunked.cluster == want.cluster);
  }
}

TEST_CASE("gpu.exact.device.matches_cpu_exact_dedup") {
  auto docs = corpus(4000, 5);
  for (std::size_t i = 0; i < 500; ++i) docs.push_back(docs[i * 3]);
  std::vector<std::string_view> views(docs.begin(), docs.end());
  const auto kept = dd::exact_dedup(views);
  REQUIRE(cu::gpu_exact_dedup(views) == kept);
  const auto cl = cu::gpu_exact_clusters(views);
  for (std::size_t i = 0; i < docs.size(); ++i) REQUIRE((cl[i] == i) == (kept[i] != 0));
  for (std::size_t i = 0; i < docs.size(); ++i) REQUIRE(docs[cl[i]] == docs[i]);
  REQUIRE(cu::gpu_exact_clusters(views, {std::size_t(64) << 10}) == cl);  // digests in chunks
}

int main(int argc, char** argv) {
  const cu::device_probe p = cu::probe_devices();
  if (p.devices == 0) {
    std::fprintf(stderr, "gpu_tests: SKIPPED, no usable CUDA device (%s)\n", p.reason.c_str());
    return 77;  // CTest SKIP_RETURN_CODE
  }
  doctest::Context ctx(argc, argv);
  return ctx.run();
}

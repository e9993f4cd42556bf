// bench_gpu: the GPU backend on one device, against baselines in the same run (docs/gpu.md).
//   bench_gpu --docs 200000 --out figures.txt
// 1. MinHash (112 permutations, word 5-grams, mersenne61) through gpu_stage: docs/s and GB/s
//    (host text in, signatures back on the host), and the CPU minhasher on all cores.
// 2. Band-key sort: our stable_sort_by_key of (key, doc) against raw cub::DeviceRadixSort::SortPairs
//    on the same keys: keys/s.
// 3. Near dedup in memory (normalize on the host, then the device pipeline) against dedup::near_dedup
//    on all cores, MB/s, with a check that the clusters are identical.
// Without a device it prints why and exits 77.
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <cub/device/device_radix_sort.cuh>
#include <thrust/device_vector.h>
#include <thrust/sort.h>

#include <millrace/core.hpp>
#include <millrace/cuda/backend.hpp>
#include <millrace/cuda/runtime.cuh>
#include <millrace/cuda/stage.cuh>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/exec/tbb.hpp>
#include <millrace/synth/corpus.hpp>
#include <millrace/text/normalize.hpp>
#include <millrace/text/shingle.hpp>

namespace cu = millrace::cuda;
namespace dd = millrace::dedup;
namespace mr = millrace;

namespace {
double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

int main(int argc, char** argv) {
  std::size_t docs_n = 200000;
  std::string out_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--docs") docs_n = std::stoul(argv[i + 1]);
    else if (a == "--out") out_path = argv[i + 1];
  }
  const cu::device_probe p = cu::probe_devices();
  if (p.devices == 0) {
    std::fprintf(stderr, "bench_gpu: SKIPPED, no usable CUDA device (%s)\n", p.reason.c_str());
    return 77;
  }
  cudaDeviceProp prop{};
  MILLRACE_CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  std::FILE* out = out_path.empty() ? stdout : std::fopen(out_path.c_str(), "a");
  std::fprintf(out, "bench_gpu: device %s, %zu docs\n", prop.name, docs_n);

  const auto corpus = millrace::synth::generate_corpus({.docs = docs_n, .seed = 11});
  std::vector<std::string> texts;
  std::size_t bytes = 0;
  for (const auto& d : corpus) {
    texts.push_back(millrace::text::normalize(d.text));
    bytes += texts.back().size();
  }
  const double mb = double(bytes) / 1e6;
  const dd::minhash_params mp{.num_perm = 112, .seed = 1};

  // 1. MinHash through the stage (warm-up run first: module load, pool allocation).
  {
    cu::gpu_stage<cu::minhash_kernel> gpu(cu::minhash_kernel(mp, {5, true}), {.slots = 4});
    std::vector<std::vector<std::uint64_t>> sigs;
    const mr::cpu exec{.threads = 0, .batch_size = 8192};
    mr::run(mr::from_range(std::vector<std::string>(texts.begin(), texts.begin() + std::min<std::size_t>(texts.size(), 20000))) |
                mr::async_stage(gpu, "gpu.minhash") | mr::collect(sigs),
            exec);
    sigs.clear();
    auto pipeline = mr::from_range(texts) | mr::async_stage(gpu, "gpu.minhash") | mr::collect(sigs);  // copies texts: untimed
    auto t0 = std::chrono::steady_clock::now();
    mr::run(pipeline, exec);
    const double g = seconds_since(t0);
    const dd::minhasher mh(mp);
    std::vector<std::vector<std::uint64_t>> cpu(texts.size());
    t0 = std::chrono::steady_clock::now();
    mr::with_executor(mr::cpu{}, [&] {
      millrace::parallel_for(0, texts.size(), 64, [&](std::size_t lo, std::size_t hi) {
        std::vector<std::uint64_t> h;
        for (std::size_t i = lo; i < hi; ++i) {
          millrace::text::word_shingle_hashes(texts[i], 5, h);
          cpu[i] = mh.sign(h);
        }
      });
    });
    const double c = seconds_since(t0);
    const bool same = cpu == sigs;
    std::fprintf(out, "minhash gpu_stage: %.0f docs/s, %.2f GB/s | cpu all cores: %.0f docs/s, %.2f GB/s | ratio %.2fx | identical %s | peak in flight %zu/%zu\n",
                 texts.size() / g, bytes / g / 1e9, texts.size() / c, bytes / c / 1e9, c / g, same ? "yes" : "NO",
                 gpu.peak_in_flight(), gpu.slots());
  }

  // 2. Band-key sort against raw CUB on the same keys.
  {
    const std::size_t n = std::max<std::size_t>(docs_n * 14, 1 << 20);
    std::vector<std::uint64_t> hk(n);
    std::uint64_t s = 5;
    for (auto& k : hk) k = (s = s * 6364136223846793005ull + 1442695040888963407ull) ^ (s >> 29);
    thrust::device_vector<std::uint64_t> k0(hk.begin(), hk.end()), k1(n), kout(n);
    thrust::device_vector<std::uint32_t> v0(n), v1(n), vout(n);
    thrust::sequence(v0.begin(), v0.end());
    k1 = k0;
    v1 = v0;
    cudaDeviceSynchronize();
    auto t0 = std::chrono::steady_clock::now();
    thrust::stable_sort_by_key(k1.begin(), k1.end(), v1.begin());
    cudaDeviceSynchronize();
    const double ours = seconds_since(t0);
    std::size_t temp = 0;
    cub::DeviceRadixSort::SortPairs(nullptr, temp, cu::detail::raw(k0), cu::detail::raw(kout), cu::detail::raw(v0),
                                    cu::detail::raw(vout), static_cast<int>(n));
    thrust::device_vector<unsigned char> tmp(temp);
    cudaDeviceSynchronize();
    t0 = std::chrono::steady_clock::now();
    cub::DeviceRadixSort::SortPairs(cu::detail::raw(tmp), temp, cu::detail::raw(k0), cu::detail::raw(kout),
                                    cu::detail::raw(v0), cu::detail::raw(vout), static_cast<int>(n));
    cudaDeviceSynchronize();
    const double raw = seconds_since(t0);
    const bool same = kout == k1 && vout == v1;
    std::fprintf(out, "band-key sort: ours %.3g keys/s | raw cub::DeviceRadixSort %.3g keys/s | ratio ours/raw %.2f | same order %s\n",
                 n / ours, n / raw, raw / ours, same ? "yes" : "NO");
  }

  // 3. Near dedup, in memory (texts already normalized).
  {
    std::vector<std::string_view> views(texts.begin(), texts.end());
    dd::near_dedup_options o;
    o.normalize = false;
    o.check_signatures = false;
    (void)cu::gpu_near_dedup(std::span<const std::string_view>(views.data(), std::min<std::size_t>(views.size(), 1000)), o);
    auto t0 = std::chrono::steady_clock::now();
    const auto g = cu::gpu_near_dedup(views, o);
    const double gs = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    const auto c = mr::with_executor(mr::cpu{}, [&] { return dd::near_dedup(views, o); });
    const double cs = seconds_since(t0);
    std::fprintf(out, "near dedup in memory: gpu %.0f MB/s | cpu all cores %.0f MB/s | ratio %.2fx | clusters identical %s\n",
                 mb / gs, mb / cs, cs / gs, g.cluster == c.cluster ? "yes" : "NO");
  }
  if (out != stdout) std::fclose(out);
  return 0;
}

// The GPU backend as plain C++ (no CUDA header): whether a device is usable, and the device dedup
// pipeline on host texts, compiled once by nvcc into millrace_cuda_backend (src/cuda/backend.cu)
// so that g++-built jobs (millrace-dedup --device gpu) can call it.
//   if (auto a = millrace::cuda::gpu_available(); a.devices == 0) std::cerr << a.reason;
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <millrace/dedup/near_dedup.hpp>

namespace millrace::cuda {

/// How many CUDA devices are usable, and why none when none (the runtime's error, e.g.
/// cudaErrorInsufficientDriver (35) where no driver is loaded).
struct gpu_availability {
  int devices = 0;
  std::string reason;
};

/// Never throws.
gpu_availability gpu_available();

/// Near dedup with the same result as dedup::near_dedup(texts, o): normalization on the host
/// (o.normalize), shingles, MinHash and band keys on the device; then, without check or verify,
/// chain edges and components on the device too, else the filtered end on the host
/// (host_finish.hpp). cluster[i] = smallest document of i's cluster; kept[i] = cluster[i] == i.
/// Throws std::runtime_error when no device is usable.
dedup::near_dedup_result gpu_near_dedup(std::span<const std::string_view> texts, const dedup::near_dedup_options& o);

/// Exact dedup on the device: kept[i] = 1 for the first occurrence of each distinct xxh3-128 of
/// the bytes (normalize on the host first for dedup::exact_options::normalize).
std::vector<char> gpu_exact_dedup(std::span<const std::string_view> texts);

/// Exact dedup clusters on the device: cluster[i] = position of the first occurrence of i's text.
std::vector<std::uint64_t> gpu_exact_clusters(std::span<const std::string_view> texts);

}  // namespace millrace::cuda

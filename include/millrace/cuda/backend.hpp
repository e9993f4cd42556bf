// millrace/cuda/backend.hpp — the GPU backend as plain C++ (no CUDA header): whether a device is
// usable, and the device dedup pipeline on host texts, compiled once by nvcc into
// millrace_cuda_backend (src/cuda/backend.cu) so that g++-built jobs (millrace-dedup --device gpu)
// can call it, within a device-memory budget.
//   if (auto a = millrace::cuda::gpu_available(); a.devices == 0) std::cerr << a.reason;
#pragma once

#include <cstddef>
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
  int devices = 0;     ///< usable CUDA devices (0: none, or no driver)
  std::string reason;  ///< why none is usable; empty when devices > 0
};

/// Device memory the GPU dedup may use for its buffers (Thrust's sort temporaries come on top:
/// see docs/gpu.md).
struct device_budget {
  std::size_t device_bytes = std::size_t(8) << 30;  ///< default 8 GiB (an H200 has 141 GB)
};

/// What the budgeted pipeline did (for tests and logs): how many chunks, and which steps ran on the
/// device and which fell back to the host because they did not fit.
struct budget_report {
  std::size_t chunks = 0;             ///< signing passes (1: the whole input fit)
  std::size_t bands_on_device = 0;    ///< bands whose (key, doc) sort and chain edges ran on the device
  std::size_t bands_on_host = 0;      ///< bands too large for the budget: sorted on the host (same edges)
  bool components_on_device = false;  ///< min-label components on the device (else dedup::connected_components)
};

/// Never throws.
gpu_availability gpu_available();

/// Near dedup with the same result as dedup::near_dedup(texts, o): normalization on the host
/// (o.normalize), shingles, MinHash and band keys on the device; then, without check or verify,
/// chain edges and components on the device too, else the filtered end on the host
/// (host_finish.hpp). cluster[i] = smallest document of i's cluster; kept[i] = cluster[i] == i.
/// Inputs whose one-pass device buffers exceed `budget` run in chunks (budget.hpp: the same result).
/// Throws std::runtime_error when no device is usable, std::length_error when one document alone
/// exceeds the budget.
dedup::near_dedup_result gpu_near_dedup(std::span<const std::string_view> texts, const dedup::near_dedup_options& o,
                                        device_budget budget = {}, budget_report* report = nullptr);

/// Exact dedup on the device: kept[i] = 1 for the first occurrence of each distinct xxh3-128 of
/// the bytes (normalize on the host first for dedup::exact_options::normalize).
std::vector<char> gpu_exact_dedup(std::span<const std::string_view> texts, device_budget budget = {});

/// Exact dedup clusters on the device: cluster[i] = position of the first occurrence of i's text.
/// Digests in chunks within `budget` (budget.hpp).
std::vector<std::uint64_t> gpu_exact_clusters(std::span<const std::string_view> texts, device_budget budget = {});

}  // namespace millrace::cuda

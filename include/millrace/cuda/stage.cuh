// millrace/cuda/stage.cuh — gpu_stage: a batch operator on the GPU as an mr::async_stage object.
// A pool of slots (each its own stream, pinned host staging, device scratch and completion event)
// bounds the batches in flight; a batch is packed into a slot's pinned buffer, copied host ->
// device, run, copied back, and finished from the pool's completion thread when the slot's
// stream reaches its event, so no TBB worker waits. Slots return as their streams finish (out of
// order); copy and compute overlap across slots. Batches larger than a slot are split and
// reassembled in order. Include from .cu files only.
//   auto gpu = millrace::cuda::gpu_stage(millrace::cuda::minhash_kernel(params, {5, true}), {.slots = 4});
//   mr::run(source | mr::async_stage(gpu, "gpu.minhash") | sink, exec);
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <cuda_runtime.h>
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/scan.h>

#include <millrace/core/stage_ops.hpp>
#include <millrace/cuda/slot_pool.hpp>
#include <millrace/cuda/algorithms.hpp>
#include <millrace/cuda/runtime.cuh>

namespace millrace::cuda {

/// One slot with CUDA: its own stream, completion event, pinned host buffer and device scratch.
/// All handles are made by cuda_runtime::create_slot and released by destroy_slot: valid for the
/// pool's lifetime, owned by the slot (a default-constructed gpu_slot owns nothing).
struct gpu_slot {
  cudaStream_t stream{};  ///< non-blocking stream all of the slot's copies and kernels run on
  cudaEvent_t done{};     ///< recorded after the slot's work by notify_when_done (timing disabled)
  std::byte* pinned = nullptr;  ///< pinned host staging buffer (cudaMallocHost), pinned_bytes long
  std::byte* device = nullptr;  ///< device scratch buffer (cudaMalloc), device_bytes long
  std::size_t pinned_bytes = 0, device_bytes = 0;  ///< buffer sizes in bytes (gpu_stage_options')
  int ordinal = 0;  ///< CUDA device the slot's resources live on (activate makes it current)
};

/// slot_pool_stage's Runtime for CUDA.
struct cuda_runtime {
  using slot = gpu_slot;
  /// A stream, an event, pinned_bytes of pinned host memory and device_bytes on the device.
  /// A failure part way frees what was already made (the pool only destroys whole slots).
  static slot create_slot(const gpu_stage_options& o) {
    slot s;
    s.ordinal = o.device;
    try {
      MILLRACE_CUDA_CHECK(cudaSetDevice(o.device));
      MILLRACE_CUDA_CHECK(cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking));
      MILLRACE_CUDA_CHECK(cudaEventCreateWithFlags(&s.done, cudaEventDisableTiming));
      MILLRACE_CUDA_CHECK(cudaMallocHost(reinterpret_cast<void**>(&s.pinned), o.pinned_bytes));
      MILLRACE_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&s.device), o.device_bytes));
    } catch (...) {
      destroy_slot(s);
      throw;
    }
    s.pinned_bytes = o.pinned_bytes;
    s.device_bytes = o.device_bytes;
    return s;
  }
  /// Waits for the slot's stream, then frees everything it holds (a handle not made is skipped).
  static void destroy_slot(slot& s) {
    if (s.stream) {
      cudaStreamSynchronize(s.stream);
      cudaStreamDestroy(s.stream);
    }
    if (s.done) cudaEventDestroy(s.done);
    if (s.pinned) cudaFreeHost(s.pinned);
    if (s.device) cudaFree(s.device);
  }
  /// Makes the slot's device current on the calling thread.
  static void activate(slot& s) { MILLRACE_CUDA_CHECK(cudaSetDevice(s.ordinal)); }
  // The event marks the end of the slot's work; the host function (a CUDA runtime thread) fires
  // after it, so no thread of ours polls or waits.
  /// Calls fn(user) from a CUDA thread once the work enqueued on the slot so far is done.
  static void notify_when_done(slot& s, void (*fn)(void*), void* user) {
    MILLRACE_CUDA_CHECK(cudaEventRecord(s.done, s.stream));
    MILLRACE_CUDA_CHECK(cudaLaunchHostFunc(s.stream, fn, user));
  }
  /// Throws cuda_error if the slot's work failed.
  static void check_done(slot& s) {
    MILLRACE_CUDA_CHECK(cudaEventSynchronize(s.done));  // already complete: returns at once
    MILLRACE_CUDA_CHECK(cudaGetLastError());
  }
};

/// gpu_stage<Kernel>: slot_pool_stage over CUDA streams (see slot_pool.hpp for the Kernel concept;
/// its slot is gpu_slot).
template <class Kernel>
using gpu_stage = slot_pool_stage<Kernel, cuda_runtime>;

/// The MinHash kernel for gpu_stage: input texts (already normalized when wanted), output one
/// signature (num_perm values) per text, bit-identical to dedup::minhasher::sign of
/// text::word/char_shingle_hashes. Slot layout: pinned = offsets | bytes | signatures out;
/// device = bytes | offsets | shingle offsets | shingles | signatures.
class minhash_kernel {
 public:
  using input_type = std::string;
  using output_type = std::vector<std::uint64_t>;

  /// Copies the permutation table to the current device once (shared by copies of the kernel).
  minhash_kernel(dedup::minhash_params p, shingle_options o)
      : table_(std::make_shared<device_minhash_table>(minhash_params_table(p))), o_(o) {
    if (o.ngram > max_device_ngram) throw std::invalid_argument("cuda::minhash_kernel: ngram above 64");
  }

  /// How many texts of the prefix fit one slot's pinned and device buffers.
  std::size_t fit(std::span<const std::string> items, const gpu_slot& s) const {
    std::size_t pinned = 8, device = 16, k = 0;
    const std::size_t m = table_->num_perm;
    for (const std::string& t : items) {
      const std::size_t tb = round8(t.size());
      pinned += tb + 8 + 8 * m;
      device += tb + 16 + 8 * (t.size() + 1) + 8 * m;  // a shingle per byte at most, plus one
      if (pinned > s.pinned_bytes || device > s.device_bytes) break;
      ++k;
    }
    return k;
  }

  /// Packs the texts into pinned memory; H2D, shingles, scan, MinHash, D2H on the slot's stream.
  void enqueue(std::span<const std::string> items, gpu_slot& s) const {
    const std::size_t n = items.size(), m = table_->num_perm;
    auto* off = reinterpret_cast<std::uint64_t*>(s.pinned);
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < n; ++i) {
      off[i] = bytes;
      bytes += items[i].size();
    }
    off[n] = bytes;
    char* text = reinterpret_cast<char*>(off + n + 1);
    for (std::size_t i = 0; i < n; ++i) std::memcpy(text + off[i], items[i].data(), items[i].size());
    // Device layout.
    std::byte* d = s.device;
    char* d_text = reinterpret_cast<char*>(d);
    d += round8(bytes);
    auto* d_off = reinterpret_cast<std::uint64_t*>(d);
    auto* d_soff = d_off + n + 1;
    auto* d_sh = d_soff + n + 1;
    auto* d_sig = d_sh + bytes + n;
    MILLRACE_CUDA_CHECK(cudaMemcpyAsync(d_text, text, bytes, cudaMemcpyHostToDevice, s.stream));
    MILLRACE_CUDA_CHECK(cudaMemcpyAsync(d_off, off, 8 * (n + 1), cudaMemcpyHostToDevice, s.stream));
    auto pol = thrust::cuda::par_nosync.on(s.stream);
    thrust::counting_iterator<std::size_t> first(0);
    thrust::for_each(pol, first, first + n, detail::shingle_count_functor{d_text, d_off, d_soff, o_});
    MILLRACE_CUDA_CHECK(cudaMemsetAsync(d_soff + n, 0, 8, s.stream));
    thrust::exclusive_scan(pol, thrust::device_pointer_cast(d_soff), thrust::device_pointer_cast(d_soff + n + 1),
                           thrust::device_pointer_cast(d_soff));
    thrust::for_each(pol, first, first + n, detail::shingle_write_functor{d_text, d_off, d_soff, d_sh, o_});
    const device_minhash_table& t = *table_;
    thrust::for_each(pol, first, first + n * m,
                     minhash_functor{detail::raw(t.a0), detail::raw(t.a1), detail::raw(t.c0), detail::raw(t.c1),
                                     detail::raw(t.b), d_sh, d_soff, d_sig, m, t.mersenne});
    MILLRACE_CUDA_CHECK(cudaMemcpyAsync(out_area(s, n, bytes), d_sig, 8 * n * m, cudaMemcpyDeviceToHost, s.stream));
  }

  /// One signature per text, from the slot's pinned output area.
  void collect(std::span<const std::string> items, const gpu_slot& s, std::vector<output_type>& out) const {
    const std::size_t n = items.size(), m = table_->num_perm;
    const auto* off = reinterpret_cast<const std::uint64_t*>(s.pinned);
    const std::uint64_t* sig = out_area(s, n, off[n]);
    out.resize(n);
    for (std::size_t i = 0; i < n; ++i) out[i].assign(sig + i * m, sig + (i + 1) * m);
  }

 private:
  static std::size_t round8(std::size_t x) { return (x + 7) & ~std::size_t(7); }
  static std::uint64_t* out_area(const gpu_slot& s, std::size_t n, std::size_t bytes) {
    return reinterpret_cast<std::uint64_t*>(s.pinned + 8 * (n + 1) + round8(bytes));
  }
  std::shared_ptr<device_minhash_table> table_;  // shared by copies: one table on the device
  shingle_options o_;
};

}  // namespace millrace::cuda

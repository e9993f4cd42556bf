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
#include <millrace/cuda/algorithms.hpp>
#include <millrace/cuda/runtime.cuh>

namespace millrace::cuda {

/// A gpu_stage's pool; the device memory budget of the stage is slots * device_bytes (plus the
/// kernel's constant tables), its pinned host memory slots * pinned_bytes.
struct gpu_stage_options {
  std::size_t slots = 4;                          ///< batches in flight on the GPU (own limit, not the executor's tokens)
  std::size_t pinned_bytes = std::size_t(64) << 20;   ///< per slot: pinned staging for inputs and outputs
  std::size_t device_bytes = std::size_t(256) << 20;  ///< per slot: device scratch
  int device = 0;                                 ///< CUDA device ordinal
};

/// One slot of the pool.
struct gpu_slot {
  cudaStream_t stream{};
  cudaEvent_t done{};
  std::byte* pinned = nullptr;
  std::byte* device = nullptr;
  std::size_t pinned_bytes = 0, device_bytes = 0;
};

/// gpu_stage<Kernel>: Kernel has input_type, output_type and
///   std::size_t fit(std::span<const input_type>, const gpu_slot&) const;  // items of a prefix that fit (0: the first does not)
///   void enqueue(std::span<const input_type>, gpu_slot&) const;          // pack, H2D, kernels, D2H on slot.stream; no waiting
///   void collect(std::span<const input_type>, const gpu_slot&, std::vector<output_type>&) const;  // after the event
/// Copies share one pool (the resources), so mr::async_stage's copy of it uses the same slots.
template <class Kernel>
class gpu_stage {
 public:
  using input_type = typename Kernel::input_type;
  using output_type = typename Kernel::output_type;

  /// Allocates the pool (throws cuda_error when there is no device).
  explicit gpu_stage(Kernel k, gpu_stage_options o = {}) : pool_(std::make_shared<pool>(std::move(k), o)) {}

  /// Splits the batch into slot-sized parts, queues them and returns at once; `done` is called from
  /// the pool's completion thread with the outputs in input order.
  void submit(std::vector<input_type>&& batch, millrace::completion<output_type> done) const {
    pool_->submit(std::move(batch), std::move(done));
  }

  /// Slots in the pool (the bound on batches in flight).
  std::size_t slots() const { return pool_->slots.size(); }
  /// The most parts that were on the GPU at once: never above slots().
  std::size_t peak_in_flight() const { return pool_->peak; }

 private:
  struct batch_state {
    std::vector<input_type> items;
    std::vector<std::vector<output_type>> parts;
    std::size_t remaining = 0;
    millrace::completion<output_type> done;
    std::exception_ptr error;
    explicit batch_state(millrace::completion<output_type> d) : done(std::move(d)) {}
  };
  struct part {
    std::shared_ptr<batch_state> batch;
    std::size_t index, first, count;
  };
  struct pool;
  struct callback_ctx {
    pool* owner;
    std::size_t slot;
  };

  struct pool {
    Kernel kernel;
    std::vector<gpu_slot> slots;
    std::vector<callback_ctx> ctx;
    std::vector<part> running;       // per slot
    std::vector<std::size_t> free_slots;
    std::deque<part> pending;
    std::deque<std::size_t> finished;  // slots whose event completed, in completion order
    std::mutex m;
    std::condition_variable cv;
    std::size_t in_flight = 0, peak = 0;
    bool stopping = false;
    int device;
    std::thread completer;

    pool(Kernel k, const gpu_stage_options& o) : kernel(std::move(k)), device(o.device) {
      if (o.slots == 0) throw std::invalid_argument("cuda::gpu_stage: slots must be > 0");
      MILLRACE_CUDA_CHECK(cudaSetDevice(o.device));
      slots.resize(o.slots);
      ctx.resize(o.slots);
      running.resize(o.slots);
      for (std::size_t i = 0; i < o.slots; ++i) {
        gpu_slot& s = slots[i];
        MILLRACE_CUDA_CHECK(cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking));
        MILLRACE_CUDA_CHECK(cudaEventCreateWithFlags(&s.done, cudaEventDisableTiming));
        MILLRACE_CUDA_CHECK(cudaMallocHost(reinterpret_cast<void**>(&s.pinned), o.pinned_bytes));
        MILLRACE_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&s.device), o.device_bytes));
        s.pinned_bytes = o.pinned_bytes;
        s.device_bytes = o.device_bytes;
        ctx[i] = {this, i};
        free_slots.push_back(i);
      }
      completer = std::thread([this] { complete_loop(); });
    }
    ~pool() {
      {
        std::lock_guard<std::mutex> l(m);
        stopping = true;
      }
      cv.notify_all();
      completer.join();
      for (gpu_slot& s : slots) {
        cudaStreamSynchronize(s.stream);
        cudaStreamDestroy(s.stream);
        cudaEventDestroy(s.done);
        cudaFreeHost(s.pinned);
        cudaFree(s.device);
      }
    }

    void submit(std::vector<input_type>&& items, millrace::completion<output_type> done) {
      auto b = std::make_shared<batch_state>(std::move(done));
      b->items = std::move(items);
      std::vector<part> parts;
      const std::span<const input_type> all(b->items);
      for (std::size_t first = 0; first < all.size();) {
        const std::size_t k = kernel.fit(all.subspan(first), slots[0]);
        if (k == 0)
          throw std::length_error("cuda::gpu_stage: item " + std::to_string(first) +
                                  " of the batch does not fit one slot (raise pinned_bytes / device_bytes)");
        parts.push_back({b, parts.size(), first, k});
        first += k;
      }
      if (parts.empty()) {
        b->done.done({});
        return;
      }
      b->parts.resize(parts.size());
      b->remaining = parts.size();
      std::unique_lock<std::mutex> l(m);
      for (auto& p : parts) pending.push_back(std::move(p));
      pump(l);
    }

    // Under the lock: start pending parts on free slots. Enqueueing is asynchronous (no waiting).
    void pump(std::unique_lock<std::mutex>&) {
      while (!free_slots.empty() && !pending.empty()) {
        const std::size_t i = free_slots.back();
        free_slots.pop_back();
        part p = std::move(pending.front());
        pending.pop_front();
        try {
          MILLRACE_CUDA_CHECK(cudaSetDevice(device));
          kernel.enqueue(std::span<const input_type>(p.batch->items).subspan(p.first, p.count), slots[i]);
          MILLRACE_CUDA_CHECK(cudaEventRecord(slots[i].done, slots[i].stream));
          MILLRACE_CUDA_CHECK(cudaLaunchHostFunc(slots[i].stream, &on_event, &ctx[i]));
        } catch (...) {
          free_slots.push_back(i);
          fail_part(p, std::current_exception());
          continue;
        }
        running[i] = std::move(p);
        peak = std::max(peak, ++in_flight);
      }
    }

    // Runs on a CUDA runtime thread: no CUDA calls allowed here, only the handoff.
    static void CUDART_CB on_event(void* user) {
      auto* c = static_cast<callback_ctx*>(user);
      {
        std::lock_guard<std::mutex> l(c->owner->m);
        c->owner->finished.push_back(c->slot);
      }
      c->owner->cv.notify_all();
    }

    void fail_part(part& p, std::exception_ptr e) {
      if (!p.batch->error) p.batch->error = e;
      if (--p.batch->remaining == 0) p.batch->done.fail(p.batch->error);
    }

    void complete_loop() {
      std::unique_lock<std::mutex> l(m);
      for (;;) {
        cv.wait(l, [&] { return !finished.empty() || (stopping && in_flight == 0); });
        if (finished.empty()) return;  // stopping, nothing left on the GPU
        const std::size_t i = finished.front();
        finished.pop_front();
        part p = std::move(running[i]);
        std::shared_ptr<batch_state> b = p.batch;
        std::exception_ptr err;
        std::vector<output_type> out;
        try {
          MILLRACE_CUDA_CHECK(cudaEventSynchronize(slots[i].done));  // already complete: returns at once
          MILLRACE_CUDA_CHECK(cudaGetLastError());
          if (!b->error) kernel.collect(std::span<const input_type>(b->items).subspan(p.first, p.count), slots[i], out);
        } catch (...) {
          err = std::current_exception();
        }
        --in_flight;
        free_slots.push_back(i);
        pump(l);  // the freed slot takes the next pending part
        if (err) {
          fail_part(p, err);
          continue;
        }
        b->parts[p.index] = std::move(out);
        if (--b->remaining > 0) continue;
        if (b->error) {
          b->done.fail(b->error);
          continue;
        }
        std::vector<output_type> all;
        all.reserve(b->items.size());
        for (auto& v : b->parts)
          for (auto& x : v) all.push_back(std::move(x));
        l.unlock();  // the downstream callback may take time; the pool keeps going
        b->done.done(std::move(all));
        l.lock();
      }
    }
  };

  std::shared_ptr<pool> pool_;
};

/// The MinHash kernel for gpu_stage: input texts (already normalized when wanted), output one
/// signature (num_perm values) per text, bit-identical to dedup::minhasher::sign of
/// text::word/char_shingle_hashes. Slot layout: pinned = offsets | bytes | signatures out;
/// device = bytes | offsets | shingle offsets | shingles | signatures.
class minhash_kernel {
 public:
  using input_type = std::string;
  using output_type = std::vector<std::uint64_t>;

  minhash_kernel(dedup::minhash_params p, shingle_options o)
      : table_(std::make_shared<device_minhash_table>(minhash_params_table(p))), o_(o) {
    if (o.ngram > max_device_ngram) throw std::invalid_argument("cuda::minhash_kernel: ngram above 64");
  }

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

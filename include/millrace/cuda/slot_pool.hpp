// millrace/cuda/slot_pool.hpp — slot_pool_stage: the machinery of a GPU stage, independent of the
// CUDA runtime (a Runtime policy supplies slots and completion notices), so that its concurrency
// is tested on the CPU with an emulated runtime (tests/gpu) and used with CUDA by stage.cuh. A pool of
// slots bounds the parts in flight; a batch is split into parts that fit a slot, each part is
// enqueued on a free slot, and a slot returns when its runtime says its work is done (in any
// order); the batch completes through mr::completion, in input order, from the pool's own thread.
//   millrace::cuda::slot_pool_stage<my_kernel, my_runtime> st(my_kernel{}, {.slots = 4});  mr::async_stage(st, "gpu")
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <millrace/core/stage_ops.hpp>

namespace millrace::cuda {

/// Where a GPU stage's outputs live. host: copied back, the slot returns to the pool at once.
/// device: left in the slot's device memory for the next GPU stage (no device -> host -> device
/// round trip); the slot returns when the last output holding its slot_lease is dropped.
enum class memory_space : unsigned char { host, device };

/// Kernel::output_space when the kernel declares one, else memory_space::host.
template <class Kernel>
constexpr memory_space output_space_of() {
  if constexpr (requires { Kernel::output_space; }) return Kernel::output_space;
  else return memory_space::host;
}

/// Holds a slot out of its pool while device-space outputs in its memory are alive (copies share it).
using slot_lease = std::shared_ptr<const void>;

/// A GPU stage's pool; with CUDA the stage's device memory budget is slots * device_bytes (plus the
/// kernel's constant tables), its pinned host memory slots * pinned_bytes.
struct gpu_stage_options {
  std::size_t slots = 4;                              ///< parts in flight (the pool's own limit, not the executor's tokens)
  std::size_t pinned_bytes = std::size_t(64) << 20;   ///< per slot: pinned staging for inputs and outputs
  std::size_t device_bytes = std::size_t(256) << 20;  ///< per slot: device scratch
  int device = 0;                                     ///< CUDA device ordinal
};

/// slot_pool_stage<Kernel, Runtime>: an mr::async_stage object.
/// Runtime: `slot` type; static slot create_slot(const gpu_stage_options&); destroy_slot(slot&)
/// (waits for its work); activate(slot&) (before enqueueing: the device); notify_when_done(slot&,
/// void (*)(void*), void*) (calls back, from any thread, when the work enqueued so far is done);
/// check_done(slot&) (throws the slot's error, if any).
/// Kernel: input_type, output_type and
///   std::size_t fit(std::span<const input_type>, const slot&) const;  // items of a prefix that fit one slot (0: the first does not)
///   void enqueue(std::span<const input_type>, slot&) const;          // pack, copy in, compute, copy out; no waiting
///   void collect(std::span<const input_type>, const slot&, std::vector<output_type>&) const;  // after it is done
/// A kernel with `static constexpr memory_space output_space = memory_space::device` collects with
/// the part's lease instead: collect(items, slot, const slot_lease&, out), each output keeping a copy;
/// the stage must outlive the leases (its destructor waits for them).
/// Copies share one pool (the resources), so mr::async_stage's copy of it uses the same slots.
template <class Kernel, class Runtime>
class slot_pool_stage {
 public:
  using input_type = typename Kernel::input_type;
  using output_type = typename Kernel::output_type;

  /// Allocates the pool (Runtime::create_slot throws when it cannot, e.g. without a device).
  explicit slot_pool_stage(Kernel k, gpu_stage_options o = {}) : pool_(std::make_shared<pool>(std::move(k), o)) {}

  /// Splits the batch into slot-sized parts, queues them and returns at once; `done` is called from
  /// the pool's completion thread with the outputs in input order.
  void submit(std::vector<input_type>&& batch, millrace::completion<output_type> done) const {
    pool_->submit(std::move(batch), std::move(done));
  }

  /// Slots in the pool (the bound on batches in flight).
  std::size_t slots() const { return pool_->slots.size(); }
  /// The most parts that were on the GPU at once: never above slots().
  std::size_t peak_in_flight() const { return pool_->peak; }
  /// Where this stage's outputs live.
  static constexpr memory_space output_space = output_space_of<Kernel>();
  /// Slots held now by device-space outputs (always 0 for a host-space kernel).
  std::size_t leased() const {
    std::lock_guard<std::recursive_mutex> l(pool_->m);
    return pool_->leased;
  }

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
    std::vector<typename Runtime::slot> slots;
    std::vector<callback_ctx> ctx;
    std::vector<part> running;       // per slot
    std::vector<std::size_t> free_slots;
    std::deque<part> pending;
    std::deque<std::size_t> finished;  // slots whose event completed, in completion order
    // Recursive: a lease may be dropped (returning its slot) on the completion thread under the lock.
    mutable std::recursive_mutex m;
    std::condition_variable_any cv;
    std::size_t in_flight = 0, peak = 0, leased = 0;
    bool stopping = false;
    std::thread completer;

    pool(Kernel k, const gpu_stage_options& o) : kernel(std::move(k)) {
      if (o.slots == 0) throw std::invalid_argument("cuda::gpu_stage: slots must be > 0");
      slots.reserve(o.slots);
      ctx.resize(o.slots);
      running.resize(o.slots);
      try {
        for (std::size_t i = 0; i < o.slots; ++i) {
          slots.push_back(Runtime::create_slot(o));
          ctx[i] = {this, i};
          free_slots.push_back(i);
        }
      } catch (...) {
        for (auto& s : slots) Runtime::destroy_slot(s);  // the ones made before the failure
        throw;
      }
      completer = std::thread([this] { complete_loop(); });
    }
    ~pool() {
      {
        std::unique_lock<std::recursive_mutex> l(m);
        cv.wait(l, [&] { return leased == 0; });  // device-space outputs still point into the slots
        stopping = true;
      }
      cv.notify_all();
      completer.join();
      for (auto& s : slots) Runtime::destroy_slot(s);  // waits for the slot's stream first
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
      // Device space: a batch's slots stay leased until it is complete downstream, so all its parts
      // must be on the device together (more parts than slots could never finish).
      if (output_space_of<Kernel>() == memory_space::device && parts.size() > slots.size())
        throw std::length_error("cuda::gpu_stage: a device-space batch of " + std::to_string(all.size()) + " items needs " +
                                std::to_string(parts.size()) + " parts, more than the " + std::to_string(slots.size()) +
                                " slots (raise slots / device_bytes or lower the batch size)");
      b->parts.resize(parts.size());
      b->remaining = parts.size();
      std::unique_lock<std::recursive_mutex> l(m);
      for (auto& p : parts) pending.push_back(std::move(p));
      pump(l);
    }

    // Under the lock: start pending parts on free slots. Enqueueing is asynchronous (no waiting).
    void pump(std::unique_lock<std::recursive_mutex>&) {
      while (!free_slots.empty() && !pending.empty()) {
        if constexpr (output_space_of<Kernel>() == memory_space::device) {
          // Start a batch only when all its pending parts get a slot at once (no batch holds slots
          // while waiting for more: two such batches could wait for each other forever).
          std::size_t same = 0;
          while (same < pending.size() && pending[same].batch == pending.front().batch) ++same;
          if (same > free_slots.size()) return;
        }
        const std::size_t i = free_slots.back();
        free_slots.pop_back();
        part p = std::move(pending.front());
        pending.pop_front();
        try {
          Runtime::activate(slots[i]);
          kernel.enqueue(std::span<const input_type>(p.batch->items).subspan(p.first, p.count), slots[i]);
          Runtime::notify_when_done(slots[i], &on_event, &ctx[i]);
        } catch (...) {
          free_slots.push_back(i);
          fail_part(p, std::current_exception());
          continue;
        }
        running[i] = std::move(p);
        peak = std::max(peak, ++in_flight);
      }
    }

    // Runs on the runtime's thread (CUDA: no CUDA calls allowed there): only the handoff.
    static void on_event(void* user) {
      auto* c = static_cast<callback_ctx*>(user);
      {
        std::lock_guard<std::recursive_mutex> l(c->owner->m);
        c->owner->finished.push_back(c->slot);
      }
      c->owner->cv.notify_all();
    }

    // A device-space part's last output was dropped (any thread, possibly this pool's completion
    // thread under the lock): its slot returns and takes the next pending part.
    void release(std::size_t i) {
      std::unique_lock<std::recursive_mutex> l(m);
      --leased;
      free_slots.push_back(i);
      pump(l);
      cv.notify_all();
    }

    void fail_part(part& p, std::exception_ptr e) {
      if (!p.batch->error) p.batch->error = e;
      if (--p.batch->remaining == 0) p.batch->done.fail(p.batch->error);
    }

    void complete_loop() {
      std::unique_lock<std::recursive_mutex> l(m);
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
          Runtime::check_done(slots[i]);  // the slot's work is complete; throws its error if it failed
          if constexpr (output_space_of<Kernel>() == memory_space::device) {
            if (!b->error) {
              ++leased;  // the slot stays out of the pool until the last output is dropped
              const slot_lease lease(static_cast<const void*>(this), [this, i](const void*) { release(i); });
              kernel.collect(std::span<const input_type>(b->items).subspan(p.first, p.count), slots[i], lease, out);
            }
          } else if (!b->error) {
            kernel.collect(std::span<const input_type>(b->items).subspan(p.first, p.count), slots[i], out);
          }
        } catch (...) {
          err = std::current_exception();
        }
        --in_flight;
        if constexpr (output_space_of<Kernel>() == memory_space::device) {
          if (b->error) free_slots.push_back(i);  // nothing was collected: no lease holds it
        } else {
          free_slots.push_back(i);
        }
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

}  // namespace millrace::cuda

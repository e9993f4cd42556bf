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
    std::mutex m;
    std::condition_variable cv;
    std::size_t in_flight = 0, peak = 0;
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
        std::lock_guard<std::mutex> l(m);
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
          Runtime::check_done(slots[i]);  // the slot's work is complete; throws its error if it failed
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

}  // namespace millrace::cuda

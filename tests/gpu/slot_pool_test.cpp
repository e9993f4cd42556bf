// slot_pool_stage (the machinery under gpu_stage) on the CPU, with an emulated runtime: each slot's
// "stream" is a thread running its work in order, with delays that make streams finish out of
// order. Checks input order, the in-flight bound, batch splitting, errors and items too big.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include <millrace/core.hpp>
#include <millrace/cuda/slot_pool.hpp>
#include <millrace/exec/tbb.hpp>

namespace cu = millrace::cuda;
namespace mr = millrace;

namespace {

class emu_stream {  // one thread, tasks in order: a CUDA stream's semantics
 public:
  emu_stream() : t_([this] { loop(); }) {}
  ~emu_stream() {
    {
      std::lock_guard<std::mutex> l(m_);
      stop_ = true;
    }
    cv_.notify_all();
    t_.join();
  }
  void push(std::function<void()> f) {
    {
      std::lock_guard<std::mutex> l(m_);
      q_.push_back(std::move(f));
    }
    cv_.notify_all();
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> l(m_);
    for (;;) {
      cv_.wait(l, [&] { return stop_ || !q_.empty(); });
      if (q_.empty()) return;
      auto f = std::move(q_.front());
      q_.pop_front();
      l.unlock();
      f();
      l.lock();
    }
  }
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> q_;
  bool stop_ = false;
  std::thread t_;
};

struct emu_runtime {
  struct slot {
    std::shared_ptr<emu_stream> stream;
    std::vector<long> buffer;
    std::size_t capacity = 0;  // items per part
    std::string error;         // set by the "device" work
  };
  static slot create_slot(const cu::gpu_stage_options& o) {
    slot s;
    s.stream = std::make_shared<emu_stream>();
    s.capacity = o.device_bytes;
    return s;
  }
  static void destroy_slot(slot& s) { s.stream.reset(); }  // joins after the queued work
  static void activate(slot&) {}
  static void notify_when_done(slot& s, void (*fn)(void*), void* user) { s.stream->push([fn, user] { fn(user); }); }
  static void check_done(slot& s) {
    if (!s.error.empty()) throw std::runtime_error(std::exchange(s.error, {}));
  }
};

// Doubles ints on the emulated device; parts whose first item is in an odd block of 64 are slow.
struct doubling_kernel {
  using input_type = int;
  using output_type = long;
  std::shared_ptr<std::mutex> m = std::make_shared<std::mutex>();
  std::shared_ptr<std::vector<int>> started = std::make_shared<std::vector<int>>(), finished = std::make_shared<std::vector<int>>();

  std::size_t fit(std::span<const int> items, const emu_runtime::slot& s) const {
    if (items[0] < 0) return 0;  // "does not fit one slot"
    return std::min(items.size(), s.capacity);
  }
  void enqueue(std::span<const int> items, emu_runtime::slot& s) const {
    s.buffer.assign(items.begin(), items.end());  // the "H2D copy" from the caller's thread
    const int first = items[0];
    {
      std::lock_guard<std::mutex> l(*m);
      started->push_back(first);
    }
    s.stream->push([&s, first, m = m, finished = finished] {
      if ((first / 64) % 2) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      for (long& x : s.buffer) {
        if (x == 100000) s.error = "poisoned item";
        x *= 2;
      }
      std::lock_guard<std::mutex> l(*m);
      finished->push_back(first);
    });
  }
  void collect(std::span<const int>, const emu_runtime::slot& s, std::vector<long>& out) const {
    out.assign(s.buffer.begin(), s.buffer.end());
  }
};

using emu_stage = cu::slot_pool_stage<doubling_kernel, emu_runtime>;

std::vector<int> iota(int n, int from = 0) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), from);
  return v;
}

}  // namespace

TEST_CASE("gpu.slot_pool.emulated.4slots.2T.order_bound_split_out_of_order") {
  doubling_kernel k;
  emu_stage st(k, {.slots = 4, .device_bytes = 64});  // 64 items per part: a batch of 500 is 8 parts
  std::vector<long> out;
  mr::run(mr::from_range(iota(2000)) | mr::async_stage(st, "gpu.emu") | mr::collect(out), mr::cpu{.threads = 2, .batch_size = 500});
  REQUIRE(out.size() == 2000);
  for (std::size_t i = 0; i < out.size(); ++i) REQUIRE(out[i] == 2 * static_cast<long>(i));
  CHECK(st.slots() == 4);
  CHECK(st.peak_in_flight() == 4);  // a batch's 8 parts fill the 4 slots, never more
  REQUIRE(k.started->size() == 32);
  CHECK(*k.finished != *k.started);  // fast parts overtook slow ones: slots came back out of order
}

TEST_CASE("gpu.slot_pool.emulated.1slot.serial_and_empty_batches") {
  emu_stage st(doubling_kernel{}, {.slots = 1, .device_bytes = 7});
  std::vector<long> out;
  mr::run(mr::from_range(iota(100, 5)) | mr::filter([](int x) { return x % 3 != 0; }) | mr::async_stage(st, "gpu.emu") |
              mr::collect(out),
          mr::cpu{.threads = 2, .batch_size = 10});
  std::vector<long> want;
  for (int x = 5; x < 105; ++x)
    if (x % 3 != 0) want.push_back(2L * x);
  CHECK(out == want);
  CHECK(st.peak_in_flight() == 1);
}

TEST_CASE("gpu.slot_pool.emulated.errors_name_the_stage") {
  {
    emu_stage st(doubling_kernel{}, {.slots = 2, .device_bytes = 16});
    std::vector<long> out;
    std::string what;
    try {
      mr::run(mr::from_range(iota(1000, 99500)) | mr::async_stage(st, "gpu.emu") | mr::collect(out), mr::cpu{.threads = 2, .batch_size = 50});
    } catch (const std::exception& e) {
      what = e.what();
    }
    CHECK(what.find("gpu.emu") != std::string::npos);
    CHECK(what.find("poisoned item") != std::string::npos);
  }
  {
    emu_stage st(doubling_kernel{}, {.slots = 2, .device_bytes = 16});
    std::vector<long> out;
    std::string what;
    try {
      mr::run(mr::from_range(iota(100, -3)) | mr::async_stage(st, "gpu.emu") | mr::collect(out), mr::cpu{.threads = 2, .batch_size = 50});
    } catch (const std::exception& e) {
      what = e.what();
    }
    CHECK(what.find("gpu.emu") != std::string::npos);
    CHECK(what.find("does not fit one slot") != std::string::npos);
  }
}

namespace {

// A value left in a slot's (emulated) device memory, as a device-space stage hands it on.
struct device_ref {
  const long* value;
  cu::slot_lease lease;
};

// doubling_kernel whose outputs stay in the slot: pointers into its buffer, each with the lease.
struct doubling_to_device : doubling_kernel {
  using output_type = device_ref;
  static constexpr cu::memory_space output_space = cu::memory_space::device;
  void collect(std::span<const int>, const emu_runtime::slot& s, const cu::slot_lease& lease, std::vector<device_ref>& out) const {
    for (const long& x : s.buffer) out.push_back({&x, lease});
  }
};

// Reads its inputs where they are (the first stage's slot memory): no host copy in between.
struct plus_one_from_device {
  using input_type = device_ref;
  using output_type = long;
  std::size_t fit(std::span<const device_ref> items, const emu_runtime::slot& s) const { return std::min(items.size(), s.capacity); }
  void enqueue(std::span<const device_ref> items, emu_runtime::slot& s) const {
    s.stream->push([&s, items] {
      s.buffer.clear();
      for (const auto& r : items) s.buffer.push_back(*r.value + 1);
    });
  }
  void collect(std::span<const device_ref>, const emu_runtime::slot& s, std::vector<long>& out) const {
    out.assign(s.buffer.begin(), s.buffer.end());
  }
};

}  // namespace

TEST_CASE("gpu.slot_pool.emulated.device_space.two_stages_hand_over_slots") {
  using first_stage = cu::slot_pool_stage<doubling_to_device, emu_runtime>;
  using second_stage = cu::slot_pool_stage<plus_one_from_device, emu_runtime>;
  static_assert(first_stage::output_space == cu::memory_space::device);
  static_assert(second_stage::output_space == cu::memory_space::host);
  first_stage a(doubling_to_device{}, {.slots = 4, .device_bytes = 32});  // a batch of 100: 4 parts
  second_stage b(plus_one_from_device{}, {.slots = 2, .device_bytes = 20});
  std::vector<long> out;
  mr::run(mr::from_range(iota(3000)) | mr::async_stage(a, "gpu.emu.a") | mr::async_stage(b, "gpu.emu.b") | mr::collect(out),
          mr::cpu{.threads = 2, .batch_size = 100});
  REQUIRE(out.size() == 3000);
  // A slot reused while the second stage still read it would show another part's values here.
  for (std::size_t i = 0; i < out.size(); ++i) REQUIRE(out[i] == 2 * static_cast<long>(i) + 1);
  CHECK(a.leased() == 0);  // every lease dropped: every slot back in the pool
  CHECK(a.peak_in_flight() <= a.slots());
  {  // A lease holds its slot: with one slot, the next part waits until the output is dropped.
    cu::slot_pool_stage<doubling_to_device, emu_runtime> one(doubling_to_device{}, {.slots = 1, .device_bytes = 4});
    std::vector<device_ref> held;
    std::mutex m;
    std::condition_variable cv;
    bool got = false;
    mr::detail::async_callbacks cb;
    cb.done = [&](mr::detail::any_batch v) {
      std::lock_guard<std::mutex> l(m);
      held = std::move(v.get<device_ref>());
      got = true;
      cv.notify_all();
    };
    cb.fail = [](std::exception_ptr) {};
    one.submit(iota(4), mr::completion<device_ref>(std::move(cb)));
    std::unique_lock<std::mutex> l(m);
    cv.wait(l, [&] { return got; });
    CHECK(one.leased() == 1);
    CHECK(*held[3].value == 6);
    held.clear();
    CHECK(one.leased() == 0);
    // More parts than slots could never complete while leased: refused, naming the sizes.
    CHECK_THROWS_WITH_AS(one.submit(iota(5), mr::completion<device_ref>(mr::detail::async_callbacks{})),
                         doctest::Contains("needs 2 parts, more than the 1 slots"), std::length_error);
  }
}

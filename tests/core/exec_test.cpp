// Executor conformance: input order, bounded memory on unbounded input, progress, asynchronous
// stages that complete off the TBB workers.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <numeric>
#include <random>
#include <thread>
#include <vector>

#include <millrace/core.hpp>

namespace mr = millrace;

namespace {
std::vector<int> iota_vec(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}
void jitter(int x) {  // uneven per-batch cost so parallel batches finish out of order
  if (x % 97 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
}
}  // namespace

TEST_CASE("exec.ordered.2T.sink_sees_input_order") {
  std::vector<int> out;
  mr::run(mr::from_range(iota_vec(20000)) | mr::inspect([](int x) { jitter(x); }) | mr::collect(out),
          mr::cpu{.threads = 2, .batch_size = 5, .ordered = true});
  CHECK(out == iota_vec(20000));
}

TEST_CASE("exec.unordered.2T.nothing_lost") {
  std::vector<int> out;
  auto rep = mr::run(mr::from_range(iota_vec(20000)) | mr::inspect([](int x) { jitter(x); }) | mr::collect(out),
                     mr::cpu{.threads = 2, .batch_size = 5, .ordered = false});
  std::sort(out.begin(), out.end());
  CHECK(out == iota_vec(20000));
  CHECK(rep.records_out() == 20000);
}

namespace {
struct tracked {  // counts live objects to measure how many records are in memory at once
  static inline std::atomic<long> live{0}, peak{0};
  int v = 0;
  explicit tracked(int x) : v(x) { up(); }
  tracked(const tracked& o) : v(o.v) { up(); }
  tracked(tracked&& o) noexcept : v(o.v) { up(); }
  tracked& operator=(const tracked&) = default;
  tracked& operator=(tracked&&) = default;
  ~tracked() { live.fetch_sub(1); }
  static void up() {
    const long now = live.fetch_add(1) + 1;
    long p = peak.load();
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
  }
};
}  // namespace

TEST_CASE("exec.bounded_memory.unbounded_source.slow_sink") {
  for (std::size_t threads : {1, 2}) {
    CAPTURE(threads);
    tracked::live = 0;
    tracked::peak = 0;
    const int total = 200000;  // stands in for "larger than memory": the source never blocks by itself
    long sum = 0;
    auto p = mr::generate([i = 0]() mutable -> std::optional<tracked> {
               if (i == total) return std::nullopt;
               return tracked(i++);
             }) |
             mr::map([](tracked t) { t.v += 1; return t; }) |
             mr::sink([&](tracked t) { sum += t.v; if (t.v % 20000 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2)); });
    mr::run(p, mr::cpu{.threads = threads, .batch_size = 100, .max_in_flight = 4});
    CHECK(sum == long(total) * (total + 1) / 2);
    // 4 batches in flight of 100 records, each alive at most twice (input and output vector)
    CHECK(tracked::peak.load() <= 4 * 100 * 2 + 200);
    CHECK(tracked::live.load() == 0);
  }
}

TEST_CASE("exec.bounded_memory.dag") {
  tracked::live = 0;
  tracked::peak = 0;
  const int total = 100000;
  long n = 0;
  auto p = mr::generate([i = 0]() mutable -> std::optional<tracked> {
             if (i == total) return std::nullopt;
             return tracked(i++);
           }) |
           mr::route([](const tracked& t) { return t.v % 2 == 0; }, mr::map([](tracked t) { return t; }),
                     mr::map([](tracked t) { return t; })) |
           mr::sink([&](tracked) { ++n; });
  mr::run(p, mr::cpu{.threads = 2, .batch_size = 100, .max_in_flight = 4});
  CHECK(n == total);
  CHECK(tracked::peak.load() <= 4 * 100 * 3 + 300);
}

TEST_CASE("exec.determinism.threads_and_batch_sizes") {
  std::mt19937 rng(7);
  std::vector<int> in(30000);
  for (auto& x : in) x = int(rng() % 1000);
  auto q = mr::from_range(in) | mr::filter([](int x) { return x % 5 != 0; }) |
           mr::flat_map([](int x) { return std::vector<int>(std::size_t(x % 3), x); });
  const auto ref = mr::to_vector(q, mr::serial_executor{});
  for (std::size_t threads : {1, 2})
    for (std::size_t bs : {3, 1000}) CHECK(mr::to_vector(q, mr::cpu{.threads = threads, .batch_size = bs}) == ref);
}

TEST_CASE("exec.progress.hook_called_and_final") {
  // interval 0: the hook runs on every batch the source produces, so how often it is called does
  // not depend on how fast this machine is
  std::vector<mr::progress> calls;
  std::vector<int> out;
  mr::run(mr::from_range(iota_vec(50000)) | mr::map([](int x) { return x; }) | mr::collect(out),
          mr::cpu{.threads = 2, .batch_size = 100},
          {.on_progress = [&](const mr::progress& p) { calls.push_back(p); }, .progress_interval = std::chrono::milliseconds(0)});
  REQUIRE(calls.size() >= 2);
  CHECK(calls.back().finished);
  CHECK(calls.back().records_in == 50000);
  CHECK(calls.back().records_out == 50000);
  for (std::size_t i = 1; i < calls.size(); ++i) CHECK(calls[i].records_in >= calls[i - 1].records_in);
}

namespace {
/// A real asynchronous "device": one std::thread that completes batches in pairs, in reverse
/// order, and only once the next batch has been submitted (or all expected batches arrived).
/// An executor that blocks its only worker waiting for a completion deadlocks on it.
class pair_device {
 public:
  explicit pair_device(std::size_t expected) : expected_(expected), worker_([this] { loop(); }) {}
  ~pair_device() {
    {
      std::lock_guard l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }
  void submit(std::vector<int>&& b, mr::completion<long> done) {
    std::lock_guard l(mu_);
    queue_.emplace_back(std::move(b), std::move(done));
    ++submitted_;
    cv_.notify_all();
  }

 private:
  void loop() {
    std::unique_lock l(mu_);
    for (;;) {
      cv_.wait(l, [&] { return stop_ || queue_.size() >= 2 || (submitted_ == expected_ && !queue_.empty()); });
      if (stop_ && queue_.empty()) return;
      std::deque<std::pair<std::vector<int>, mr::completion<long>>> work;
      work.swap(queue_);
      l.unlock();
      for (auto it = work.rbegin(); it != work.rend(); ++it) {
        std::vector<long> out;
        for (int x : it->first) out.push_back(long(x) * 2);
        it->second.done(std::move(out));
      }
      l.lock();
    }
  }
  std::size_t expected_, submitted_ = 0;
  bool stop_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::vector<int>, mr::completion<long>>> queue_;
  std::thread worker_;
};

struct gpu_like_stage {
  using output_type = long;
  std::shared_ptr<pair_device> dev;
  void submit(std::vector<int>&& b, mr::completion<long> done) { dev->submit(std::move(b), std::move(done)); }
};
}  // namespace

TEST_CASE("exec.async_stage.1T.does_not_block_worker") {
  for (std::size_t threads : {1, 2}) {
    CAPTURE(threads);
    const int n = 1000;
    const std::size_t bs = 10;
    auto dev = std::make_shared<pair_device>(n / bs);
    std::vector<long> out;
    auto rep = mr::run(mr::from_range(iota_vec(n)) | mr::async_stage(gpu_like_stage{dev}, "device") | mr::collect(out),
                       // a window holding every batch: the device may keep any batch until a later one
                       // arrives, so a smaller window could stall on the device itself, not on us
                       mr::cpu{.threads = threads, .batch_size = bs, .max_in_flight = n / bs + 1});
    REQUIRE(out.size() == std::size_t(n));
    for (int i = 0; i < n; ++i) CHECK(out[std::size_t(i)] == 2L * i);  // order restored before the sink
    CHECK(rep.find("device")->records_out == std::size_t(n));
  }
}

namespace {
struct failing_device_stage {
  using output_type = int;
  void submit(std::vector<int>&& b, mr::completion<int> done) {
    std::thread([b = std::move(b), done] {
      if (!b.empty() && b.front() == 500) done.fail(std::make_exception_ptr(std::runtime_error("kernel fault")));
      else done.done(std::vector<int>(b));
    }).detach();
  }
};
}  // namespace

TEST_CASE("exec.async_stage.failure_names_stage") {
  bool thrown = false;
  try {
    mr::run(mr::from_range(iota_vec(1000)) | mr::async_stage(failing_device_stage{}, "kernel") | mr::sink([](int) {}),
            mr::cpu{.threads = 2, .batch_size = 100});
  } catch (const mr::operator_error& e) {
    thrown = true;
    CHECK(e.op_name() == "kernel");
    CHECK(std::string(e.what()).find("kernel fault") != std::string::npos);
  }
  CHECK(thrown);
}

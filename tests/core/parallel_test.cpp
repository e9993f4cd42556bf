// The parallel algorithms an executor provides (core/parallel.hpp) and the executor concept
// (exec/executor.hpp): sorts equal std::sort / std::stable_sort; a stage's parallel_for runs on
// the run's threads only (one for serial, N for cpu{.threads = N}); errors reach the caller; a
// third executor written here runs the existing operators through the same run().
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <numeric>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include <millrace/core.hpp>

namespace mr = millrace;

namespace {

std::vector<std::uint64_t> random_values(std::size_t n, std::uint64_t seed, std::uint64_t range) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> v(n);
  for (auto& x : v) x = range ? rng() % range : rng();
  return v;
}

// sizes around the cut-off where the sort starts splitting, and odd run counts
const std::vector<std::size_t> sort_sizes{0, 1, 2, 3, 17, 1000, 4095, 8191, 8192, 8193, 12289, 40000, 100003};

struct thread_log {  // which threads ran chunks, and which backend each chunk saw
  std::mutex mu;
  std::set<std::thread::id> threads;
  std::set<std::size_t> concurrency;
  std::set<const mr::parallel_backend*> backends;
  void note() {
    std::lock_guard lock(mu);
    threads.insert(std::this_thread::get_id());
    concurrency.insert(mr::parallel_concurrency());
    backends.insert(&mr::current_backend());
  }
};

// A stage whose body is whole-data work done through parallel_for: every chunk logs its thread.
// Chunks sleep a little so that idle workers of the arena pick some up.
struct chunked_stage {
  thread_log* log;
  std::vector<int> process(std::vector<int>&& in) {
    mr::parallel_for(0, in.size(), 4, [&](std::size_t b, std::size_t e) {
      log->note();
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      for (std::size_t i = b; i < e; ++i) in[i] *= 2;
    });
    return std::move(in);
  }
};

std::vector<int> iota_vec(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

}  // namespace

TEST_CASE("parallel.sort.1T-4T.equals_std_sort") {
  for (std::size_t threads = 1; threads <= 4; ++threads) {
    for (std::size_t n : sort_sizes) {
      for (std::uint64_t range : {std::uint64_t{0}, std::uint64_t{5}}) {  // distinct keys; many equal keys
        CAPTURE(threads);
        CAPTURE(n);
        CAPTURE(range);
        auto v = random_values(n, n * 31 + threads, range), expected = v;
        std::sort(expected.begin(), expected.end());
        mr::with_executor(mr::cpu{.threads = threads}, [&] {
          CHECK(mr::parallel_concurrency() == threads);
          mr::parallel_sort(v.begin(), v.end());
        });
        CHECK(v == expected);
      }
    }
  }
}

TEST_CASE("parallel.sort.3T.descending_strings") {  // a comparator and a type that is not trivially copyable
  std::vector<std::string> v;
  for (auto x : random_values(30011, 7, 0)) v.push_back(std::to_string(x));
  auto expected = v;
  std::sort(expected.begin(), expected.end(), std::greater<>{});
  mr::with_executor(mr::cpu{.threads = 3}, [&] { mr::parallel_sort(v.begin(), v.end(), std::greater<>{}); });
  CHECK(v == expected);
}

TEST_CASE("parallel.stable_sort.1T-4T.equals_std_stable_sort") {
  using item = std::pair<std::uint64_t, std::size_t>;  // (key, original index): ties show the order kept
  auto by_key = [](const item& a, const item& b) { return a.first < b.first; };
  for (std::size_t threads = 1; threads <= 4; ++threads) {
    for (std::size_t n : sort_sizes) {
      CAPTURE(threads);
      CAPTURE(n);
      auto keys = random_values(n, n + 1000 * threads, 13);
      std::vector<item> v(n);
      for (std::size_t i = 0; i < n; ++i) v[i] = {keys[i], i};
      auto expected = v;
      std::stable_sort(expected.begin(), expected.end(), by_key);
      mr::with_executor(mr::cpu{.threads = threads}, [&] { mr::parallel_stable_sort(v.begin(), v.end(), by_key); });
      CHECK(v == expected);
    }
  }
}

TEST_CASE("parallel.sort.serial_executor.equals_std_sort") {
  auto v = random_values(50000, 3, 0), expected = v;
  std::sort(expected.begin(), expected.end());
  thread_log log;
  mr::with_executor(mr::serial_executor{}, [&] {
    log.note();
    mr::parallel_sort(v.begin(), v.end());
  });
  CHECK(v == expected);
  CHECK(log.concurrency == std::set<std::size_t>{1});
}

TEST_CASE("parallel.for.no_executor.serial_in_order") {  // outside any run: the serial backend
  std::vector<std::pair<std::size_t, std::size_t>> chunks;
  std::set<std::thread::id> threads;
  mr::parallel_for(10, 45, 8, [&](std::size_t b, std::size_t e) {
    chunks.emplace_back(b, e);
    threads.insert(std::this_thread::get_id());
  });
  CHECK(mr::parallel_concurrency() == 1);
  CHECK(threads == std::set<std::thread::id>{std::this_thread::get_id()});
  REQUIRE(!chunks.empty());
  CHECK(chunks.front().first == 10);
  CHECK(chunks.back().second == 45);
  for (std::size_t i = 1; i < chunks.size(); ++i) CHECK(chunks[i].first == chunks[i - 1].second);
  for (auto [b, e] : chunks) CHECK(e - b <= 8);
}

TEST_CASE("parallel.for.serial_executor.one_thread") {
  thread_log log;
  std::vector<int> out;
  auto rep = mr::run(mr::from_range(iota_vec(2000)) | mr::stage(chunked_stage{&log}, "chunked") | mr::collect(out),
                     mr::serial_executor{.batch_size = 100});
  CHECK(rep.executor == "serial");
  CHECK(out.size() == 2000);
  CHECK(out[1999] == 2 * 1999);
  CHECK(log.threads == std::set<std::thread::id>{std::this_thread::get_id()});  // the run's thread only
  CHECK(log.concurrency == std::set<std::size_t>{1});
}

TEST_CASE("parallel.for.cpu.2T.workers_see_the_runs_backend") {
  thread_log log;
  std::vector<int> out;
  auto rep = mr::run(mr::from_range(iota_vec(4000)) | mr::stage(chunked_stage{&log}, "chunked") | mr::collect(out),
                     mr::cpu{.threads = 2, .batch_size = 400});
  CHECK(rep.threads == 2);
  CHECK(out == [] {
    auto v = iota_vec(4000);
    for (auto& x : v) x *= 2;
    return v;
  }());
  CHECK(log.threads.size() <= 2);
  CHECK(log.concurrency == std::set<std::size_t>{2});
  CHECK(log.backends.size() == 1);  // one backend for the run, on every thread that ran a chunk
}

TEST_CASE("parallel.for.cpu.2T.chunks_run_on_a_worker") {
  // Two chunks that each wait for the other to start: passes only if a second thread of the
  // arena runs a chunk, and that thread sees the run's backend (concurrency 2), not serial's.
  std::atomic<int> inside{0};
  std::atomic<bool> met{false};
  thread_log log;
  std::vector<int> out;
  mr::run(mr::from_range(iota_vec(1)) | mr::batch_map([&](std::vector<int>&& v) {
            mr::parallel_for(0, 2, 1, [&](std::size_t, std::size_t) {
              log.note();
              inside.fetch_add(1);
              const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
              while (inside.load() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
              if (inside.load() >= 2) met.store(true);
            });
            return std::move(v);
          }) | mr::collect(out),
          mr::cpu{.threads = 2});
  CHECK(met.load());
  CHECK(log.threads.size() == 2);
  CHECK(log.concurrency == std::set<std::size_t>{2});
}

TEST_CASE("parallel.for.cpu.2T.no_backend_left_on_workers") {
  std::vector<int> out;
  thread_log in_run;
  mr::run(mr::from_range(iota_vec(4000)) | mr::stage(chunked_stage{&in_run}, "chunked") | mr::collect(out),
          mr::cpu{.threads = 2, .batch_size = 100});
  // Raw TBB work after the run (the default arena): no thread may still point at the run's
  // (destroyed) backend.
  thread_log after;
  tbb::parallel_for(tbb::blocked_range<int>(0, 64, 1), [&](const tbb::blocked_range<int>&) {
    after.note();
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  });
  CHECK(after.concurrency == std::set<std::size_t>{1});
}

TEST_CASE("parallel.concurrency_limit.3T_capped_to_1") {
  // Two chunks that would meet on two threads: under a cap of 1 they must not (one thread at a
  // time), and nested work sees the cap.
  std::atomic<int> inside{0}, most{0};
  std::size_t nested = 0;
  mr::with_executor(mr::cpu{.threads = 3}, [&] {
    mr::with_concurrency_limit(1, [&] {
      nested = mr::parallel_concurrency();
      mr::parallel_for(0, 64, 1, [&](std::size_t, std::size_t) {
        const int now = inside.fetch_add(1) + 1;
        int m = most.load();
        while (now > m && !most.compare_exchange_weak(m, now)) {
        }
        std::this_thread::sleep_for(std::chrono::microseconds(300));
        inside.fetch_sub(1);
      });
    });
    CHECK(mr::parallel_concurrency() == 3);  // the cap ends with its scope
  });
  CHECK(nested == 1);
  CHECK(most.load() == 1);
}

TEST_CASE("parallel.concurrency_limit.2T_under_cap_3_uses_2") {
  std::atomic<int> inside{0};
  std::atomic<bool> met{false};
  std::size_t seen = 0;
  mr::with_executor(mr::cpu{.threads = 2}, [&] {
    mr::with_concurrency_limit(3, [&] {  // a cap above the executor's threads adds none
      seen = mr::parallel_concurrency();
      mr::parallel_for(0, 2, 1, [&](std::size_t, std::size_t) {
        inside.fetch_add(1);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (inside.load() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
        if (inside.load() >= 2) met.store(true);
      });
    });
  });
  CHECK(seen == 2);
  CHECK(met.load());
}

TEST_CASE("parallel.with_executor.nests_and_restores") {
  std::size_t outer = 0, inner = 0, back = 0;
  const int r = mr::with_executor(mr::cpu{.threads = 3}, [&] {
    outer = mr::parallel_concurrency();
    mr::with_executor(mr::serial_executor{}, [&] { inner = mr::parallel_concurrency(); });
    back = mr::parallel_concurrency();
    return 42;
  });
  CHECK(r == 42);
  CHECK(outer == 3);
  CHECK(inner == 1);
  CHECK(back == 3);
  CHECK(mr::parallel_concurrency() == 1);
}

TEST_CASE("parallel.for.errors_reach_the_caller") {
  auto throwing = [](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i)
      if (i == 777) throw std::runtime_error("chunk 777 failed");
  };
  SUBCASE("no executor") { CHECK_THROWS_WITH_AS(mr::parallel_for(0, 1000, 10, throwing), "chunk 777 failed", std::runtime_error); }
  SUBCASE("with_executor cpu 2T") {
    CHECK_THROWS_WITH_AS(mr::with_executor(mr::cpu{.threads = 2}, [&] { mr::parallel_for(0, 1000, 10, throwing); }),
                         "chunk 777 failed", std::runtime_error);
  }
  auto p = [&](std::vector<int>& out) {
    return mr::from_range(iota_vec(100)) | mr::batch_map([&](std::vector<int>&& v) {
             mr::parallel_for(0, 1000, 10, throwing);
             return std::move(v);
           }, "chunky") | mr::collect(out);
  };
  SUBCASE("run serial") {
    std::vector<int> out;
    CHECK_THROWS_WITH_AS(mr::run(p(out), mr::serial_executor{}), "operator 'chunky': chunk 777 failed", mr::operator_error);
  }
  SUBCASE("run cpu 2T") {
    std::vector<int> out;
    CHECK_THROWS_WITH_AS(mr::run(p(out), mr::cpu{.threads = 2}), "operator 'chunky': chunk 777 failed", mr::operator_error);
  }
}

// ---- a third executor: proves run() takes any model of mr::executor --------------------------
namespace {

// The serial loop of the reference executor, counting the batches it fed and lending a backend
// of its own (serial chunks, counted) to the stages.
class counting_backend final : public mr::parallel_backend {
 public:
  std::size_t concurrency() const noexcept override { return 1; }
  void for_chunks(std::size_t n, std::size_t grain, mr::chunk_body body) const override {
    calls.fetch_add(1);
    for (std::size_t b = 0; b < n; b += grain) body(b, std::min(n, b + grain));
  }
  mutable std::atomic<std::size_t> calls{0};
};

struct counting_executor {
  std::size_t batch_size = 7;
  std::shared_ptr<std::size_t> batches = std::make_shared<std::size_t>(0);
  std::shared_ptr<counting_backend> backend = std::make_shared<counting_backend>();

  std::string name() const { return "counting"; }
  std::size_t concurrency() const { return 1; }
  void execute(mr::detail::plan& pl, mr::detail::progress_tracker& tracker) const {
    mr::backend_scope scope(*backend);
    mr::detail::drive(pl, tracker, [&](auto& src, auto& stages, std::size_t b, std::size_t e, auto& tr, bool first) {
      bool more = true;
      while (more) {
        mr::detail::any_batch batch;
        more = src.fill(batch, batch_size);
        ++*batches;
        tr.on_fill(batch.size(), first);
        mr::detail::run_stages_serial(stages, b, e, batch);
      }
    });
  }
  template <class F>
  decltype(auto) with_backend(F&& f) const {
    mr::backend_scope scope(*backend);
    return std::forward<F>(f)();
  }
};
static_assert(mr::executor<counting_executor>);
static_assert(mr::executor<mr::serial_executor>);
static_assert(mr::executor<mr::cpu>);
static_assert(!mr::executor<int>);
static_assert(!mr::executor<std::string>);

struct sort_barrier {  // a barrier that sorts everything it saw with parallel_sort
  std::vector<int> all;
  std::vector<int> process(std::vector<int>&& in) {
    all.insert(all.end(), in.begin(), in.end());
    return {};
  }
  std::vector<int> finish() {
    mr::parallel_sort(all.begin(), all.end(), std::greater<>{});
    return std::move(all);
  }
};

}  // namespace

TEST_CASE("executor.custom.counting.runs_existing_operators") {
  counting_executor ex;
  std::vector<int> out;
  auto p = mr::from_range(iota_vec(20000)) | mr::filter([](int x) { return x % 3 != 0; }) |
           mr::map([](int x) { return x + 1; }) | mr::stage(sort_barrier{}, "sort") |
           mr::batch_map([](std::vector<int>&& v) {
             mr::parallel_for(0, v.size(), 1000, [&](std::size_t b, std::size_t e) {
               for (std::size_t i = b; i < e; ++i) v[i] = -v[i];
             });
             return std::move(v);
           }) | mr::collect(out);
  auto rep = mr::run(p, ex);
  // the reference result, from the serial executor
  std::vector<int> expected;
  mr::run(mr::from_range(iota_vec(20000)) | mr::filter([](int x) { return x % 3 != 0; }) |
              mr::map([](int x) { return x + 1; }) | mr::stage(sort_barrier{}, "sort") |
              mr::map([](int x) { return -x; }) | mr::collect(expected),
          mr::serial_executor{});
  CHECK(out == expected);
  CHECK(rep.executor == "counting");
  CHECK(rep.threads == 1);
  CHECK(rep.records_out() == out.size());
  // segment 1: ceil(20000 / 7) full batches + the empty last fill; segment 2: the barrier's output
  CHECK(*ex.batches >= (20000 + 6) / 7 + (out.size() + 6) / 7);
  CHECK(ex.backend->calls.load() >= (out.size() + 6) / 7);  // each batch_map call went through it
  // with_executor works with it too
  std::size_t seen = 0;
  mr::with_executor(ex, [&] { seen = mr::parallel_concurrency(); });
  CHECK(seen == 1);
}

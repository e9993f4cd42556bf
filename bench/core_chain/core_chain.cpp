// bench/core_chain — a 5-stage map/filter chain over N integers: millrace against a hand-written
// loop, tbb::parallel_pipeline with one item per token and tbb::flow::graph with one item per
// message, all in one run; then a chain with one heavy (~2 us/record) stage on 1 vs 2 threads.
//   bench_core_chain [--n 10000000] [--baseline-n 1000000] [--heavy-n 100000]
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include <millrace/core.hpp>

namespace mr = millrace;
using i64 = std::int64_t;

namespace {
// The five stages. Filtered records are marked -1 in the one-item baselines.
inline i64 s1(i64 x) { return x + 1; }
inline bool s2(i64 x) { return x % 3 != 0; }
inline i64 s3(i64 x) { return x * 2; }
inline bool s4(i64 x) { return x % 5 != 0; }
inline i64 s5(i64 x) { return x ^ 0x55; }

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct iota_source {
  using value_type = i64;
  i64 next = 0, end = 0;
  bool fill(std::vector<i64>& out, std::size_t max) {
    const i64 stop = std::min(end, next + i64(max));
    const std::size_t old = out.size();
    out.resize(old + std::size_t(stop - next));
    for (std::size_t i = old; next < stop; ++i) out[i] = next++;
    return next < end;
  }
};

struct sum_sink {
  i64* total;
  void process(std::vector<i64>&& b) {
    i64 s = 0;
    for (i64 x : b) s += x;
    *total += s;
  }
};

i64 hand_loop(i64 n) {
  i64 total = 0;
  for (i64 i = 0; i < n; ++i) {
    i64 x = s1(i);
    if (!s2(x)) continue;
    x = s3(x);
    if (!s4(x)) continue;
    total += s5(x);
  }
  return total;
}

i64 run_millrace(i64 n, std::size_t threads, std::size_t batch) {
  i64 total = 0;
  auto p = mr::source(iota_source{0, n}, "iota") | mr::map([](i64 x) { return s1(x); }, "s1") |
           mr::filter([](i64 x) { return s2(x); }, "s2") | mr::map([](i64 x) { return s3(x); }, "s3") |
           mr::filter([](i64 x) { return s4(x); }, "s4") | mr::map([](i64 x) { return s5(x); }, "s5") |
           mr::stage(sum_sink{&total}, "sum");
  mr::run(p, mr::cpu{.threads = threads, .batch_size = batch});
  return total;
}

i64 run_parallel_pipeline(i64 n, int threads) {
  i64 total = 0, next = 0;
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_pipeline(
        std::size_t(4 * threads),
        tbb::make_filter<void, i64>(tbb::filter_mode::serial_in_order,
                                    [&](tbb::flow_control& fc) -> i64 {
                                      if (next == n) {
                                        fc.stop();
                                        return 0;
                                      }
                                      return next++;
                                    }) &
            tbb::make_filter<i64, i64>(tbb::filter_mode::parallel, [](i64 x) { return s1(x); }) &
            tbb::make_filter<i64, i64>(tbb::filter_mode::parallel, [](i64 x) { return s2(x) ? x : -1; }) &
            tbb::make_filter<i64, i64>(tbb::filter_mode::parallel, [](i64 x) { return x < 0 ? x : s3(x); }) &
            tbb::make_filter<i64, i64>(tbb::filter_mode::parallel, [](i64 x) { return x < 0 || !s4(x) ? -1 : x; }) &
            tbb::make_filter<i64, i64>(tbb::filter_mode::parallel, [](i64 x) { return x < 0 ? x : s5(x); }) &
            tbb::make_filter<i64, void>(tbb::filter_mode::serial_in_order, [&](i64 x) {
              if (x >= 0) total += x;
            }));
  });
  return total;
}

i64 run_flow_graph(i64 n, int threads) {
  namespace flow = tbb::flow;
  i64 total = 0, next = 0;
  tbb::task_arena arena(threads);
  arena.execute([&] {
    flow::graph g;
    flow::input_node<i64> src(g, [&](tbb::flow_control& fc) -> i64 {
      if (next == n) {
        fc.stop();
        return 0;
      }
      return next++;
    });
    flow::function_node<i64, i64> f1(g, flow::unlimited, [](i64 x) { return s1(x); });
    flow::function_node<i64, i64> f2(g, flow::unlimited, [](i64 x) { return s2(x) ? x : -1; });
    flow::function_node<i64, i64> f3(g, flow::unlimited, [](i64 x) { return x < 0 ? x : s3(x); });
    flow::function_node<i64, i64> f4(g, flow::unlimited, [](i64 x) { return x < 0 || !s4(x) ? -1 : x; });
    flow::function_node<i64, i64> f5(g, flow::unlimited, [](i64 x) { return x < 0 ? x : s5(x); });
    flow::function_node<i64, flow::continue_msg> sink(g, flow::serial, [&](i64 x) {
      if (x >= 0) total += x;
      return flow::continue_msg();
    });
    flow::make_edge(src, f1);
    flow::make_edge(f1, f2);
    flow::make_edge(f2, f3);
    flow::make_edge(f3, f4);
    flow::make_edge(f4, f5);
    flow::make_edge(f5, sink);
    src.activate();
    g.wait_for_all();
  });
  return total;
}

// ~2 us of dependent arithmetic per record (no sleeping: it must occupy a core).
i64 heavy(i64 x) {
  std::uint64_t h = std::uint64_t(x) | 1;
  for (int i = 0; i < 1900; ++i) h = h * 6364136223846793005ULL + 1442695040888963407ULL;
  return i64(h >> 1);
}

i64 arg(int argc, char** argv, const char* name, i64 def) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::atoll(argv[i + 1]);
  return def;
}
}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--help") == 0) {
      fmt::print("usage: bench_core_chain [--n 10000000] [--baseline-n 1000000] [--heavy-n 100000] [--batch 4096]\n");
      return 0;
    }
  const i64 n = arg(argc, argv, "--n", 10'000'000);
  const i64 nb = arg(argc, argv, "--baseline-n", 1'000'000);
  const i64 nh = arg(argc, argv, "--heavy-n", 100'000);
  const std::size_t batch = std::size_t(arg(argc, argv, "--batch", 4096));

  fmt::print("5-stage map/filter chain (ns per input record; baselines with one item per token/message on {} records)\n", nb);
  auto t0 = std::chrono::steady_clock::now();
  const i64 expect = hand_loop(n);
  const double loop_ns = seconds_since(t0) * 1e9 / double(n);
  fmt::print("  {:<40} {:8.2f} ns/record\n", "hand-written loop", loop_ns);

  for (std::size_t th : {1, 2}) {
    run_millrace(n / 10, th, batch);  // warm up the arena
    t0 = std::chrono::steady_clock::now();
    const i64 got = run_millrace(n, th, batch);
    const double ns = seconds_since(t0) * 1e9 / double(n);
    fmt::print("  {:<40} {:8.2f} ns/record  ({:.2f}x the loop){}\n", fmt::format("millrace, {} thread(s), batch {}", th, batch), ns,
               ns / loop_ns, got == expect ? "" : "  WRONG RESULT");
  }
  const i64 expect_b = hand_loop(nb);
  for (int th : {1, 2}) {
    t0 = std::chrono::steady_clock::now();
    const i64 got = run_parallel_pipeline(nb, th);
    const double ns = seconds_since(t0) * 1e9 / double(nb);
    fmt::print("  {:<40} {:8.2f} ns/record{}\n", fmt::format("tbb::parallel_pipeline, 1 item/token, {}T", th), ns,
               got == expect_b ? "" : "  WRONG RESULT");
  }
  for (int th : {1, 2}) {
    t0 = std::chrono::steady_clock::now();
    const i64 got = run_flow_graph(nb, th);
    const double ns = seconds_since(t0) * 1e9 / double(nb);
    fmt::print("  {:<40} {:8.2f} ns/record{}\n", fmt::format("tbb::flow::graph, 1 item/message, {}T", th), ns,
               got == expect_b ? "" : "  WRONG RESULT");
  }

  fmt::print("\nchain with one heavy stage (~2 us/record), {} records\n", nh);
  double secs[3] = {};
  i64 results[3] = {};
  for (std::size_t th : {1, 2}) {
    i64 total = 0;
    auto p = mr::source(iota_source{0, nh}, "iota") | mr::map([](i64 x) { return s1(x); }, "s1") |
             mr::map([](i64 x) { return heavy(x); }, "heavy") | mr::filter([](i64 x) { return s4(x); }, "s4") |
             mr::stage(sum_sink{&total}, "sum");
    t0 = std::chrono::steady_clock::now();
    mr::run(p, mr::cpu{.threads = th, .batch_size = 64});
    secs[th] = seconds_since(t0);
    results[th] = total;
    fmt::print("  {} thread(s): {:.3f} s, {:.2f} us/record\n", th, secs[th], secs[th] * 1e6 / double(nh));
  }
  fmt::print("  speedup 2 threads vs 1: {:.2f}x{}\n", secs[1] / secs[2], results[1] == results[2] ? "" : "  WRONG RESULT");
  return 0;
}

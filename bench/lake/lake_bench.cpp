// Data-lake containment benchmark: millrace's staged search (schema index -> statistics -> sampled
// -> exact content check, TBB) against brute-force pairwise content checking, on the same generated
// lake in the same run. Prints edges and pruning ratio per stage, times, and the speed-up.
//   bench_lake --tables 2000 --seed 1 [--threads 2]
#include <chrono>
#include <ctime>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <millrace/core.hpp>
#include <millrace/lake/brute_force.hpp>
#include <millrace/lake/containment.hpp>
#include <millrace/synth/lake.hpp>

namespace lk = millrace::lake;
namespace sy = millrace::synth;
using clk = std::chrono::steady_clock;

static double since(clk::time_point t) { return std::chrono::duration<double>(clk::now() - t).count(); }

// CPU time of the calling thread: with one thread (the 1T runs, brute force) it is the work done,
// whatever else the machine is running; wall time is printed too.
static double thread_cpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Tables with canonical cells but without statistics: what brute force needs. millrace's profile
// pass (finish()) is timed as part of millrace.
static std::vector<lk::table> unfinished(const sy::lake& l) {
  std::vector<lk::table> ts;
  ts.reserve(l.tables.size());
  for (const auto& t : l.tables) {
    ts.emplace_back(t.path, t.header);
    for (const auto& r : t.rows) ts.back().add_row(r);
  }
  return ts;
}

int main(int argc, char** argv) {
  CLI::App app{"bench_lake: millrace table containment vs brute force on a generated lake"};
  sy::lake_options o{.seed = 1, .tables = 2000, .min_rows = 5, .max_rows = 200};
  int threads = 2;
  std::size_t sample = 16;
  int repeat = 3;
  app.add_option("--tables", o.tables)->capture_default_str();
  app.add_option("--seed", o.seed)->capture_default_str();
  app.add_option("--max-rows", o.max_rows)->capture_default_str();
  app.add_option("--threads", threads, "millrace threads (brute force is single-threaded)")->capture_default_str();
  app.add_option("--sample", sample)->capture_default_str();
  app.add_option("--repeat", repeat, "runs of each contender; the fastest is reported")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const auto lake = sy::generate_lake(o);
  std::size_t cells = 0;
  for (const auto& t : lake.tables) cells += t.rows.size() * t.header.size();
  auto tb = clk::now();
  (void)unfinished(lake);
  fmt::print("lake: {} tables, {} cells, {}..{} rows per base table, seed {}\n", lake.tables.size(), cells,
             o.min_rows, o.max_rows, o.seed);
  fmt::print("building canonical cells (shared by both, excluded from both times): {:.3f} s\n", since(tb));

  struct run_t { int threads; double profile_s, find_s, cpu_s; lk::containment_result r; };
  std::vector<run_t> runs;
  for (int th : {1, threads}) {
    run_t best{th, 1e30, 1e30, 0, {}};
    for (int rep = 0; rep < repeat; ++rep) {
      auto ts = unfinished(lake);
      const double c0 = thread_cpu();
      auto t0 = clk::now();
      tbb::task_arena arena(th);
      arena.execute([&] {
        tbb::parallel_for(std::size_t{0}, ts.size(), [&](std::size_t i) { ts[i].finish(); });
      });
      const double prof = since(t0);
      t0 = clk::now();
      auto r = millrace::with_executor(millrace::cpu{.threads = static_cast<std::size_t>(th)},
                                       [&] { return lk::find_containments(ts, {.sample = sample, .threads = th}); });
      const double find = since(t0);
      const double cpu = thread_cpu() - c0;
      if (prof + find < best.profile_s + best.find_s) best = {th, prof, find, cpu, std::move(r)};
    }
    runs.push_back(std::move(best));
    if (threads == 1) break;
  }

  std::vector<lk::containment_edge> brute;
  double brute_s = 1e30, brute_cpu = 1e30;
  for (int rep = 0; rep < repeat; ++rep) {
    auto ts = unfinished(lake);
    const double c0 = thread_cpu();
    auto t0 = clk::now();
    brute = lk::brute_force_containments(ts);
    brute_s = std::min(brute_s, since(t0));
    brute_cpu = std::min(brute_cpu, thread_cpu() - c0);
  }

  const auto& r = runs.front().r;
  bool identical = true;
  for (const auto& run : runs) identical = identical && run.r.edges == brute;

  fmt::print("\n{:<12} {:>12} {:>10} {:>10}\n", "stage", "edges", "kept", "seconds");
  std::uint64_t prev = 0;
  for (const auto& s : r.stages) {
    if (s.name == "content_wall") continue;
    const double kept = prev ? double(s.edges) / double(prev) : 1.0;
    fmt::print("{:<12} {:>12} {:>9.4f}  {:>10.4f}\n", s.name, s.edges, kept, s.seconds);
    prev = s.edges;
  }
  fmt::print("(kept = edges after the stage / edges before it; 1T times; sample/exact are summed\n"
             " thread time of the interleaved content checks)\n\n");
  fmt::print("best of {} runs each\n", repeat);
  fmt::print("brute force (1 thread):           {:9.3f} s, {} containments (thread CPU {:.3f} s)\n", brute_s,
             brute.size(), brute_cpu);
  for (const auto& run : runs) {
    const double total = run.profile_s + run.find_s;
    fmt::print("millrace ({} thread{}): profile {:7.3f} s + search {:7.3f} s = {:7.3f} s  -> {:6.1f}x faster\n",
               run.threads, run.threads > 1 ? "s" : " ", run.profile_s, run.find_s, total, brute_s / total);
  }
  fmt::print("1 thread, CPU time: brute force {:.3f} s / millrace {:.3f} s -> {:.1f}x\n", brute_cpu,
             runs.front().cpu_s, brute_cpu / runs.front().cpu_s);
  fmt::print("results identical to brute force: {}\n", identical ? "yes" : "NO");
  return identical ? 0 : 1;
}

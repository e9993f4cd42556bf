// D&C merge sort (ops::divide_and_conquer) vs std::sort and tbb::parallel_sort, same input, same run.
//   bench_dc_sort [--n 50000000] [--reps 1] [--cutoff 262144]
#include <millrace/exec/tbb.hpp>
#include <millrace/ops/divide_and_conquer.hpp>

#include <oneapi/tbb/parallel_invoke.h>
#include <oneapi/tbb/parallel_sort.h>
#include <oneapi/tbb/task_arena.h>

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace ops = millrace::ops;

namespace {

// Merges [a, a+na) and [b, b+nb) into out; splits the larger run at its middle and the other by
// binary search, so both halves can run in parallel. The output is the same as std::merge.
void parallel_merge(const int* a, std::size_t na, const int* b, std::size_t nb, int* out) {
  if (na + nb <= (1u << 16)) {
    std::merge(a, a + na, b, b + nb, out);
    return;
  }
  if (na < nb) {  // split the larger run; keep stability: equal keys from a go first
    const std::size_t mb = nb / 2;
    const std::size_t ma = static_cast<std::size_t>(std::upper_bound(a, a + na, b[mb]) - a);
    tbb::parallel_invoke([&] { parallel_merge(a, ma, b, mb, out); },
                         [&] { parallel_merge(a + ma, na - ma, b + mb, nb - mb, out + ma + mb); });
  } else {
    const std::size_t ma = na / 2;
    const std::size_t mb = static_cast<std::size_t>(std::lower_bound(b, b + nb, a[ma]) - b);
    tbb::parallel_invoke([&] { parallel_merge(a, ma, b, mb, out); },
                         [&] { parallel_merge(a + ma, na - ma, b + mb, nb - mb, out + ma + mb); });
  }
}

// Ping-pong buffers: a problem's result lands in `tmp` when into_tmp, else in `data`.
struct sort_problem {
  int* data;
  int* tmp;
  std::size_t n;
  bool into_tmp;
  std::size_t size() const { return n; }
};
struct done {};

void dc_merge_sort(std::vector<int>& v, std::size_t cutoff) {
  std::vector<int> tmp(v.size());
  ops::divide_and_conquer(
      sort_problem{v.data(), tmp.data(), v.size(), false}, [](const sort_problem&) { return false; },
      [](sort_problem&& p) {
        std::sort(p.data, p.data + p.n);
        if (p.into_tmp) std::copy(p.data, p.data + p.n, p.tmp);
        return done{};
      },
      [](const sort_problem& p) {
        const std::size_t h = p.n / 2;
        return std::array<sort_problem, 2>{sort_problem{p.data, p.tmp, h, !p.into_tmp},
                                           sort_problem{p.data + h, p.tmp + h, p.n - h, !p.into_tmp}};
      },
      [](const sort_problem& p, std::span<done>) {
        const int* src = p.into_tmp ? p.data : p.tmp;  // where the children put their results
        int* dst = p.into_tmp ? p.tmp : p.data;
        const std::size_t h = p.n / 2;
        parallel_merge(src, h, src + h, p.n - h, dst);
        return done{};
      },
      {.cutoff = cutoff});
}

// Process CPU seconds (all threads): wall >> cpu / threads means the machine was busy elsewhere.
double cpu_now() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }
double g_last_cpu = 0;

template <class F>
double seconds(F&& f) {
  const double c0 = cpu_now();
  const auto t0 = std::chrono::steady_clock::now();
  f();
  g_last_cpu = cpu_now() - c0;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 50'000'000, cutoff = 262144;
  int reps = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--n") n = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--reps") reps = std::atoi(argv[i + 1]);
    else if (a == "--cutoff") cutoff = std::strtoull(argv[i + 1], nullptr, 10);
  }
  std::vector<int> input(n);
  std::mt19937_64 rng(2026);
  for (auto& x : input) x = static_cast<int>(rng());
  std::vector<int> expect = input;
  std::vector<int> work;
  fmt::print("dc_sort: n={} ints, cutoff={}, best of {} rep(s)\n", n, cutoff, reps);

  const double t_std = [&] {
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
      expect = input;
      best = std::min(best, seconds([&] { std::sort(expect.begin(), expect.end()); }));
    }
    return best;
  }();
  fmt::print("{:<28} {:>8.3f} s wall\n", "std::sort (1 thread)", t_std);

  double t_tbb[3] = {}, t_dc[3] = {};
  bool ok = true;
  for (int threads : {1, 2}) {
    tbb::task_arena arena(threads);
    const millrace::tbb_backend backend(static_cast<std::size_t>(threads));  // the D&C's threads
    double best_tbb = 1e30, best_dc = 1e30, cpu_tbb = 0, cpu_dc = 0;
    for (int r = 0; r < reps; ++r) {
      work = input;
      const double a = seconds([&] { arena.execute([&] { tbb::parallel_sort(work.begin(), work.end()); }); });
      if (a < best_tbb) best_tbb = a, cpu_tbb = g_last_cpu;
      ok = ok && work == expect;
      work = input;
      const double b = seconds([&] { backend.enter([&] { dc_merge_sort(work, cutoff); }); });
      if (b < best_dc) best_dc = b, cpu_dc = g_last_cpu;
      ok = ok && work == expect;
    }
    t_tbb[threads] = best_tbb;
    t_dc[threads] = best_dc;
    fmt::print("{:<28} {:>8.3f} s wall {:>8.3f} s cpu\n", fmt::format("tbb::parallel_sort ({}T)", threads), best_tbb, cpu_tbb);
    fmt::print("{:<28} {:>8.3f} s wall {:>8.3f} s cpu\n", fmt::format("ops D&C merge sort ({}T)", threads), best_dc, cpu_dc);
  }
  fmt::print("ratio D&C/parallel_sort: 1T {:.2f}x, 2T {:.2f}x (goal <= 1.3)\n", t_dc[1] / t_tbb[1], t_dc[2] / t_tbb[2]);
  fmt::print("speedup D&C 2T vs 1T: {:.2f}x (goal >= 1.7); parallel_sort: {:.2f}x; D&C 2T vs std::sort: {:.2f}x\n",
             t_dc[1] / t_dc[2], t_tbb[1] / t_tbb[2], t_std / t_dc[2]);
  fmt::print("results equal std::sort: {}\n", ok ? "yes" : "NO");
  return ok ? 0 : 1;
}

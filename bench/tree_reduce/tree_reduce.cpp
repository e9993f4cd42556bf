// Tree-reduce overhead per node: ops::mapreduce_tree vs hand-written recursive tbb::task_group,
// on the same random tree in the same run.
//   bench_tree_reduce [--nodes 2000000] [--reps 3] [--fanout 8]
#include <millrace/ops/mapreduce_tree.hpp>

#include <oneapi/tbb/task_arena.h>

#include <millrace/exec/tbb.hpp>
#include <oneapi/tbb/task_group.h>

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace ops = millrace::ops;

namespace {

struct node {
  std::uint64_t value;
  std::vector<node> kids;
};

// A random tree of about `budget` nodes; each internal node has 1..2*fanout-1 children.
void grow(node& n, std::size_t& budget, std::mt19937_64& rng, std::size_t fanout) {
  if (budget == 0) return;
  const std::size_t c = std::min<std::size_t>(budget, 1 + rng() % (2 * fanout - 1));
  budget -= c;
  n.kids.resize(c);
  for (auto& k : n.kids) k.value = rng() % 1000;
  // grow children breadth-first-ish: recurse into each with a share of the budget
  for (std::size_t i = 0; i < c && budget > 0; ++i) {
    std::size_t share = i + 1 == c ? budget : budget / (c - i) + (rng() % 3);
    share = std::min(share, budget);
    budget -= share;
    grow(n.kids[i], share, rng, fanout);
    budget += share;  // what the child did not use goes back
  }
}

std::size_t count(const node& n) {
  std::size_t s = 1;
  for (const auto& k : n.kids) s += count(k);
  return s;
}

// Hand-written baseline 1: one task per child at every level.
std::uint64_t naive(const node& n) {
  if (n.kids.empty()) return n.value;
  std::vector<std::uint64_t> r(n.kids.size());
  tbb::task_group tg;
  for (std::size_t i = 0; i < n.kids.size(); ++i) tg.run([&, i] { r[i] = naive(n.kids[i]); });
  tg.wait();
  std::uint64_t s = n.value;
  for (auto x : r) s += x;
  return s;
}

std::uint64_t serial(const node& n) {
  std::uint64_t s = n.value;
  for (const auto& k : n.kids) s += serial(k);
  return s;
}

// Hand-written baseline 2: tasks down to a depth, then plain recursion (what a careful person writes).
std::uint64_t cutoff_rec(const node& n, std::size_t depth, std::size_t limit) {
  if (depth >= limit) return serial(n);
  if (n.kids.empty()) return n.value;
  std::vector<std::uint64_t> r(n.kids.size());
  tbb::task_group tg;
  for (std::size_t i = 0; i < n.kids.size(); ++i) tg.run([&, i] { r[i] = cutoff_rec(n.kids[i], depth + 1, limit); });
  tg.wait();
  std::uint64_t s = n.value;
  for (auto x : r) s += x;
  return s;
}

template <class F>
double best_seconds(int reps, F&& f) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t nodes = 2'000'000, fanout = 8;
  int reps = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--nodes") nodes = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--reps") reps = std::atoi(argv[i + 1]);
    else if (a == "--fanout") fanout = std::strtoull(argv[i + 1], nullptr, 10);
  }
  std::mt19937_64 rng(5);
  node root{1, {}};
  std::size_t budget = nodes - 1;
  grow(root, budget, rng, fanout);
  const std::size_t n = count(root);
  const std::uint64_t expect = serial(root);
  fmt::print("tree_reduce: {} nodes, mean fan-out ~{}, sum reduction, best of {}\n", n, fanout, reps);
  auto kids = [](const node& x) -> const std::vector<node>& { return x.kids; };
  auto val = [](const node& x) { return x.value; };
  bool ok = true;
  for (int threads : {1, 2}) {
    tbb::task_arena arena(threads);
    const millrace::tbb_backend backend(static_cast<std::size_t>(threads));  // the ops' threads
    const std::size_t limit = static_cast<std::size_t>(std::bit_width(static_cast<unsigned>(threads))) + 5;
    std::uint64_t got = 0;
    const double t_serial = best_seconds(reps, [&] { got = serial(root); });
    const double t_naive = best_seconds(reps, [&] { arena.execute([&] { got = naive(root); }); });
    ok = ok && got == expect;
    const double t_cut = best_seconds(reps, [&] { arena.execute([&] { got = cutoff_rec(root, 0, limit); }); });
    ok = ok && got == expect;
    const double t_ops = best_seconds(reps, [&] {
      backend.enter([&] { got = ops::mapreduce_tree(root, kids, val, std::plus<>{}); });
    });
    ok = ok && got == expect;
    const double t_ops_assoc = best_seconds(reps, [&] {
      backend.enter([&] { got = ops::mapreduce_tree(root, kids, val, ops::associative(std::plus<>{})); });
    });
    ok = ok && got == expect;
    auto ns = [&](double t) { return t * 1e9 / static_cast<double>(n); };
    fmt::print("{}T: serial recursion {:.1f} ns/node | task_group per child {:.1f} | task_group + depth cutoff {:.1f} | "
               "ops::mapreduce_tree {:.1f} (associative {:.1f})\n",
               threads, ns(t_serial), ns(t_naive), ns(t_cut), ns(t_ops), ns(t_ops_assoc));
    fmt::print("{}T: ratio ops / task_group per child {:.2f}x, ops / task_group + cutoff {:.2f}x (goal <= 1.2)\n",
               threads, t_ops / t_naive, t_ops / t_cut);
  }
  fmt::print("results equal: {}\n", ok ? "yes" : "NO");
  return ok ? 0 : 1;
}

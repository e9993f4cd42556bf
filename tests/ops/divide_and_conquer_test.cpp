// Conformance tests for ops::divide_and_conquer: results, cut policy, stack safety, errors, threads.
#include <doctest/doctest.h>

#include <millrace/core.hpp>
#include <millrace/ops/divide_and_conquer.hpp>


#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace ops = millrace::ops;

namespace {

// The ops run on the current executor's backend: give them `threads` threads of the oneTBB one.
template <class F>
auto in_arena(int threads, F&& f) {
  return millrace::with_executor(millrace::cpu{.threads = static_cast<std::size_t>(threads)}, std::forward<F>(f));
}

// Merge sort over a span with a scratch buffer of the same length.
struct sort_problem {
  int* data;
  int* tmp;
  std::size_t n;
  std::size_t size() const { return n; }
};
struct sorted {
  std::size_t n;
};

sorted merge_sort(std::vector<int>& v, ops::dc_policy policy) {
  std::vector<int> tmp(v.size());
  return ops::divide_and_conquer(
      sort_problem{v.data(), tmp.data(), v.size()}, [](const sort_problem& p) { return p.n <= 1; },
      [](sort_problem&& p) {
        std::sort(p.data, p.data + p.n);
        return sorted{p.n};
      },
      [](sort_problem& p) {
        const std::size_t h = p.n / 2;
        return std::array<sort_problem, 2>{sort_problem{p.data, p.tmp, h},
                                           sort_problem{p.data + h, p.tmp + h, p.n - h}};
      },
      [](const sort_problem& p, std::span<sorted> parts) {
        if (parts.size() != 2 || parts[0].n + parts[1].n != p.n) throw std::logic_error("bad parts");
        const std::size_t h = parts[0].n;
        std::merge(p.data, p.data + h, p.data + h, p.data + p.n, p.tmp);
        std::copy(p.tmp, p.tmp + p.n, p.data);
        return sorted{p.n};
      },
      policy);
}

std::vector<int> make_input(const std::string& kind, std::size_t n) {
  std::mt19937 rng(42);
  std::vector<int> v(n);
  if (kind == "random") {
    for (auto& x : v) x = static_cast<int>(rng());
  } else if (kind == "sorted") {
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<int>(i) - 1000;
  } else if (kind == "reversed") {
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<int>(n - i);
  } else {  // duplicates
    std::uniform_int_distribution<int> d(0, 3);
    for (auto& x : v) x = d(rng);
  }
  return v;
}

// A chain: each problem peels off one element, so the tree is as deep as the input is long.
struct range_problem {
  std::uint64_t lo, hi;
  std::size_t size() const { return static_cast<std::size_t>(hi - lo); }
};

std::uint64_t mix(std::uint64_t a, std::uint64_t b) { return a * 1000003u + b + 7; }  // order-sensitive

auto make_chain_solver(ops::dc_policy policy) {
  return ops::make_divide_and_conquer(
      [](const range_problem& p) { return p.hi - p.lo <= 1; },
      [](range_problem&& p) { return p.hi - p.lo == 1 ? p.lo : std::uint64_t{0}; },
      [](range_problem& p) { return std::array<range_problem, 2>{range_problem{p.lo, p.lo + 1}, range_problem{p.lo + 1, p.hi}}; },
      [](std::span<std::uint64_t> r) { return mix(r[0], r[1]); }, policy);
}

std::uint64_t chain_reference(std::uint64_t n) {
  // right fold: mix(0, mix(1, mix(2, ... mix(n-2, n-1))))
  std::uint64_t acc = n - 1;
  for (std::uint64_t i = n - 1; i-- > 0;) acc = mix(i, acc);
  return acc;
}

// A k-ary split with a string result that spells out the grouping.
struct span_problem {
  int lo, hi;
};
auto make_string_solver(int fanout, ops::dc_policy policy = {}) {
  return ops::make_divide_and_conquer(
      [](const span_problem& p) { return p.hi - p.lo <= 1; },
      [](span_problem&& p) { return p.hi > p.lo ? std::to_string(p.lo) : std::string("_"); },
      [fanout](const span_problem& p) {
        std::vector<span_problem> parts;
        const int n = p.hi - p.lo;
        const int k = std::min(fanout, n);
        for (int i = 0; i < k; ++i) parts.push_back({p.lo + n * i / k, p.lo + n * (i + 1) / k});
        return parts;
      },
      [](std::span<std::string> parts) {
        std::string s = "(";
        for (auto& x : parts) s += x + (&x == &parts.back() ? "" : " ");
        return s + ")";
      },
      policy);
}

std::string string_reference(int lo, int hi, int fanout) {
  if (hi - lo <= 1) return hi > lo ? std::to_string(lo) : std::string("_");
  const int n = hi - lo;
  const int k = std::min(fanout, n);
  std::string s = "(";
  for (int i = 0; i < k; ++i) s += string_reference(lo + n * i / k, lo + n * (i + 1) / k, fanout) + (i + 1 < k ? " " : "");
  return s + ")";
}

}  // namespace

TEST_CASE("dc.merge_sort.equals_std_sort.inputs_x_cutoffs_x_threads") {
  for (const char* kind : {"random", "sorted", "reversed", "duplicates"}) {
    for (std::size_t cutoff : {std::size_t{1}, std::size_t{7}, std::size_t{2048}}) {
      for (int threads : {1, 2}) {
        CAPTURE(kind);
        CAPTURE(cutoff);
        CAPTURE(threads);
        auto v = make_input(kind, 100'003);
        auto expect = v;
        std::sort(expect.begin(), expect.end());
        const sorted s = in_arena(threads, [&] { return merge_sort(v, {.cutoff = cutoff}); });
        CHECK(s.n == v.size());
        CHECK(v == expect);
      }
    }
  }
}

TEST_CASE("dc.merge_sort.edge_sizes.2T") {
  for (std::size_t n : {0u, 1u, 2u, 3u, 5u, 64u, 1000u}) {
    auto v = make_input("random", n);
    auto expect = v;
    std::sort(expect.begin(), expect.end());
    in_arena(2, [&] { merge_sort(v, {.cutoff = 1, .max_parallel_depth = 3}); });
    CHECK(v == expect);
  }
}

TEST_CASE("dc.deep_chain.cutoff1.no_stack_overflow.1T_2T") {
  // 300k levels: recursion on the thread's stack would overflow; the serial path is iterative and
  // the parallel (recursive) depth is capped even when the policy asks for more.
  const std::uint64_t n = 300'000;
  const auto expect = chain_reference(n);
  for (int threads : {1, 2}) {
    for (std::size_t depth : {std::size_t{0}, std::size_t{4}, std::size_t{64}, std::size_t{1'000'000}}) {
      CAPTURE(threads);
      CAPTURE(depth);
      auto dc = make_chain_solver({.cutoff = 1, .max_parallel_depth = depth});
      CHECK(in_arena(threads, [&] { return dc.solve(range_problem{0, n}); }) == expect);
    }
  }
}

TEST_CASE("dc.child_order.kary_fanout.strings.1T_equals_2T") {
  for (int fanout : {2, 3, 5, 9}) {
    CAPTURE(fanout);
    const std::string expect = string_reference(0, 1000, fanout);
    for (std::size_t depth : {std::size_t{0}, std::size_t{2}, std::size_t{30}}) {
      auto dc = make_string_solver(fanout, {.max_parallel_depth = depth});
      const auto one = in_arena(1, [&] { return dc.solve(span_problem{0, 1000}); });
      const auto two = in_arena(2, [&] { return dc.solve(span_problem{0, 1000}); });
      CHECK(one == expect);
      CHECK(two == expect);
    }
  }
}

TEST_CASE("dc.policy.cutoff_and_parallel_grain") {
  // cutoff turns problems of size <= cutoff into base cases even when is_base says no.
  std::atomic<int> base_calls{0};
  auto dc = ops::make_divide_and_conquer(
      [](const range_problem& p) { return p.hi - p.lo <= 1; },
      [&base_calls](range_problem&& p) {
        ++base_calls;
        std::uint64_t s = 0;
        for (auto i = p.lo; i < p.hi; ++i) s += i;
        return s;
      },
      [](range_problem& p) {
        const auto m = p.lo + (p.hi - p.lo) / 2;
        return std::array<range_problem, 2>{range_problem{p.lo, m}, range_problem{m, p.hi}};
      },
      [](std::span<std::uint64_t> r) { return r[0] + r[1]; }, {.cutoff = 1024, .parallel_grain = 4096});
  const std::uint64_t n = 1 << 16;
  CHECK(in_arena(2, [&] { return dc.solve(range_problem{0, n}); }) == n * (n - 1) / 2);
  CHECK(base_calls.load() == 64);  // 65536 / 1024 leaves
}

TEST_CASE("dc.zero_children.and_wide_fanout_heap_slots") {
  // A node with no children combines an empty span; a node with 40 children uses heap slots.
  struct p40 {
    int level;
  };
  auto dc = ops::make_divide_and_conquer(
      [](const p40& p) { return p.level == 2; }, [](p40&&) { return std::string("x"); },
      [](const p40& p) { return std::vector<p40>(p.level == 0 ? 40 : (p.level == 1 ? 0 : 0), p40{p.level + 1}); },
      [](std::span<std::string> r) {
        std::string s = "[";
        for (auto& x : r) s += x;
        return s + "]";
      });
  std::string expect = "[";
  for (int i = 0; i < 40; ++i) expect.append("[]");
  expect.append("]");
  CHECK(in_arena(2, [&] { return dc.solve(p40{0}); }) == expect);
  CHECK(in_arena(1, [&] { return dc.solve(p40{0}); }) == expect);
}

TEST_CASE("dc.errors.divide_base_combine_propagate.1T_2T") {
  for (int threads : {1, 2}) {
    for (std::size_t depth : {std::size_t{0}, std::size_t{1}, std::size_t{40}}) {
      CAPTURE(threads);
      CAPTURE(depth);
      const ops::dc_policy pol{.max_parallel_depth = depth};
      auto base_throws = ops::make_divide_and_conquer(
          [](const range_problem& p) { return p.hi - p.lo <= 1; },
          [](range_problem&& p) -> std::uint64_t {
            if (p.lo == 777) throw std::runtime_error("base failed at 777");
            return p.lo;
          },
          [](range_problem& p) {
            const auto m = p.lo + (p.hi - p.lo) / 2;
            return std::array<range_problem, 2>{range_problem{p.lo, m}, range_problem{m, p.hi}};
          },
          [](std::span<std::uint64_t> r) { return r[0] + r[1]; }, pol);
      CHECK_THROWS_WITH_AS(in_arena(threads, [&] { return base_throws.solve(range_problem{0, 5000}); }),
                           "base failed at 777", std::runtime_error);

      auto divide_throws = ops::make_divide_and_conquer(
          [](const range_problem& p) { return p.hi - p.lo <= 1; }, [](range_problem&& p) { return p.lo; },
          [](range_problem& p) {
            if (p.lo == 2500 && p.hi - p.lo < 100) throw std::logic_error("divide failed");
            const auto m = p.lo + (p.hi - p.lo) / 2;
            return std::array<range_problem, 2>{range_problem{p.lo, m}, range_problem{m, p.hi}};
          },
          [](std::span<std::uint64_t> r) { return r[0] + r[1]; }, pol);
      CHECK_THROWS_WITH_AS(in_arena(threads, [&] { return divide_throws.solve(range_problem{0, 5000}); }),
                           "divide failed", std::logic_error);

      auto combine_throws = ops::make_divide_and_conquer(
          [](const range_problem& p) { return p.hi - p.lo <= 1; }, [](range_problem&& p) { return p.lo; },
          [](range_problem& p) {
            const auto m = p.lo + (p.hi - p.lo) / 2;
            return std::array<range_problem, 2>{range_problem{p.lo, m}, range_problem{m, p.hi}};
          },
          [](const range_problem& p, std::span<std::uint64_t> r) {
            if (p.lo == 0 && p.hi == 5000) throw std::out_of_range("combine failed at root");
            return r[0] + r[1];
          },
          pol);
      CHECK_THROWS_WITH_AS(in_arena(threads, [&] { return combine_throws.solve(range_problem{0, 5000}); }),
                           "combine failed at root", std::out_of_range);
    }
  }
}

TEST_CASE("dc.errors.deep_serial_path_propagates") {
  auto dc = ops::make_divide_and_conquer(
      [](const range_problem& p) { return p.hi - p.lo <= 1; },
      [](range_problem&& p) -> std::uint64_t {
        if (p.lo == 150'000) throw std::runtime_error("deep leaf failed");
        return p.lo;
      },
      [](range_problem& p) { return std::array<range_problem, 2>{range_problem{p.lo, p.lo + 1}, range_problem{p.lo + 1, p.hi}}; },
      [](std::span<std::uint64_t> r) { return r[0] + r[1]; }, {.max_parallel_depth = 8});
  CHECK_THROWS_WITH(in_arena(2, [&] { return dc.solve(range_problem{0, 200'000}); }), "deep leaf failed");
}

TEST_CASE("dc.callables_stored_by_value") {
  // The solver keeps its own copies: changing or destroying the originals does not affect it.
  struct scaled_base {
    std::vector<std::uint64_t> scale;  // heap state that would dangle if referenced
    std::uint64_t operator()(range_problem&& p) const { return p.lo * scale[0]; }
  };
  auto make = [] {
    scaled_base b{{3}};
    auto dc = ops::make_divide_and_conquer(
        [](const range_problem& p) { return p.hi - p.lo <= 1; }, b,
        [](range_problem& p) {
          const auto m = p.lo + (p.hi - p.lo) / 2;
          return std::array<range_problem, 2>{range_problem{p.lo, m}, range_problem{m, p.hi}};
        },
        [](std::span<std::uint64_t> r) { return r[0] + r[1]; });
    b.scale[0] = 1000;  // must not be seen by dc
    return dc;
  };
  const auto dc = make();
  CHECK(in_arena(2, [&] { return dc.solve(range_problem{0, 100}); }) == 3u * 4950u);
}

TEST_CASE("dc.non_default_constructible_result") {
  struct boxed {
    explicit boxed(std::uint64_t v) : v(v) {}
    std::uint64_t v;
  };
  auto dc = ops::make_divide_and_conquer(
      [](const range_problem& p) { return p.hi - p.lo <= 1; }, [](range_problem&& p) { return boxed(p.lo); },
      [](range_problem& p) {
        const auto m = p.lo + (p.hi - p.lo) / 2;
        return std::array<range_problem, 2>{range_problem{p.lo, m}, range_problem{m, p.hi}};
      },
      [](std::span<boxed> r) { return boxed(r[0].v + r[1].v); });
  CHECK(in_arena(2, [&] { return dc.solve(range_problem{0, 1000}); }).v == 499500u);
}

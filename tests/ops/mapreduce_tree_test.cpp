// Conformance tests for ops::mapreduce / mapreduce_tree / tree_accumulator: the documented grouping
// (revealed by a non-commutative, non-associative string reducer), child order, threads, errors.
#include <doctest/doctest.h>

#include <millrace/core.hpp>
#include <millrace/ops/mapreduce_tree.hpp>

#include <cstdint>
#include <numeric>
#include <random>
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

// Neither commutative nor associative: the result spells out the exact grouping.
std::string paren(std::string a, std::string b) {
  std::string s;
  s.reserve(a.size() + b.size() + 3);
  s.append("(").append(a).append(" ").append(b).append(")");
  return s;
}
const auto paren_fn = [](std::string a, std::string b) { return paren(std::move(a), std::move(b)); };

// The contract, written directly: reduce consecutive groups of k left to right, level by level.
std::string reference_list(std::vector<std::string> v, std::size_t k) {
  while (v.size() > 1) {
    std::vector<std::string> next;
    for (std::size_t g = 0; g < v.size(); g += k) {
      std::string acc = v[g];
      for (std::size_t i = g + 1; i < std::min(v.size(), g + k); ++i) acc = paren(acc, v[i]);
      next.push_back(acc);
    }
    v = std::move(next);
  }
  return v.front();
}

std::vector<int> iota_vec(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

struct node {
  std::string name;
  std::vector<node> kids;
};

node random_tree(std::mt19937& rng, int depth, int& counter) {
  node n{std::string("n").append(std::to_string(counter++)), {}};
  if (depth > 0) {
    const int c = static_cast<int>(rng() % 12);
    for (int i = 0; i < c; ++i) n.kids.push_back(random_tree(rng, depth - 1 - static_cast<int>(rng() % 2), counter));
  }
  return n;
}

std::string reference_tree(const node& n, std::size_t k) {
  std::vector<std::string> list{n.name};
  for (const auto& c : n.kids) list.push_back(reference_tree(c, k));
  return reference_list(list, k);
}

}  // namespace

TEST_CASE("mapreduce.sequence.contract_examples.fan_in_2_3") {
  auto name = [](int x) { return std::to_string(x); };
  const auto v5 = iota_vec(5);
  // k = 2: level 1 (0 1) (2 3) 4; level 2 ((0 1) (2 3)) 4; level 3 (((0 1) (2 3)) 4)
  CHECK(*ops::mapreduce(v5, name, paren_fn, {.fan_in = 2}) == "(((0 1) (2 3)) 4)");
  // k = 3: level 1 ((0 1) 2) (3 4); level 2 (((0 1) 2) (3 4))
  CHECK(*ops::mapreduce(v5, name, paren_fn, {.fan_in = 3}) == "(((0 1) 2) (3 4))");
  CHECK(*ops::mapreduce(iota_vec(1), name, paren_fn) == "0");
  CHECK_FALSE(ops::mapreduce(std::vector<int>{}, name, paren_fn).has_value());
}

TEST_CASE("mapreduce.sequence.untagged.exact_grouping.sizes_x_fan_in_x_grain_x_threads") {
  auto name = [](int x) { return std::to_string(x); };
  for (int n : {2, 7, 8, 9, 63, 64, 65, 1000, 4097}) {
    for (std::size_t k : {2u, 3u, 8u, 16u}) {
      std::vector<std::string> names;
      for (int i = 0; i < n; ++i) names.push_back(std::to_string(i));
      const std::string expect = reference_list(names, k);
      const auto v = iota_vec(n);
      for (std::size_t grain : {1u, 5u, 0u, 100000u}) {
        for (int threads : {1, 2}) {
          CAPTURE(n);
          CAPTURE(k);
          CAPTURE(grain);
          CAPTURE(threads);
          const auto got = in_arena(threads, [&] {
            return ops::mapreduce(v, name, paren_fn, {.fan_in = k, .grain = grain, .max_parallel_depth = 6});
          });
          REQUIRE(got.has_value());
          CHECK(*got == expect);
        }
      }
    }
  }
}

TEST_CASE("mapreduce.sequence.associative.regrouped_keeps_order.1T_2T") {
  // Concatenation is associative but not commutative: regrouping is allowed, reordering is not.
  const auto v = iota_vec(20000);
  std::string expect;
  for (int x : v) expect += std::to_string(x) + ",";
  auto cat = ops::associative([](std::string a, const std::string& b) { return a += b; });
  for (int threads : {1, 2}) {
    for (std::size_t grain : {0u, 1u, 333u}) {
      const auto got = in_arena(threads, [&] {
        return ops::mapreduce(v, [](int x) { return std::to_string(x) + ","; }, cat, {.fan_in = 4, .grain = grain});
      });
      CHECK(*got == expect);
    }
  }
  // a sum of 64-bit ints, the common case
  std::vector<std::uint64_t> big(1 << 20);
  std::iota(big.begin(), big.end(), std::uint64_t{1});
  const auto sum = in_arena(2, [&] {
    return ops::mapreduce(big, [](std::uint64_t x) { return x; }, ops::associative(std::plus<>{}));
  });
  CHECK(*sum == (std::uint64_t{1} << 20) * ((std::uint64_t{1} << 20) + 1) / 2);
}

TEST_CASE("mapreduce.sequence.floats.untagged_same_bits_1T_2T") {
  // Float addition is not associative: the fixed grouping makes the result thread-count independent.
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> d(-1e6, 1e6);
  std::vector<double> v(300000);
  for (auto& x : v) x = d(rng) * (rng() % 2 ? 1e-9 : 1.0);
  auto id = [](double x) { return x; };
  auto add = [](double a, double b) { return a + b; };
  const double one = *in_arena(1, [&] { return ops::mapreduce(v, id, add, {.fan_in = 4}); });
  const double two = *in_arena(2, [&] { return ops::mapreduce(v, id, add, {.fan_in = 4, .grain = 3}); });
  CHECK(std::bit_cast<std::uint64_t>(one) == std::bit_cast<std::uint64_t>(two));
}

TEST_CASE("mapreduce_tree.explicit.untagged.exact_grouping.fan_in_x_threads") {
  std::mt19937 rng(11);
  int counter = 0;
  const node root = random_tree(rng, 7, counter);
  REQUIRE(counter > 200);
  auto kids = [](const node& n) -> const std::vector<node>& { return n.kids; };
  auto name = [](const node& n) { return n.name; };
  for (std::size_t k : {2u, 3u, 5u, 16u}) {
    const std::string expect = reference_tree(root, k);
    for (int threads : {1, 2}) {
      for (std::size_t depth : {0u, 2u, 50u}) {
        CAPTURE(k);
        CAPTURE(threads);
        CAPTURE(depth);
        const auto got = in_arena(threads, [&] {
          return ops::mapreduce_tree(root, kids, name, paren_fn, {.fan_in = k, .max_parallel_depth = depth});
        });
        CHECK(got == expect);
      }
    }
  }
  // the smallest case, by hand: a node with two leaf children and fan-in 2 -> ((a b) c)
  const node small{"a", {node{"b", {}}, node{"c", {}}}};
  CHECK(ops::mapreduce_tree(small, kids, name, paren_fn, {.fan_in = 2}) == "((a b) c)");
  CHECK(ops::mapreduce_tree(small, kids, name, paren_fn, {.fan_in = 3}) == "((a b) c)");
}

TEST_CASE("mapreduce_tree.ops_tree.per_node_values.1T_2T") {
  // Build an ops::tree mirroring a random explicit tree; every node's value is its subtree's reduction.
  std::mt19937 rng(3);
  int counter = 0;
  const node root = random_tree(rng, 6, counter);
  ops::tree<std::string> t;
  std::vector<const node*> by_id;
  auto build = [&](auto&& self, const node& n, std::size_t parent) -> void {
    const auto id = parent == ops::tree<std::string>::npos ? t.add_root(n.name) : t.add_child(parent, n.name);
    by_id.push_back(&n);
    for (const auto& c : n.kids) self(self, c, id);
  };
  build(build, root, ops::tree<std::string>::npos);
  REQUIRE(t.size() == static_cast<std::size_t>(counter));
  for (int threads : {1, 2}) {
    const auto values = in_arena(threads, [&] {
      return ops::mapreduce_tree(t, [](const std::string& s) { return s; }, paren_fn, {.fan_in = 3});
    });
    REQUIRE(values.size() == t.size());
    for (std::size_t i = 0; i < values.size(); ++i) CHECK(values[i] == reference_tree(*by_id[i], 3));
  }
  CHECK(ops::mapreduce_tree(ops::tree<int>{}, [](int x) { return x; }, std::plus<>{}).empty());
}

TEST_CASE("mapreduce_tree.deep_chain.no_stack_overflow") {
  // A tree 200k levels deep (a chain), reduced with a counting reducer.
  ops::tree<int> t;
  auto id = t.add_root(1);
  for (int i = 0; i < 200000; ++i) id = t.add_child(id, 1);
  const auto values = in_arena(2, [&] { return ops::mapreduce_tree(t, [](int x) { return x; }, std::plus<>{}); });
  CHECK(values.front() == 200001);
  CHECK(values.back() == 1);
}

TEST_CASE("mapreduce.errors.map_and_reduce_propagate.1T_2T") {
  const auto v = iota_vec(5000);
  for (int threads : {1, 2}) {
    CHECK_THROWS_WITH_AS(in_arena(threads,
                                  [&] {
                                    return ops::mapreduce(v, [](int x) {
                                      if (x == 4321) throw std::runtime_error("map failed on 4321");
                                      return x;
                                    }, std::plus<>{});
                                  }),
                         "map failed on 4321", std::runtime_error);
    CHECK_THROWS_WITH_AS(in_arena(threads,
                                  [&] {
                                    return ops::mapreduce(v, [](int x) { return x; }, [](int a, int b) {
                                      if (b == 4999) throw std::domain_error("reduce failed");
                                      return a + b;
                                    });
                                  }),
                         "reduce failed", std::domain_error);
    ops::tree<int> t;
    const auto r = t.add_root(0);
    for (int i = 1; i < 100; ++i) t.add_child(t.add_child(r, i), -i);
    CHECK_THROWS_WITH(in_arena(threads,
                               [&] {
                                 return ops::mapreduce_tree(t, [](int x) {
                                   if (x == -50) throw std::runtime_error("map failed on a leaf");
                                   return x;
                                 }, std::plus<>{});
                               }),
                      "map failed on a leaf");
  }
  CHECK_THROWS_AS(ops::mapreduce(v, [](int x) { return x; }, std::plus<>{}, {.fan_in = 1}), std::invalid_argument);
}

TEST_CASE("tree_accumulator.streaming_equals_sequence_contract") {
  for (int n : {1, 2, 3, 10, 81, 82, 1000}) {
    for (std::size_t k : {2u, 3u, 7u}) {
      ops::tree_accumulator<std::string, decltype(paren_fn)> acc(paren_fn, k);
      std::vector<std::string> names;
      for (int i = 0; i < n; ++i) {
        names.push_back(std::to_string(i));
        acc.push(std::to_string(i));
      }
      CAPTURE(n);
      CAPTURE(k);
      CHECK(acc.take() == reference_list(names, k));
      CHECK_FALSE(acc.take().has_value());  // take() resets
    }
  }
}

TEST_CASE("tree.build.accessors_and_errors") {
  ops::tree<std::string> t;
  CHECK(t.empty());
  const auto r = t.add_root("root");
  const auto a = t.add_child(r, "a");
  const auto b = t.add_child(r, "b");
  const auto a1 = t.add_child(a, "a1");
  CHECK(t.size() == 4);
  CHECK(t[a1] == "a1");
  CHECK(t.parent(a1) == a);
  CHECK(t.parent(r) == ops::tree<std::string>::npos);
  CHECK(t.depth(a1) == 2);
  REQUIRE(t.children(r).size() == 2);
  CHECK(t.children(r)[0] == a);
  CHECK(t.children(r)[1] == b);
  CHECK(t.is_leaf(b));
  CHECK_FALSE(t.is_leaf(a));
  CHECK_THROWS_AS(t.add_root("again"), std::logic_error);
  CHECK_THROWS_AS(t.add_child(99, "orphan"), std::out_of_range);
}

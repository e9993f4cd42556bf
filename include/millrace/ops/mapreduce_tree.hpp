// millrace/ops/mapreduce_tree.hpp — MapReduce over trees (after ToM, "Tree-oriented MapReduce"):
// map every node, reduce children's results bottom-up in child order with a bounded fan-in; over
// explicit trees and over sequences.
//   std::vector<stats> per_node = mr::ops::mapreduce_tree(doc_tree, to_stats, mr::ops::associative(add));
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include <millrace/ops/divide_and_conquer.hpp>
#include <millrace/ops/tree.hpp>

namespace millrace::ops {

/// Reduction order (the contract). A reducer is binary, `R reduce(R left, R right)`.
///  * A list of values v0..vn-1 is reduced by a k-ary tree, k = fan_in: consecutive groups of k
///    values are reduced left to right, ((v0 ⊕ v1) ⊕ v2) ⊕ ..., giving the next level; the last
///    group may be shorter and a group of one value passes through unchanged; repeat until one
///    value is left. The grouping depends only on n and k, never on threads or timing.
///  * Sequences: the list is map(x0)..map(xn-1).
///  * Explicit trees: a node's value is the reduction of the list map(node), value(child0), ...,
///    value(childc-1); a leaf's value is map(leaf).
///  * A reducer wrapped in `associative(f)` may be regrouped (never reordered: child order is kept),
///    which lets the implementation fold large serial chunks. Untagged reducers get exactly the
///    grouping above, so even a non-associative reducer gives the same result for any thread count.
/// An exception in map or reduce cancels the remaining work and propagates to the caller (inside a
/// pipeline, the core reports it as an operator_error).
template <class F>
struct associative_fn {
  F fn;  ///< the binary reducer, called through operator()
  template <class A, class B>
  decltype(auto) operator()(A&& a, B&& b) const {
    return std::invoke(fn, std::forward<A>(a), std::forward<B>(b));
  }
};

/// Tags a binary reducer as associative: `mapreduce(v, f, associative(std::plus<>{}))`.
template <class F>
associative_fn<std::decay_t<F>> associative(F&& f) {
  return {std::forward<F>(f)};
}

/// True when F is marked associative (wrapped by mr::associative).
template <class F>
inline constexpr bool is_associative_v = false;
template <class F>
inline constexpr bool is_associative_v<associative_fn<F>> = true;

/// Options of the k-ary tree reduction.
struct tree_reduce_options {
  /// Most values one reduction group takes (k of the k-ary tree); at least 2.
  std::size_t fan_in = 8;
  /// Sequences: elements a serial task handles (0 = auto: max(64, n / 256), independent of threads).
  std::size_t grain = 0;
  /// Recursion levels that spawn tasks (0 = auto, see dc_policy).
  std::size_t max_parallel_depth = 0;
};

/// Reduces values pushed one at a time with exactly the k-ary grouping of the contract above, in
/// O(k log n) memory: a streaming form of the sequence reduction (usable in a serial stage).
template <class R, class Reduce>
class tree_accumulator {
 public:
  explicit tree_accumulator(Reduce reduce, std::size_t fan_in = 8) : reduce_(std::move(reduce)), k_(fan_in) {
    if (k_ < 2) throw std::invalid_argument("ops::tree_accumulator: fan_in must be at least 2");
  }

  /// Adds the next value; a level that fills a group of fan_in values is reduced into the level
  /// above at once, so reduce runs inside push (its exceptions propagate from here).
  void push(R value) {
    std::size_t level = 0;
    for (;;) {
      if (levels_.size() <= level) levels_.emplace_back();
      auto& pending = levels_[level];
      pending.push_back(std::move(value));
      if (pending.size() < k_) return;
      value = fold(pending);
      ++level;
    }
  }

  /// Whether nothing is pending: nothing pushed since construction or the last take().
  bool empty() const {
    return std::all_of(levels_.begin(), levels_.end(), [](const auto& l) { return l.empty(); });
  }

  /// The reduction of everything pushed so far (nullopt when nothing was pushed); resets.
  std::optional<R> take() {
    std::optional<R> carry;
    for (std::size_t level = 0; level < levels_.size(); ++level) {
      auto& pending = levels_[level];
      if (carry) {
        pending.push_back(std::move(*carry));
        carry.reset();
      }
      if (pending.empty()) continue;
      const bool higher = std::any_of(levels_.begin() + static_cast<std::ptrdiff_t>(level) + 1, levels_.end(),
                                      [](const auto& l) { return !l.empty(); });
      if (pending.size() == 1) {
        carry.emplace(std::move(pending.front()));  // a group of one passes through
        pending.clear();
        if (!higher) break;
      } else {
        carry.emplace(fold(pending));
        if (!higher) break;
      }
    }
    levels_.clear();
    return carry;
  }

 private:
  R fold(std::vector<R>& group) {
    R acc = std::move(group.front());
    for (std::size_t i = 1; i < group.size(); ++i) acc = std::invoke(reduce_, std::move(acc), std::move(group[i]));
    group.clear();
    return acc;
  }

  Reduce reduce_;
  std::size_t k_;
  std::vector<std::vector<R>> levels_;
};

namespace detail {

// Reduces `values` in place by the contract's k-ary grouping; values[0] holds the result.
template <class R, class Reduce>
R reduce_list(std::span<R> values, std::size_t k, const Reduce& reduce) {
  std::size_t n = values.size();
  if constexpr (is_associative_v<Reduce>) k = n;  // any grouping is allowed: one left fold
  while (n > 1) {
    std::size_t m = 0;
    for (std::size_t g = 0; g < n; g += k) {
      R acc = std::move(values[g]);
      const std::size_t end = std::min(n, g + k);
      for (std::size_t i = g + 1; i < end; ++i) acc = std::invoke(reduce, std::move(acc), std::move(values[i]));
      values[m++] = std::move(acc);
    }
    n = m;
  }
  return std::move(values[0]);
}

// A node's value: the reduction of [self, kids...] by the contract's grouping.
template <class R, class Reduce>
R reduce_node(R self, std::span<R> kids, std::size_t k, const Reduce& reduce) {
  if (is_associative_v<Reduce> || kids.size() + 1 <= k) {  // one group: a left fold, no copies
    for (R& kid : kids) self = std::invoke(reduce, std::move(self), std::move(kid));
    return self;
  }
  std::vector<R> all;
  all.reserve(kids.size() + 1);
  all.push_back(std::move(self));
  for (R& kid : kids) all.push_back(std::move(kid));
  return reduce_list(std::span<R>(all), k, reduce);
}

inline void check_fan_in(std::size_t k) {
  if (k < 2) throw std::invalid_argument("ops::mapreduce: fan_in must be at least 2");
}

// A node of the sequence's k-ary tree: leaves [lo, hi), aligned to `span` = k^level.
struct seq_node {
  std::size_t lo, hi, span;
  std::size_t size() const { return hi - lo; }
};

inline seq_node make_seq_node(std::size_t lo, std::size_t hi, std::size_t span, std::size_t k);

// The children of a sequence node, computed on access (no allocation per node).
struct seq_children {
  seq_node node;
  std::size_t child_span, k, count;
  std::size_t size() const { return count; }
  seq_node operator[](std::size_t i) const {
    const std::size_t lo = node.lo + i * child_span;
    return make_seq_node(lo, std::min(node.hi, lo + child_span), child_span, k);
  }
};

// A node's children as pointers (the problems of the divide-and-conquer engine).
template <class Node, class C>
struct pointer_list {
  const C* kids;
  std::size_t size() const { return static_cast<std::size_t>(std::size(*kids)); }
  const Node* operator[](std::size_t i) const { return std::addressof((*kids)[i]); }
};

inline seq_node make_seq_node(std::size_t lo, std::size_t hi, std::size_t span, std::size_t k) {
  while (span > 1 && hi - lo <= span / k) span /= k;  // skip levels where the group has one member
  return {lo, hi, span};
}

}  // namespace detail

/// Map-reduce over a random-access sequence; nullopt for an empty one. See the contract above.
template <class Range, class Map, class Reduce>
auto mapreduce(const Range& input, Map map, Reduce reduce, tree_reduce_options opt = {}) {
  static_assert(std::random_access_iterator<decltype(std::begin(input))>,
                "ops::mapreduce: the input must be a random-access, sized range");
  using elem_ref = decltype(*std::begin(input));
  static_assert(std::is_invocable_v<const Map&, elem_ref>, "ops::mapreduce: map must be callable on an element");
  using R = std::remove_cvref_t<std::invoke_result_t<const Map&, elem_ref>>;
  static_assert(std::is_invocable_r_v<R, const Reduce&, R&&, R&&>,
                "ops::mapreduce: reduce must be callable as R(R, R) with R the result of map");
  detail::check_fan_in(opt.fan_in);
  const std::size_t n = static_cast<std::size_t>(std::size(input));
  if (n == 0) return std::optional<R>{};
  const std::size_t k = opt.fan_in;
  std::size_t span = 1;
  while (span < n) span = span > std::numeric_limits<std::size_t>::max() / k ? std::numeric_limits<std::size_t>::max() : span * k;
  const std::size_t grain = opt.grain != 0 ? opt.grain : std::max<std::size_t>(64, n / 256);
  const auto first = std::begin(input);

  auto solve_chunk = [&map, &reduce, first, k](detail::seq_node&& node) -> R {
    auto at = [&](std::size_t i) -> R { return std::invoke(map, first[static_cast<std::ptrdiff_t>(i)]); };
    if constexpr (is_associative_v<Reduce>) {
      R acc = at(node.lo);
      for (std::size_t i = node.lo + 1; i < node.hi; ++i) acc = std::invoke(reduce, std::move(acc), at(i));
      (void)k;
      return acc;
    } else {
      tree_accumulator<R, std::reference_wrapper<const Reduce>> acc(std::cref(reduce), k);
      for (std::size_t i = node.lo; i < node.hi; ++i) acc.push(at(i));
      return std::move(*acc.take());
    }
  };
  auto dc = make_divide_and_conquer(
      [grain](const detail::seq_node& node) { return node.span == 1 || node.size() <= grain; }, solve_chunk,
      [k](const detail::seq_node& node) {
        const std::size_t child_span = node.span / k;
        const std::size_t count = (node.size() + child_span - 1) / child_span;
        return detail::seq_children{node, child_span, k, count};
      },
      [&reduce, k](std::span<R> children) { return detail::reduce_list(children, k, reduce); },
      dc_policy{.max_parallel_depth = opt.max_parallel_depth});
  return std::optional<R>(dc.solve(detail::make_seq_node(0, n, span, k)));
}

/// Map-reduce over an explicit tree given by its root and `children(const Node&)`, which must return
/// a reference to a random-access range of the node's children (e.g. a std::vector<Node> member).
/// Returns the root's value. See the contract above.
template <class Node, class Children, class Map, class Reduce>
auto mapreduce_tree(const Node& root, Children children, Map map, Reduce reduce, tree_reduce_options opt = {}) {
  using R = std::remove_cvref_t<std::invoke_result_t<const Map&, const Node&>>;
  using kids_t = std::invoke_result_t<const Children&, const Node&>;
  static_assert(std::is_lvalue_reference_v<kids_t>,
                "ops::mapreduce_tree: children(node) must return a reference to the node's children");
  static_assert(detail::child_list<std::remove_reference_t<kids_t>>,
                "ops::mapreduce_tree: children(node) must have size() and operator[] (e.g. a std::vector)");
  static_assert(std::is_invocable_r_v<R, const Reduce&, R&&, R&&>,
                "ops::mapreduce_tree: reduce must be callable as R(R, R) with R the result of map");
  detail::check_fan_in(opt.fan_in);
  const std::size_t k = opt.fan_in;
  auto dc = make_divide_and_conquer(
      [&children](const Node* node) { return std::size(std::invoke(children, *node)) == 0; },
      [&map](const Node* node) -> R { return std::invoke(map, *node); },
      [&children](const Node* node) {
        return detail::pointer_list<Node, std::remove_reference_t<kids_t>>{std::addressof(std::invoke(children, *node))};
      },
      [&map, &reduce, k](const Node* node, std::span<R> kids) -> R {
        return detail::reduce_node<R>(std::invoke(map, *node), kids, k, reduce);
      },
      dc_policy{.max_parallel_depth = opt.max_parallel_depth});
  return dc.solve(std::addressof(root));
}

/// Map-reduce over an ops::tree: returns every node's value (its subtree's reduction), by node id.
/// map(const T&) -> R; an empty tree gives an empty vector.
template <class T, class Map, class Reduce>
auto mapreduce_tree(const tree<T>& t, Map map, Reduce reduce, tree_reduce_options opt = {}) {
  using R = std::remove_cvref_t<std::invoke_result_t<const Map&, const T&>>;
  static_assert(std::is_invocable_r_v<R, const Reduce&, R&&, R&&>,
                "ops::mapreduce_tree: reduce must be callable as R(R, R) with R the result of map");
  static_assert(std::is_copy_constructible_v<R>, "ops::mapreduce_tree: per-node results are copies of R");
  detail::check_fan_in(opt.fan_in);
  using id = typename tree<T>::node_id;
  std::vector<std::optional<R>> values(t.size());  // each slot written by exactly one task
  const std::size_t k = opt.fan_in;
  if (!t.empty()) {
    auto dc = make_divide_and_conquer(
        [&t](id node) { return t.is_leaf(node); },
        [&t, &map, &values](id node) -> R {
          R r = std::invoke(map, t[node]);
          values[node].emplace(r);
          return r;
        },
        [&t](id node) { return t.children(node); },
        [&t, &map, &reduce, &values, k](id node, std::span<R> kids) -> R {
          R r = detail::reduce_node<R>(std::invoke(map, t[node]), kids, k, reduce);
          values[node].emplace(r);
          return r;
        },
        dc_policy{.max_parallel_depth = opt.max_parallel_depth});
    dc.solve(t.root());
  }
  std::vector<R> out;
  out.reserve(values.size());
  for (auto& v : values) out.push_back(std::move(*v));
  return out;
}

}  // namespace millrace::ops

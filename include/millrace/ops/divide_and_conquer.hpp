// millrace/ops/divide_and_conquer.hpp — divide and conquer (FastFlow ff_DC shape): children solved
// with parallel_for on the current executor's backend (serial under serial_executor and outside a
// run), with a serial, iterative path below a depth/size cutoff so that a tiny cutoff cannot
// overflow the stack.
//   int sum = mr::ops::divide_and_conquer(std::span<const int>(v), is_small, add_all, halve, add);
#pragma once

#include <algorithm>
#include <bit>
#include <concepts>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <new>
#include <span>
#include <type_traits>
#include <utility>

#include <millrace/core/parallel.hpp>

namespace millrace::ops {

/// How a divide-and-conquer run is cut. Sizes apply only to problems that have a size (a `size()`
/// member or std::size); other problems are cut by `is_base` and depth alone.
struct dc_policy {
  /// A problem with size() <= cutoff is a base case even when is_base says no (0: off).
  std::size_t cutoff = 0;
  /// A problem with size() < parallel_grain is solved serially, without spawning tasks (0: off).
  std::size_t parallel_grain = 0;
  /// Recursion levels that spawn tasks; deeper levels run serially and iteratively.
  /// 0 = auto: bit_width(parallel_concurrency()) + 5, and fully serial on a 1-thread backend (the
  /// serial executor, or outside a run). Capped at
  /// max_parallel_depth_cap so that the parallel (recursive) part stays shallow on any input.
  std::size_t max_parallel_depth = 0;
  static constexpr std::size_t max_parallel_depth_cap = 48;  ///< the most depth used, set or auto
};

namespace detail {

template <class P>
concept has_member_size = requires(const P& p) {
  { p.size() } -> std::convertible_to<std::size_t>;
};
template <class P>
concept has_size = has_member_size<P> || requires(const P& p) { std::size(p); };

template <class P>
std::size_t problem_size(const P& p) {
  if constexpr (has_member_size<P>) {
    return static_cast<std::size_t>(p.size());
  } else {
    return static_cast<std::size_t>(std::size(p));
  }
}

// What divide returns: anything with size() and operator[] (random access without <ranges>, which
// clang 14 cannot use with libstdc++ 12).
template <class C>
concept child_list = requires(C& c, std::size_t i) {
  { std::size(c) } -> std::convertible_to<std::size_t>;
  c[i];
};

// The i-th child, moved out when the list owns it (each child is taken exactly once).
template <class C>
decltype(auto) take_child(C& c, std::size_t i) {
  using ref = decltype(c[i]);
  if constexpr (std::is_lvalue_reference_v<ref> && !std::is_const_v<std::remove_reference_t<ref>>) {
    return std::move(c[i]);
  } else {
    return c[i];
  }
}

// Uninitialised storage for the results of a node's children: filled out of order (one task per
// child), read as a contiguous span by combine. Inline storage for small fan-outs avoids a heap
// allocation per node.
template <class R, std::size_t Inline = (sizeof(R) <= 128 ? 4 : 1)>
class result_slots {
 public:
  explicit result_slots(std::size_t n) : n_(n) {
    if (n_ > Inline) {
      heap_ = std::allocator<R>{}.allocate(n_);
      heap_flags_ = std::make_unique<unsigned char[]>(n_);
    }
  }
  result_slots(const result_slots&) = delete;
  result_slots& operator=(const result_slots&) = delete;
  ~result_slots() {
    R* d = data();
    unsigned char* f = flags();
    for (std::size_t i = 0; i < n_; ++i) {
      if (f[i]) std::destroy_at(d + i);
    }
    if (heap_) std::allocator<R>{}.deallocate(heap_, n_);
  }

  template <class... A>
  void emplace(std::size_t i, A&&... a) {
    std::construct_at(data() + i, std::forward<A>(a)...);
    flags()[i] = 1;
  }
  std::size_t size() const { return n_; }
  std::span<R> span() { return {data(), n_}; }

 private:
  R* data() { return heap_ ? heap_ : std::launder(reinterpret_cast<R*>(inline_)); }
  unsigned char* flags() { return heap_ ? heap_flags_.get() : inline_flags_; }

  std::size_t n_;
  R* heap_ = nullptr;
  std::unique_ptr<unsigned char[]> heap_flags_;
  alignas(R) unsigned char inline_[Inline * sizeof(R)];
  unsigned char inline_flags_[Inline] = {};
};

}  // namespace detail

/// A reusable divide-and-conquer solver. The callables are copied into it (never references to
/// temporaries) and are called concurrently from several threads, so they must be thread-safe:
///   is_base(const P&) -> bool         true: solve directly
///   solve_base(P&&) -> R              the base case
///   divide(P&) -> list of P           c.size() and c[i]: std::array<P,2>, std::vector<P>, std::span, ...
///   combine(const P&, std::span<R>)   -> R, or combine(std::span<R>) -> R; results in child order
/// Results do not depend on the number of threads: children are always combined in child order.
/// An exception thrown by any callable cancels the remaining work and propagates from solve().
template <class IsBase, class SolveBase, class Divide, class Combine>
class dc_solver {
 public:
  dc_solver(IsBase is_base, SolveBase solve_base, Divide divide, Combine combine, dc_policy policy = {})
      : is_base_(std::move(is_base)),
        solve_base_(std::move(solve_base)),
        divide_(std::move(divide)),
        combine_(std::move(combine)),
        policy_(policy) {}

  /// The policy it was made with (max_parallel_depth as given: 0 still means auto).
  const dc_policy& policy() const { return policy_; }

  /// Solves problem: in parallel on the current backend down to the depth limit (max_parallel_depth,
  /// or auto, capped at max_parallel_depth_cap), serially and iteratively below it. Returns
  /// solve_base's result type; the first exception of a callable propagates.
  template <class P>
  auto solve(P problem) const {
    static_assert(std::is_invocable_r_v<bool, const IsBase&, const P&>,
                  "divide_and_conquer: is_base must be callable as bool(const Problem&)");
    static_assert(std::is_invocable_v<const SolveBase&, P&&>,
                  "divide_and_conquer: solve_base must be callable as Result(Problem&&)");
    static_assert(std::is_invocable_v<const Divide&, P&>,
                  "divide_and_conquer: divide must be callable as Range<Problem>(Problem&)");
    using children_t = std::invoke_result_t<const Divide&, P&>;
    static_assert(detail::child_list<children_t>,
                  "divide_and_conquer: divide must return an indexable, sized list of problems "
                  "(c.size() and c[i], e.g. std::array, std::vector, std::span)");
    static_assert(std::is_constructible_v<P, decltype(detail::take_child(std::declval<children_t&>(), 0))>,
                  "divide_and_conquer: divide must return a list of Problem");
    std::size_t depth_limit = policy_.max_parallel_depth;
    if (depth_limit == 0) {
      const auto c = static_cast<unsigned>(std::max<std::size_t>(1, millrace::parallel_concurrency()));
      depth_limit = c <= 1 ? 0 : static_cast<std::size_t>(std::bit_width(c)) + 5;
    }
    depth_limit = std::min(depth_limit, dc_policy::max_parallel_depth_cap);
    return solve_parallel(std::move(problem), 0, depth_limit);
  }

  template <class P>
  auto operator()(P problem) const {
    return solve(std::move(problem));
  }

 private:
  template <class P>
  using result_t = std::remove_cvref_t<std::invoke_result_t<const SolveBase&, P&&>>;

  template <class P>
  bool base_case(const P& p) const {
    if constexpr (detail::has_size<P>) {
      if (policy_.cutoff != 0 && detail::problem_size(p) <= policy_.cutoff) return true;
    }
    return static_cast<bool>(std::invoke(is_base_, p));
  }

  template <class P>
  bool go_serial(const P& p, std::size_t depth, std::size_t depth_limit) const {
    if (depth >= depth_limit) return true;
    if constexpr (detail::has_size<P>) {
      if (policy_.parallel_grain != 0 && detail::problem_size(p) < policy_.parallel_grain) return true;
    }
    return false;
  }

  template <class P, class R>
  R combine(const P& parent, std::span<R> results) const {
    if constexpr (std::is_invocable_v<const Combine&, const P&, std::span<R>>) {
      return std::invoke(combine_, parent, results);
    } else {
      static_assert(std::is_invocable_v<const Combine&, std::span<R>>,
                    "divide_and_conquer: combine must be callable as Result(const Problem&, "
                    "std::span<Result>) or Result(std::span<Result>)");
      return std::invoke(combine_, results);
    }
  }

  template <class P>
  result_t<P> solve_parallel(P p, std::size_t depth, std::size_t depth_limit) const {
    using R = result_t<P>;
    if (base_case(p)) return std::invoke(solve_base_, std::move(p));
    if (go_serial(p, depth, depth_limit)) return solve_serial(std::move(p));
    auto children = std::invoke(divide_, p);
    const auto n = static_cast<std::size_t>(std::size(children));
    detail::result_slots<R> results(n);
    if (n == 1) {
      results.emplace(0, solve_parallel(P(detail::take_child(children, 0)), depth + 1, depth_limit));
    } else if (n > 1) {
      // One chunk per child; parallel_for returns when all are done and rethrows the first
      // exception of a child, so no child outlives this frame.
      millrace::parallel_for(0, n, 1, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) {
          P child(detail::take_child(children, i));
          results.emplace(i, solve_parallel(std::move(child), depth + 1, depth_limit));
        }
      });
    }
    return combine<P, R>(p, results.span());
  }

  // Explicit stack instead of recursion: depth is bounded by memory, not by the thread's stack.
  template <class P>
  result_t<P> solve_serial(P p) const {
    using R = result_t<P>;
    using children_t = std::invoke_result_t<const Divide&, P&>;
    struct frame {
      P problem;
      children_t children;
      detail::result_slots<R> results;
      std::size_t next = 0;
      frame(P&& prob, const Divide& divide)
          : problem(std::move(prob)),
            children(std::invoke(divide, problem)),
            results(static_cast<std::size_t>(std::size(children))) {}
    };
    if (base_case(p)) return std::invoke(solve_base_, std::move(p));
    std::deque<frame> stack;  // a deque never moves its frames (children lists may point into them)
    stack.emplace_back(std::move(p), divide_);
    for (;;) {
      frame& f = stack.back();
      if (f.next < f.results.size()) {
        P child(detail::take_child(f.children, f.next));
        if (base_case(child)) {
          f.results.emplace(f.next, std::invoke(solve_base_, std::move(child)));
          ++f.next;
        } else {
          stack.emplace_back(std::move(child), divide_);
        }
        continue;
      }
      R r = combine<P, R>(f.problem, f.results.span());
      stack.pop_back();
      if (stack.empty()) return r;
      frame& parent = stack.back();
      parent.results.emplace(parent.next, std::move(r));
      ++parent.next;
    }
  }

  IsBase is_base_;
  SolveBase solve_base_;
  Divide divide_;
  Combine combine_;
  dc_policy policy_;
};

/// Builds a reusable solver; `mr::map([&](Problem p) { return dc.solve(std::move(p)); })` makes it a
/// pipeline stage (each record is one problem).
template <class IsBase, class SolveBase, class Divide, class Combine>
auto make_divide_and_conquer(IsBase&& is_base, SolveBase&& solve_base, Divide&& divide, Combine&& combine,
                             dc_policy policy = {}) {
  return dc_solver<std::decay_t<IsBase>, std::decay_t<SolveBase>, std::decay_t<Divide>, std::decay_t<Combine>>(
      std::forward<IsBase>(is_base), std::forward<SolveBase>(solve_base), std::forward<Divide>(divide),
      std::forward<Combine>(combine), policy);
}

/// One-shot form: solves `problem` on the current executor's backend (mr::with_executor for threads
/// outside a run).
template <class P, class IsBase, class SolveBase, class Divide, class Combine>
auto divide_and_conquer(P problem, IsBase&& is_base, SolveBase&& solve_base, Divide&& divide, Combine&& combine,
                        dc_policy policy = {}) {
  return make_divide_and_conquer(std::forward<IsBase>(is_base), std::forward<SolveBase>(solve_base),
                                 std::forward<Divide>(divide), std::forward<Combine>(combine), policy)
      .solve(std::move(problem));
}

}  // namespace millrace::ops

// millrace/exec/executor.hpp — what an executor is: the concept run() is constrained by. Models:
// serial_executor (exec/serial.hpp) and cpu, the oneTBB executor (exec/tbb.hpp); an MPI or GPU
// executor is a third model and touches no operator. docs/core-api.md shows how to write one.
//   struct my_executor { std::string name() const; std::size_t concurrency() const;
//                        void execute(mr::detail::plan&, mr::detail::progress_tracker&) const;
//                        template <class F> decltype(auto) with_backend(F&& f) const; };
//   static_assert(mr::executor<my_executor>);
#pragma once

#include <concepts>
#include <cstddef>
#include <string>
#include <utility>

#include <millrace/core/parallel.hpp>
#include <millrace/exec/driver.hpp>

namespace millrace {

/// How run() and with_executor() use an executor type E. The primary template forwards to E's
/// own members (the way to write a new executor); a type that cannot have members, like the
/// option structs serial_executor and cpu, specializes it instead.
///   name(ex)            the report's `executor` field ("serial", "tbb", ...)
///   concurrency(ex)     threads the run uses (the report's `threads` field)
///   execute(ex, pl, tr) runs the lowered plan to its end (detail::drive does the segmenting),
///                       with a backend_scope of its backend open on every thread around every
///                       piece of work; exceptions from stages reach the caller
///   with_backend(ex, f) returns f() run with the executor's backend current
template <class E>
struct executor_traits {
  /// The report's `executor` field: ex.name().
  static std::string name(const E& ex)
    requires requires { { ex.name() } -> std::convertible_to<std::string>; }
  {
    return std::string(ex.name());
  }
  /// Threads the run uses (the report's `threads` field): ex.concurrency().
  static std::size_t concurrency(const E& ex)
    requires requires { { ex.concurrency() } -> std::convertible_to<std::size_t>; }
  {
    return ex.concurrency();
  }
  /// Runs the lowered plan to its end: ex.execute(pl, tr).
  static void execute(const E& ex, detail::plan& pl, detail::progress_tracker& tr)
    requires requires { ex.execute(pl, tr); }
  {
    ex.execute(pl, tr);
  }
  /// f() run with the executor's backend current: ex.with_backend(f).
  template <class F>
  static decltype(auto) with_backend(const E& ex, F&& f)
    requires requires { ex.with_backend(std::forward<F>(f)); }
  {
    return ex.with_backend(std::forward<F>(f));
  }
};

namespace detail {
struct nullary_probe {  // stands for the user's callable in the concept's with_backend check
  void operator()() const {}
};
}  // namespace detail

/// An executor: copyable, and executor_traits<E> gives its name, its concurrency, a way to run a
/// lowered plan and a way to run a function with its backend current.
template <class E>
concept executor = std::copy_constructible<E> &&
                   requires(const E& ex, detail::plan& pl, detail::progress_tracker& tr, detail::nullary_probe f) {
                     { executor_traits<E>::name(ex) } -> std::convertible_to<std::string>;
                     { executor_traits<E>::concurrency(ex) } -> std::convertible_to<std::size_t>;
                     executor_traits<E>::execute(ex, pl, tr);
                     executor_traits<E>::with_backend(ex, f);
                   };

}  // namespace millrace

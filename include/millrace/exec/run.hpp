// millrace/exec/run.hpp — run a pipeline and get its report.
//   auto report = mr::run(source | ops | mr::collect(out));                 // oneTBB, all cores
//   auto report = mr::run(p, mr::cpu{.threads = 2});
//   auto report = mr::run(p, mr::serial_executor{});                       // the reference
//   auto report = mr::run(p, my_executor{});                  // any type modelling mr::executor
//   std::vector<int> v = mr::to_vector(mr::from_range(xs) | mr::map(f));
#pragma once

#include <type_traits>
#include <vector>

#include <millrace/core/sinks.hpp>
#include <millrace/exec/driver.hpp>
#include <millrace/exec/executor.hpp>
#include <millrace/exec/serial.hpp>
#include <millrace/exec/tbb.hpp>

namespace millrace {

namespace detail {
template <class P>
constexpr void check_runnable() {
  static_assert(is_pipeline<std::remove_cvref_t<P>>::value,
                "millrace: run() needs a pipeline: a source (mr::from_range, mr::generate, a reader) "
                "followed by operators, e.g. mr::from_range(v) | mr::map(f) | mr::collect(out)");
  if constexpr (is_pipeline<std::remove_cvref_t<P>>::value)
    static_assert(std::remove_cvref_t<P>::ends_with_sink,
                  "millrace: run() needs a pipeline that ends in a sink (mr::collect, mr::sink, a writer), "
                  "so that no record is silently dropped; use mr::to_vector(p) to get the records back");
}
}  // namespace detail

/// Runs p on ex and returns the report: any type modelling mr::executor (exec/executor.hpp),
/// by default cpu, the oneTBB executor on all cores.
template <class P, executor Ex = cpu>
run_report run(const P& p, Ex ex = {}, const run_options& opts = {}) {
  detail::check_runnable<P>();
  auto plan = detail::lower_pipeline(p);
  detail::progress_tracker tracker(*plan, opts);
  executor_traits<Ex>::execute(ex, *plan, tracker);
  return detail::make_report(*plan, executor_traits<Ex>::name(ex), executor_traits<Ex>::concurrency(ex),
                             tracker.elapsed());
}

/// Runs p (a pipeline without a sink) and returns its records in input order.
template <class P, executor Ex = cpu>
auto to_vector(const P& p, Ex ex = {}, const run_options& opts = {}) {
  using T = typename std::remove_cvref_t<P>::value_type;
  std::vector<T> out;
  run(p | collect(out), ex, opts);
  return out;
}

}  // namespace millrace

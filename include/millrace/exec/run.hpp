// millrace/exec/run.hpp — run a pipeline and get its report.
//   auto report = mr::run(source | ops | mr::collect(out));                 // oneTBB, all cores
//   auto report = mr::run(p, mr::cpu{.threads = 2});
//   auto report = mr::run(p, mr::serial_executor{});                       // the reference
//   std::vector<int> v = mr::to_vector(mr::from_range(xs) | mr::map(f));
#pragma once

#include <thread>
#include <type_traits>
#include <vector>

#include <oneapi/tbb/info.h>
#include <oneapi/tbb/task_arena.h>

#include "../core/sinks.hpp"
#include "driver.hpp"
#include "serial.hpp"
#include "tbb.hpp"

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

/// Runs p with the reference executor: one thread, batch by batch, stages in order.
template <class P>
run_report run(const P& p, serial_executor ex, const run_options& opts = {}) {
  detail::check_runnable<P>();
  auto plan = detail::lower_pipeline(p);
  detail::progress_tracker tracker(*plan, opts);
  const std::size_t bs = ex.batch_size ? ex.batch_size : 1;
  detail::drive(*plan, tracker, [&](auto& src, auto& stages, std::size_t b, std::size_t e, auto& tr, bool first) {
    detail::run_segment_serial(src, stages, b, e, tr, first, bs);
  });
  return detail::make_report(*plan, "serial", 1, tracker.elapsed());
}

/// Runs p on oneTBB (see exec/tbb.hpp for the lowering).
template <class P>
run_report run(const P& p, cpu ex = {}, const run_options& opts = {}) {
  detail::check_runnable<P>();
  if (ex.batch_size == 0) ex.batch_size = 1;
  const std::size_t threads = ex.threads ? ex.threads : std::size_t(tbb::info::default_concurrency());
  const std::size_t tokens = ex.max_in_flight ? ex.max_in_flight : 4 * threads;
  auto plan = detail::lower_pipeline(p);
  detail::progress_tracker tracker(*plan, opts);
  tbb::task_arena arena(static_cast<int>(threads));
  arena.execute([&] {
    detail::drive(*plan, tracker, [&](auto& src, auto& stages, std::size_t b, std::size_t e, auto& tr, bool first) {
      if (detail::is_linear(stages, b, e)) {
        detail::run_segment_pipeline(src, stages, b, e, tr, first, ex, tokens);
      } else {
        detail::flow_runner runner(ex, tokens);
        runner.run(src, stages, b, e, tr, first);
      }
    });
  });
  return detail::make_report(*plan, "tbb", threads, tracker.elapsed());
}

/// Runs p (a pipeline without a sink) and returns its records in input order.
template <class P, class Exec = cpu>
auto to_vector(const P& p, Exec ex = {}, const run_options& opts = {}) {
  using T = typename std::remove_cvref_t<P>::value_type;
  std::vector<T> out;
  run(p | collect(out), ex, opts);
  return out;
}

}  // namespace millrace

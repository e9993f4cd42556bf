// millrace/exec/serial.hpp — the reference executor: one thread, one batch at a time, stages in
// order. Every other executor must produce exactly what this one produces.
#pragma once

#include <future>

#include <millrace/core/parallel.hpp>
#include <millrace/exec/driver.hpp>
#include <millrace/exec/executor.hpp>

namespace millrace::detail {

inline void run_stages_serial(stage_list& stages, std::size_t begin, std::size_t end, any_batch& batch) {
  for (std::size_t i = begin; i < end; ++i) {
    auto& st = stages[i];
    const auto t0 = now_ns();
    switch (st.mode) {
      case stage_mode::parallel:
      case stage_mode::serial:
        batch = st.process(std::move(batch));
        break;
      case stage_mode::async: {
        std::promise<any_batch> done;
        auto result = done.get_future();
        st.submit(std::move(batch), async_callbacks{[&](any_batch out) { done.set_value(std::move(out)); },
                                                     [&](std::exception_ptr e) { done.set_exception(e); }});
        batch = result.get();
        break;
      }
      case stage_mode::branch: {
        auto parts = st.split(std::move(batch));
        for (std::size_t b = 0; b < parts.size(); ++b)
          run_stages_serial(st.branches[b], 0, st.branches[b].size(), parts[b]);
        batch = st.merge(std::move(parts));
        break;
      }
    }
    if (st.mode != stage_mode::branch) st.stats->busy_ns.fetch_add(now_ns() - t0, std::memory_order_relaxed);
  }
}

inline void run_segment_serial(runtime_source& src, stage_list& stages, std::size_t begin, std::size_t end,
                               progress_tracker& tracker, bool first, std::size_t batch_size) {
  bool more = true;
  while (more) {
    any_batch batch;
    more = src.fill(batch, batch_size);
    tracker.on_fill(batch.size(), first);
    run_stages_serial(stages, begin, end, batch);
  }
}

}  // namespace millrace::detail

namespace millrace {

/// serial_executor as an executor: every stage, chunk and sort on the calling thread.
template <>
struct executor_traits<serial_executor> {
  /// "serial", in the run report.
  static std::string name(const serial_executor&) { return "serial"; }
  /// Always 1: everything runs on the calling thread.
  static std::size_t concurrency(const serial_executor&) { return 1; }
  /// Runs the plan segment by segment on the calling thread, one batch at a time, with the serial
  /// backend current.
  static void execute(const serial_executor& ex, detail::plan& pl, detail::progress_tracker& tracker) {
    backend_scope scope(detail::the_serial_backend());
    const std::size_t bs = ex.batch_size ? ex.batch_size : 1;
    detail::drive(pl, tracker, [&](auto& src, auto& stages, std::size_t b, std::size_t e, auto& tr, bool first) {
      detail::run_segment_serial(src, stages, b, e, tr, first, bs);
    });
  }
  /// f() run on the calling thread with the serial backend current.
  template <class F>
  static decltype(auto) with_backend(const serial_executor&, F&& f) {
    backend_scope scope(detail::the_serial_backend());
    return std::forward<F>(f)();
  }
};

}  // namespace millrace

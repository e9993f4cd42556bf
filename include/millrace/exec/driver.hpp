// millrace/exec/driver.hpp — what every executor shares: lowering a pipeline into a plan,
// splitting it into segments at barriers, progress tracking and building the report.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include <millrace/core/pipeline.hpp>
#include <millrace/core/plan.hpp>
#include <millrace/core/report.hpp>
#include <millrace/detail/config.hpp>
#include <millrace/exec/options.hpp>

namespace millrace::detail {

template <class P>
std::unique_ptr<plan> lower_pipeline(const P& p) {
  auto pl = std::make_unique<plan>();
  pl->source = p.source.lower_source(*pl);
  p.body.template lower<typename std::remove_cvref_t<decltype(p.source)>::value_type>(*pl, pl->stages);
  return pl;
}

/// Counts source records and calls the user's progress hook, at most every interval.
class progress_tracker {
 public:
  progress_tracker(const plan& pl, const run_options& o)
      : plan_(pl), opts_(o), start_(std::chrono::steady_clock::now()), last_(start_) {}

  void on_fill(std::size_t n, bool count) {
    if (count) records_in_.fetch_add(n, std::memory_order_relaxed);
    if (!opts_.on_progress) return;
    auto now = std::chrono::steady_clock::now();
    std::unique_lock lock(mu_, std::try_to_lock);
    if (!lock || now - last_ < opts_.progress_interval) return;
    last_ = now;
    opts_.on_progress(snapshot(false));
  }
  void finish() {
    if (opts_.on_progress) opts_.on_progress(snapshot(true));
  }
  std::chrono::nanoseconds elapsed() const { return std::chrono::steady_clock::now() - start_; }

 private:
  progress snapshot(bool finished) const {
    progress p;
    p.records_in = records_in_.load(std::memory_order_relaxed);
    for (auto& o : plan_.ops)
      if (o.kind == "sink") p.records_out += o.in.load(std::memory_order_relaxed);
    p.elapsed = std::chrono::steady_clock::now() - start_;
    p.finished = finished;
    return p;
  }
  const plan& plan_;
  const run_options& opts_;
  std::chrono::steady_clock::time_point start_, last_;
  std::atomic<std::uint64_t> records_in_{0};
  std::mutex mu_;
};

// In stage order, so that a stage's commit() (its side outputs made durable) comes before the
// sinks after it finish and, e.g., mark their manifest complete.
void finish_sinks(stage_list& list, std::size_t begin, std::size_t end);

/// Runs the plan segment by segment. run_segment(source, stages, begin, end, tracker, first)
/// runs stages [begin, end) fed by source; a barrier's finish() then feeds the next segment.
template <class RunSegment>
void drive(plan& pl, progress_tracker& tracker, RunSegment&& run_segment) {
  auto& stages = pl.stages;
  runtime_source src = std::move(pl.source);
  // The source's batches carry the ordinal of their first record (operator_error::ordinal()).
  // Sources fill one batch at a time, so the count needs no lock.
  src.fill = [fill = std::move(src.fill), n = std::uint64_t(0)](any_batch& b, std::size_t max) mutable {
    const bool more = fill(b, max);
    b.set_first_ordinal(n);
    n += b.size();
    return more;
  };
  bool first = true;
  std::size_t begin = 0;
  for (;;) {
    std::size_t barrier = begin;
    while (barrier < stages.size() && !stages[barrier].finish_as_source) ++barrier;
    const std::size_t end = barrier < stages.size() ? barrier + 1 : stages.size();
    run_segment(src, stages, begin, end, tracker, first);
    if (first && src.rejected) pl.ops[src.op].rejected.fetch_add(src.rejected(), std::memory_order_relaxed);
    finish_sinks(stages, begin, end);
    if (barrier == stages.size()) break;
    src = stages[barrier].finish_as_source();
    first = false;
    begin = end;
  }
  tracker.finish();
}

/// The report of a plan that has run: per operator, its counters and its stage's busy time.
run_report make_report(plan& pl, std::string executor, std::size_t threads, std::chrono::nanoseconds wall);

}  // namespace millrace::detail

#if MILLRACE_HEADER_ONLY
#include <millrace/exec/detail/driver_impl.hpp>
#endif

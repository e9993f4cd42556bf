// millrace/exec/driver.hpp — what every executor shares: lowering a pipeline into a plan,
// splitting it into segments at barriers, progress tracking and building the report.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "../core/pipeline.hpp"
#include "../core/plan.hpp"
#include "../core/report.hpp"
#include "options.hpp"

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
inline void finish_sinks(stage_list& list, std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < end; ++i) {
    for (auto& b : list[i].branches) finish_sinks(b, 0, b.size());
    if (list[i].commit) list[i].commit();
    if (list[i].finish_sink) list[i].finish_sink();
  }
}

/// Runs the plan segment by segment. run_segment(source, stages, begin, end, tracker, first)
/// runs stages [begin, end) fed by source; a barrier's finish() then feeds the next segment.
template <class RunSegment>
void drive(plan& pl, progress_tracker& tracker, RunSegment&& run_segment) {
  auto& stages = pl.stages;
  runtime_source src = std::move(pl.source);
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

inline void collect_stage_info(const stage_list& list, std::vector<std::pair<std::string, std::uint64_t>>& info,
                               std::vector<std::size_t>& op_stage_ref, std::vector<std::uint64_t>& rejected) {
  for (const auto& st : list) {
    info.emplace_back(st.name, st.stats->busy_ns.load());
    for (auto op : st.ops) op_stage_ref[op] = info.size() - 1;
    if (st.rejected && !st.ops.empty()) rejected[st.ops.front()] += st.rejected();
    for (const auto& b : st.branches) collect_stage_info(b, info, op_stage_ref, rejected);
  }
}

inline run_report make_report(plan& pl, std::string executor, std::size_t threads, std::chrono::nanoseconds wall) {
  run_report r;
  r.executor = std::move(executor);
  r.threads = threads;
  r.wall = wall;
  std::vector<std::pair<std::string, std::uint64_t>> info;
  std::vector<std::size_t> ref(pl.ops.size(), std::size_t(-1));
  std::vector<std::uint64_t> rejected(pl.ops.size(), 0);
  collect_stage_info(pl.stages, info, ref, rejected);
  for (std::size_t i = 0; i < pl.ops.size(); ++i) {
    const auto& o = pl.ops[i];
    op_report rep;
    rep.name = o.name;
    rep.kind = o.kind;
    rep.records_in = o.in.load();
    rep.records_out = o.out.load();
    rep.rejected = o.rejected.load() + rejected[i];
    if (ref[i] != std::size_t(-1)) {
      rep.stage = info[ref[i]].first;
      rep.busy = std::chrono::nanoseconds(info[ref[i]].second);
    } else {
      rep.stage = o.name;
    }
    r.ops.push_back(std::move(rep));
  }
  return r;
}

}  // namespace millrace::detail

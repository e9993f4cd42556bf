// millrace/exec/detail/driver_impl.hpp — the definitions behind exec/driver.hpp.
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/exec/driver.hpp>

namespace millrace::detail {

MILLRACE_INLINE void finish_sinks(stage_list& list, std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < end; ++i) {
    for (auto& b : list[i].branches) finish_sinks(b, 0, b.size());
    if (list[i].commit) list[i].commit();
    if (list[i].finish_sink) list[i].finish_sink();
  }
}


inline void collect_stage_info(const stage_list& list, std::vector<std::pair<std::string, std::uint64_t>>& info,
                               std::vector<std::size_t>& op_stage_ref, std::vector<std::uint64_t>& rejected,
                               std::vector<std::vector<std::pair<std::string, std::uint64_t>>>& counters) {
  for (const auto& st : list) {
    info.emplace_back(st.name, st.stats->busy_ns.load());
    for (auto op : st.ops) op_stage_ref[op] = info.size() - 1;
    if (st.rejected && !st.ops.empty()) rejected[st.ops.front()] += st.rejected();
    if (st.counters && !st.ops.empty()) counters[st.ops.front()] = st.counters();
    for (const auto& b : st.branches) collect_stage_info(b, info, op_stage_ref, rejected, counters);
  }
}

MILLRACE_INLINE run_report make_report(plan& pl, std::string executor, std::size_t threads, std::chrono::nanoseconds wall) {
  run_report r;
  r.executor = std::move(executor);
  r.threads = threads;
  r.wall = wall;
  std::vector<std::pair<std::string, std::uint64_t>> info;
  std::vector<std::size_t> ref(pl.ops.size(), std::size_t(-1));
  std::vector<std::uint64_t> rejected(pl.ops.size(), 0);
  std::vector<std::vector<std::pair<std::string, std::uint64_t>>> counters(pl.ops.size());
  collect_stage_info(pl.stages, info, ref, rejected, counters);
  for (std::size_t i = 0; i < pl.ops.size(); ++i) {
    const auto& o = pl.ops[i];
    op_report rep;
    rep.name = o.name;
    rep.kind = o.kind;
    rep.records_in = o.in.load();
    rep.records_out = o.out.load();
    rep.rejected = o.rejected.load() + rejected[i];
    rep.counters = std::move(counters[i]);
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

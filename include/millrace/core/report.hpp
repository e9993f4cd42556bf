// millrace/core/report.hpp — what run() returns: per operator, records in/out/rejected and the
// busy time of the stage it ran in (operators fused into one stage share that stage's time).
//   auto r = mr::run(p);  fmt::print("{}\n", r);  write(r.to_json());
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include <millrace/detail/config.hpp>

namespace millrace {

/// One operator's line in the run report: records in and out, time, and its named counters.
struct op_report {
  std::string name;   ///< the operator's name (its trailing name argument, or its default)
  std::string kind;   ///< source, map, filter, flat_map, inspect, batch_map, stage, barrier, sink, ...
  std::string stage;  ///< the lowered stage it ran in ("map+filter" when fused)
  /// Records that entered the operator, left it, and that it rejected (a source's or stage object's
  /// rejected_count(); a filter's drops are in - out, not here).
  std::uint64_t records_in = 0, records_out = 0, rejected = 0;
  std::chrono::nanoseconds busy{0};  ///< busy time of its stage, summed over threads
  /// The operator's own counters, in its order (a stage object's counters(); e.g. llm tokens).
  std::vector<std::pair<std::string, std::uint64_t>> counters;
  /// The counter named so, or 0.
  std::uint64_t counter(const std::string& key) const {
    for (const auto& [k, v] : counters)
      if (k == key) return v;
    return 0;
  }
};

/// What mr::run returns: the executor, its threads, wall time and one op_report per operator.
struct run_report {
  std::string executor;  ///< executor_traits<Ex>::name of the executor that ran it: "serial", "tbb", ...
  std::size_t threads = 1;  ///< executor_traits<Ex>::concurrency: the threads it could use (1 for serial)
  std::chrono::nanoseconds wall{0};  ///< wall-clock time of the whole run
  std::vector<op_report> ops;  ///< one per operator, in plan order (the source first)

  /// Records the source produced.
  std::uint64_t records_in() const { return ops.empty() ? 0 : ops.front().records_out; }
  /// Records consumed by sinks.
  std::uint64_t records_out() const {
    std::uint64_t n = 0;
    for (auto& o : ops)
      if (o.kind == "sink") n += o.records_in;
    return n;
  }
  /// Records rejected, summed over all operators.
  std::uint64_t rejected() const {
    std::uint64_t n = 0;
    for (auto& o : ops) n += o.rejected;
    return n;
  }
  /// The first operator with this name, or nullptr (valid while the report lives).
  const op_report* find(const std::string& name) const {
    for (auto& o : ops)
      if (o.name == name) return &o;
    return nullptr;
  }

  /// {"executor":..,"threads":..,"wall_s":..,"records_in":..,"records_out":..,"rejected":..,"operators":[..]}
  std::string to_json() const;
  /// The table fmt::print("{}", report) prints.
  std::string to_text() const;
};

}  // namespace millrace

template <>
struct fmt::formatter<millrace::run_report> {
  /// Takes no format spec: "{}" only.
  constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
  /// Writes to_text() (the table).
  template <class Ctx>
  auto format(const millrace::run_report& r, Ctx& ctx) const {
    const std::string text = r.to_text();
    return std::copy(text.begin(), text.end(), ctx.out());
  }
};

#if MILLRACE_HEADER_ONLY
#include <millrace/core/detail/report_impl.hpp>
#endif

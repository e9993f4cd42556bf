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
  std::string name;
  std::string kind;   ///< source, map, filter, flat_map, inspect, batch_map, stage, barrier, sink, ...
  std::string stage;  ///< the lowered stage it ran in ("map+filter" when fused)
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
  std::string executor;
  std::size_t threads = 1;
  std::chrono::nanoseconds wall{0};
  std::vector<op_report> ops;

  /// Records the source produced.
  std::uint64_t records_in() const { return ops.empty() ? 0 : ops.front().records_out; }
  /// Records consumed by sinks.
  std::uint64_t records_out() const {
    std::uint64_t n = 0;
    for (auto& o : ops)
      if (o.kind == "sink") n += o.records_in;
    return n;
  }
  std::uint64_t rejected() const {
    std::uint64_t n = 0;
    for (auto& o : ops) n += o.rejected;
    return n;
  }
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
  constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
  template <class Ctx>
  auto format(const millrace::run_report& r, Ctx& ctx) const {
    const std::string text = r.to_text();
    return std::copy(text.begin(), text.end(), ctx.out());
  }
};

#if MILLRACE_HEADER_ONLY
#include <millrace/core/detail/report_impl.hpp>
#endif

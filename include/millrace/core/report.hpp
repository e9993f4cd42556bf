// millrace/core/report.hpp — what run() returns: per operator, records in/out/rejected and the
// busy time of the stage it ran in (operators fused into one stage share that stage's time).
//   auto r = mr::run(p);  fmt::print("{}\n", r);  write(r.to_json());
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "json_value.hpp"

namespace millrace {

struct op_report {
  std::string name;
  std::string kind;   ///< source, map, filter, flat_map, inspect, batch_map, stage, barrier, sink, ...
  std::string stage;  ///< the lowered stage it ran in ("map+filter" when fused)
  std::uint64_t records_in = 0, records_out = 0, rejected = 0;
  std::chrono::nanoseconds busy{0};  ///< busy time of its stage, summed over threads
};

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

  std::string to_json() const {
    std::string s = fmt::format("{{\"executor\":{},\"threads\":{},\"wall_s\":{:.6f},\"records_in\":{},\"records_out\":{},\"rejected\":{},\"operators\":[",
                                json::quote(executor), threads, std::chrono::duration<double>(wall).count(), records_in(), records_out(), rejected());
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const auto& o = ops[i];
      s += fmt::format("{}{{\"name\":{},\"kind\":\"{}\",\"stage\":{},\"in\":{},\"out\":{},\"rejected\":{},\"busy_s\":{:.6f}}}",
                       i ? "," : "", json::quote(o.name), o.kind, json::quote(o.stage), o.records_in, o.records_out, o.rejected,
                       std::chrono::duration<double>(o.busy).count());
    }
    return s + "]}";
  }

};

}  // namespace millrace

template <>
struct fmt::formatter<millrace::run_report> {
  constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
  template <class Ctx>
  auto format(const millrace::run_report& r, Ctx& ctx) const {
    auto out = fmt::format_to(ctx.out(), "millrace run: {} executor, {} thread(s), {:.3f} s wall, {} in, {} out, {} rejected\n",
                              r.executor, r.threads, std::chrono::duration<double>(r.wall).count(), r.records_in(),
                              r.records_out(), r.rejected());
    out = fmt::format_to(out, "  {:<24} {:<10} {:>12} {:>12} {:>9} {:>10}  {}\n", "operator", "kind", "in", "out", "rejected", "busy ms", "stage");
    for (const auto& o : r.ops)
      out = fmt::format_to(out, "  {:<24} {:<10} {:>12} {:>12} {:>9} {:>10.1f}  {}\n", o.name, o.kind, o.records_in,
                           o.records_out, o.rejected, std::chrono::duration<double, std::milli>(o.busy).count(), o.stage);
    return out;
  }
};

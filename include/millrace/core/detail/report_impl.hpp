// millrace/core/detail/report_impl.hpp — run_report's formatting (core/report.hpp declares).
#pragma once

#include <iterator>
#include <string>

#include <fmt/format.h>

#include <millrace/detail/config.hpp>
#include <millrace/core/json_value.hpp>
#include <millrace/core/report.hpp>

namespace millrace {

MILLRACE_INLINE std::string run_report::to_json() const {
  std::string s = fmt::format("{{\"executor\":{},\"threads\":{},\"wall_s\":{:.6f},\"records_in\":{},\"records_out\":{},\"rejected\":{},\"operators\":[",
                              json::quote(executor), threads, std::chrono::duration<double>(wall).count(), records_in(), records_out(), rejected());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const auto& o = ops[i];
    s += fmt::format("{}{{\"name\":{},\"kind\":{},\"stage\":{},\"in\":{},\"out\":{},\"rejected\":{},\"busy_s\":{:.6f}",
                     i ? "," : "", json::quote(o.name), json::quote(o.kind), json::quote(o.stage), o.records_in, o.records_out, o.rejected,
                     std::chrono::duration<double>(o.busy).count());
    // Only operators that count something carry the key: other reports stay as they were.
    if (!o.counters.empty()) {
      s += ",\"counters\":{";
      for (std::size_t k = 0; k < o.counters.size(); ++k)
        s += fmt::format("{}{}:{}", k ? "," : "", json::quote(o.counters[k].first), o.counters[k].second);
      s += "}";
    }
    s += "}";
  }
  return s + "]}";
}

MILLRACE_INLINE std::string run_report::to_text() const {
  std::string s;
  auto out = fmt::format_to(std::back_inserter(s),
                            "millrace run: {} executor, {} thread(s), {:.3f} s wall, {} in, {} out, {} rejected\n", executor,
                            threads, std::chrono::duration<double>(wall).count(), records_in(), records_out(), rejected());
  out = fmt::format_to(out, "  {:<24} {:<10} {:>12} {:>12} {:>9} {:>10}  {}\n", "operator", "kind", "in", "out", "rejected",
                       "busy ms", "stage");
  for (const auto& o : ops)
    out = fmt::format_to(out, "  {:<24} {:<10} {:>12} {:>12} {:>9} {:>10.1f}  {}\n", o.name, o.kind, o.records_in,
                         o.records_out, o.rejected, std::chrono::duration<double, std::milli>(o.busy).count(), o.stage);
  for (const auto& o : ops) {
    if (o.counters.empty()) continue;
    out = fmt::format_to(out, "  {}:", o.name);
    for (const auto& [k, v] : o.counters) out = fmt::format_to(out, " {}={}", k, v);
    out = fmt::format_to(out, "\n");
  }
  return s;
}

}  // namespace millrace

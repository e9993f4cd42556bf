// JSON documents of the millrace-lake job: the containment report (every ordered pair, per-stage
// counts and times) and the deletion plan; written to a temporary name, then renamed.
// Example: write_file_atomic("report.json", report_json(tables, result, info));
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <millrace/core/json_value.hpp>
#include <millrace/lake/containment.hpp>
#include <millrace/lake/plan.hpp>
#include <millrace/lake/table.hpp>

namespace millrace::lake {

// A table the job could not read, with the reason ("file:line: reason").
struct skipped_table {
  std::string path;
  std::string reason;
};

// The run's settings, echoed in the report so that a report explains itself.
struct report_info {
  std::string lake;
  semantics mode = semantics::set;
  bool case_insensitive = false;
  bool normalize_numbers = true;
  std::size_t sample = 0;
  int threads = 0;
  double load_seconds = 0;
  std::vector<skipped_table> skipped;
};


inline std::string report_json(const std::vector<table>& tables, const containment_result& r,
                               const report_info& info) {
  using millrace::json::quote;
  std::string o = "{\n";
  o += fmt::format("  \"lake\": {},\n  \"tables\": {},\n  \"schema_groups\": {},\n",
                   quote(info.lake), tables.size(), r.schema_groups);
  o += fmt::format(
      "  \"semantics\": \"{}\",\n  \"case_insensitive\": {},\n  \"normalize_numbers\": {},\n"
      "  \"sample\": {},\n  \"threads\": {},\n  \"load_seconds\": {:.6f},\n",
      info.mode == semantics::set ? "set" : "bag", info.case_insensitive, info.normalize_numbers,
      info.sample, info.threads, info.load_seconds);
  o += "  \"stages\": [\n";
  for (std::size_t i = 0; i < r.stages.size(); ++i)
    o += fmt::format("    {{\"stage\": \"{}\", \"edges\": {}, \"seconds\": {:.6f}}}{}\n",
                     r.stages[i].name, r.stages[i].edges, r.stages[i].seconds,
                     i + 1 < r.stages.size() ? "," : "");
  o += "  ],\n  \"containments\": [\n";
  for (std::size_t i = 0; i < r.edges.size(); ++i)
    o += fmt::format("    {{\"container\": {}, \"contained\": {}}}{}\n",
                     quote(tables[r.edges[i].container].path()),
                     quote(tables[r.edges[i].contained].path()), i + 1 < r.edges.size() ? "," : "");
  o += "  ],\n  \"skipped\": [\n";
  for (std::size_t i = 0; i < info.skipped.size(); ++i)
    o += fmt::format("    {{\"file\": {}, \"reason\": {}}}{}\n", quote(info.skipped[i].path),
                     quote(info.skipped[i].reason), i + 1 < info.skipped.size() ? "," : "");
  o += "  ]\n}\n";
  return o;
}

inline std::string plan_json(const std::vector<table>& tables, const deletion_plan& p,
                             const plan_options& o) {
  using millrace::json::quote;
  std::uint64_t total = 0;
  for (const auto& t : tables) total += t.bytes();
  std::string s = "{\n  \"note\": \"a plan only: nothing was deleted\",\n";
  s += fmt::format(
      "  \"method\": \"{}\",\n  \"optimal\": {},\n  \"candidate_pairs\": {},\n"
      "  \"max_latency_s\": {},\n  \"scan_bytes_per_s\": {},\n  \"fixed_latency_s\": {},\n"
      "  \"cost_per_byte\": {},\n  \"lake_bytes\": {},\n  \"bytes_saved\": {},\n"
      "  \"reconstruction_cost\": {:.3f},\n  \"objective\": {:.3f},\n  \"delete\": [\n",
      p.method, p.optimal, p.candidate_pairs, o.max_latency_s, o.scan_bytes_per_s, o.fixed_latency_s,
      o.cost_per_byte, total, p.bytes_saved, p.cost, p.objective);
  for (std::size_t i = 0; i < p.deleted.size(); ++i) {
    const auto& e = p.deleted[i];
    s += fmt::format(
        "    {{\"table\": {}, \"bytes\": {}, \"rebuild_from\": {}, \"latency_s\": {:.6f}, "
        "\"cost\": {:.3f}}}{}\n",
        quote(tables[e.table].path()), tables[e.table].bytes(),
        quote(tables[e.ancestor].path()), e.latency_s, e.cost, i + 1 < p.deleted.size() ? "," : "");
  }
  s += "  ]\n}\n";
  return s;
}

// Writes text to file via file.tmp and a rename, so a reader never sees half a file.
inline void write_file_atomic(const std::filesystem::path& file, const std::string& text) {
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  const auto tmp = std::filesystem::path(file.string() + ".tmp");
  {
    std::ofstream f(tmp, std::ios::binary);
    f << text;
    f.flush();
    if (!f) throw std::runtime_error(fmt::format("{}: cannot write", tmp.string()));
  }
  std::filesystem::rename(tmp, file);
}

}  // namespace millrace::lake

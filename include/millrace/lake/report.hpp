// millrace/lake/report.hpp — JSON documents of the millrace-lake job: the containment report (every
// ordered pair, per-stage counts and times, aliases, files outside the lake) and the deletion plan.
// Written with millrace::io::write_file_atomically (unpredictable temporary name, never through a
// planted symlink). File names need not be UTF-8: a byte that is not part of a valid UTF-8 sequence
// is written as the escape \u00XX of its value (json_text), so the documents are always valid JSON.
// Example: millrace::io::write_file_atomically("report.json", report_json(tables, result, info));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <millrace/core/json_value.hpp>
#include <millrace/lake/containment.hpp>
#include <millrace/lake/plan.hpp>
#include <millrace/lake/read_table.hpp>
#include <millrace/lake/table.hpp>

namespace millrace::lake {

namespace detail {

// Length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates, at most
// U+10FFFF), or 0 when the byte there does not start one.
inline std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned c = b(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else return 0;
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  return n;
}

}  // namespace detail

/// s as a JSON string literal that is valid JSON whatever the bytes: valid UTF-8 is quoted by
/// json::append_quoted (which passes bytes >= 0x80 through unchecked), every other byte becomes
/// \u00XX with its value, e.g. a file named "t\xff.csv" is written "t\u00ff.csv". Lossy in one
/// way: a real U+00FF in a name is written the same as the byte 0xff (see printable_name).
inline std::string json_text(std::string_view s) {
  std::string out = "\"";
  std::string piece;
  std::size_t run = 0;  // start of the valid bytes not yet written
  auto flush = [&](std::size_t to) {
    if (to == run) return;
    piece.clear();
    json::append_quoted(piece, s.substr(run, to - run));
    out.append(piece, 1, piece.size() - 2);  // without append_quoted's quotes
  };
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = detail::utf8_sequence(s, i);
    if (n) {
      i += n;
      continue;
    }
    flush(i);
    static constexpr char hex[] = "0123456789abcdef";
    const auto c = static_cast<unsigned char>(s[i]);
    out += "\\u00";
    out += hex[c >> 4];
    out += hex[c & 0xF];
    run = ++i;
  }
  flush(s.size());
  out += '"';
  return out;
}

/// The text a JSON reader gets back from json_text(s): s with each invalid byte replaced by the
/// UTF-8 encoding of U+00XX. Compare report names with printable_name of the file names.
inline std::string printable_name(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = detail::utf8_sequence(s, i);
    if (n) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    const auto c = static_cast<unsigned char>(s[i++]);
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

/// A table the job could not read, with the reason ("file:line: reason").
struct skipped_table {
  std::string path;    ///< the file's path relative to the lake
  std::string reason;  ///< why it was skipped (the read error or lake scan problem)
};

/// The run's settings, echoed in the report so that a report explains itself.
struct report_info {
  std::string lake;                    ///< the lake directory as given
  semantics mode = semantics::set;     ///< containment semantics used (containment_options::mode)
  bool case_insensitive = false;       ///< table_options::case_insensitive
  bool normalize_numbers = true;       ///< table_options::normalize_numbers
  std::size_t sample = 0;              ///< containment_options::sample (rows probed; 0: none)
  int threads = 0;                     ///< threads requested (0: all)
  double load_seconds = 0;             ///< wall time spent reading and profiling the tables
  std::vector<skipped_table> skipped;  ///< tables left out of the run (unreadable or bad files)
  std::vector<lake_file> files;  ///< files[t]: where table t comes from (empty: not known)
};

/// Writes "name": [ {...}, ... ] from the lines of the entries; an empty list is written too, so
/// that readers never need to test for a missing key.
inline void append_list(std::string& o, const char* name, const std::vector<std::string>& entries, bool last) {
  o += fmt::format("  {}: [\n", json_text(name));
  for (std::size_t i = 0; i < entries.size(); ++i)
    o += "    " + entries[i] + (i + 1 < entries.size() ? ",\n" : "\n");
  o += last ? "  ]\n" : "  ],\n";
}

/// A JSON array of names.
inline std::string names_json(const std::vector<std::string>& names) {
  std::string s = "[";
  for (std::size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + json_text(names[i]);
  return s + "]";
}

/// The lake job's report as JSON: tables, containments, stage counts and run information.
inline std::string report_json(const std::vector<table>& tables, const containment_result& r,
                               const report_info& info) {
  const auto& q = json_text;
  std::string o = "{\n";
  o += fmt::format("  \"lake\": {},\n  \"tables\": {},\n  \"schema_groups\": {},\n",
                   q(info.lake), tables.size(), r.schema_groups);
  o += fmt::format(
      "  \"semantics\": {},\n  \"case_insensitive\": {},\n  \"normalize_numbers\": {},\n"
      "  \"sample\": {},\n  \"threads\": {},\n  \"load_seconds\": {:.6f},\n",
      q(info.mode == semantics::set ? "set" : "bag"), info.case_insensitive, info.normalize_numbers,
      info.sample, info.threads, info.load_seconds);
  std::vector<std::string> lines;
  for (const auto& s : r.stages)
    lines.push_back(fmt::format("{{\"stage\": {}, \"edges\": {}, \"seconds\": {:.6f}}}", q(s.name),
                                s.edges, s.seconds));
  append_list(o, "stages", lines, false);
  lines.clear();
  for (const auto& e : r.edges)
    lines.push_back(fmt::format("{{\"container\": {}, \"contained\": {}}}", q(tables[e.container].path()),
                                q(tables[e.contained].path())));
  append_list(o, "containments", lines, false);
  // One table per file: the other names that reach it, and the tables whose file lies outside the
  // lake (never deleted by a plan, still usable as an ancestor).
  const bool files = info.files.size() == tables.size();
  lines.clear();
  for (std::size_t t = 0; files && t < tables.size(); ++t)
    if (!info.files[t].aliases.empty())
      lines.push_back(fmt::format("{{\"table\": {}, \"names\": {}}}", q(tables[t].path()),
                                  names_json(info.files[t].aliases)));
  append_list(o, "aliases", lines, false);
  lines.clear();
  for (std::size_t t = 0; files && t < tables.size(); ++t)
    if (!info.files[t].inside_lake)
      lines.push_back(fmt::format("{{\"table\": {}, \"file\": {}}}", q(tables[t].path()),
                                  q(info.files[t].resolved.string())));
  append_list(o, "outside_lake", lines, false);
  lines.clear();
  for (const auto& s : info.skipped)
    lines.push_back(fmt::format("{{\"file\": {}, \"reason\": {}}}", q(s.path), q(s.reason)));
  append_list(o, "skipped", lines, true);
  o += "}\n";
  return o;
}

/// files (optional, aligned with tables): lists the kept tables outside the lake and each deleted
/// table's other names (deleting the file removes what they reach too).
inline std::string plan_json(const std::vector<table>& tables, const deletion_plan& p,
                             const plan_options& o, const std::vector<lake_file>& files = {}) {
  const auto& q = json_text;
  std::uint64_t total = 0;
  for (const auto& t : tables) total += t.bytes();
  std::string s = "{\n  \"note\": \"a plan only: nothing was deleted\",\n";
  s += fmt::format(
      "  \"method\": {},\n  \"optimal\": {},\n  \"candidate_pairs\": {},\n"
      "  \"max_latency_s\": {},\n  \"scan_bytes_per_s\": {},\n  \"fixed_latency_s\": {},\n"
      "  \"cost_per_byte\": {},\n  \"lake_bytes\": {},\n  \"bytes_saved\": {},\n"
      "  \"reconstruction_cost\": {:.3f},\n  \"objective\": {:.3f},\n",
      q(p.method), p.optimal, p.candidate_pairs, o.max_latency_s, o.scan_bytes_per_s, o.fixed_latency_s,
      o.cost_per_byte, total, p.bytes_saved, p.cost, p.objective);
  const bool known = files.size() == tables.size();
  std::vector<std::string> lines;
  for (std::size_t t = 0; known && t < tables.size(); ++t)
    if (!files[t].inside_lake)
      lines.push_back(fmt::format("{{\"table\": {}, \"reason\": {}}}", q(tables[t].path()),
                                  q("its file " + files[t].resolved.string() + " is outside the lake")));
  append_list(s, "never_deleted", lines, false);
  lines.clear();
  for (const auto& e : p.deleted) {
    std::string aliases;
    if (known && !files[e.table].aliases.empty()) aliases = ", \"aliases\": " + names_json(files[e.table].aliases);
    lines.push_back(fmt::format(
        "{{\"table\": {}, \"bytes\": {}, \"rebuild_from\": {}, \"latency_s\": {:.6f}, \"cost\": {:.3f}{}}}",
        q(tables[e.table].path()), tables[e.table].bytes(), q(tables[e.ancestor].path()), e.latency_s, e.cost,
        aliases));
  }
  append_list(s, "delete", lines, true);
  s += "}\n";
  return s;
}

/// Which tables a plan may delete: never one whose file lies outside the lake. Names for errors.
inline plan_constraints constraints_of(const std::vector<table>& tables, const std::vector<lake_file>& files) {
  plan_constraints c;
  for (const auto& t : tables) c.names.push_back(t.path());
  if (files.size() == tables.size())
    for (const auto& f : files) c.keep.push_back(!f.inside_lake);
  return c;
}

}  // namespace millrace::lake

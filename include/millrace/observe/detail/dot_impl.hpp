// millrace/observe/detail/dot_impl.hpp — the DOT text of a lowered plan (observe/dot.hpp declares).
#pragma once

#include <string>

#include <fmt/format.h>

#include <millrace/detail/config.hpp>
#include <millrace/core/plan.hpp>
#include <millrace/observe/dot.hpp>

namespace millrace::detail {

inline std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

/// Emits the stages of `list` after node `from`; returns the id of the last node.
inline std::size_t dot_stages(const stage_list& list, std::size_t from, std::size_t& next_id, std::string& out) {
  for (const auto& st : list) {
    const std::size_t id = next_id++;
    if (st.mode == stage_mode::branch) {
      out += fmt::format("  n{} [label=\"{}\", shape=diamond];\n  n{} -> n{};\n", id, dot_escape(st.name), from, id);
      const std::size_t merge = next_id++;
      for (const auto& b : st.branches) {
        const std::size_t last = dot_stages(b, id, next_id, out);
        out += fmt::format("  n{} -> n{};\n", last, merge);
      }
      out += fmt::format("  n{} [label=\"merge\", shape=invtriangle];\n", merge);
      from = merge;
      continue;
    }
    const char* mode = st.mode == stage_mode::parallel ? "parallel"
                       : st.mode == stage_mode::async  ? "async"
                       : st.is_sink                     ? "serial, sink"
                                                        : "serial, in order";
    const char* shape = st.finish_as_source ? "box3d" : (st.is_sink ? "house" : "box");
    out += fmt::format("  n{} [label=\"{}\\n({}{})\", shape={}];\n  n{} -> n{};\n", id, dot_escape(st.name), mode,
                       st.finish_as_source ? ", barrier" : "", shape, from, id);
    from = id;
  }
  return from;
}

MILLRACE_INLINE std::string plan_to_dot(const plan& p) {
  std::string out = "digraph millrace {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
  out += fmt::format("  n0 [label=\"{}\\n(source)\", shape=invhouse];\n", dot_escape(p.source.name));
  std::size_t next_id = 1;
  dot_stages(p.stages, 0, next_id, out);
  return out + "}\n";
}

}  // namespace millrace::detail

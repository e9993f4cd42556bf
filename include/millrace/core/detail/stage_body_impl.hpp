// millrace/core/detail/stage_body_impl.hpp — wire_stage and make_source (core/detail/stage_body.hpp declares).
#pragma once

#include <atomic>
#include <utility>

#include <millrace/core/detail/stage_body.hpp>
#include <millrace/core/error.hpp>
#include <millrace/detail/config.hpp>

namespace millrace::detail {

MILLRACE_INLINE stage_body::~stage_body() = default;
MILLRACE_INLINE source_body::~source_body() = default;

MILLRACE_INLINE runtime_source stage_body::finish_as_source(std::string name, std::size_t op, op_stats&) {
  runtime_source s;
  s.name = std::move(name);
  s.op = op;
  return s;
}

MILLRACE_INLINE void wire_stage(runtime_stage& st, std::shared_ptr<stage_body> body, op_stats* stats, unsigned hooks) {
  st.process = [body, stats, name = st.name](any_batch&& b) -> any_batch {
    const std::size_t n = b.size();
    try {
      any_batch out = body->process(std::move(b));
      stats->in.fetch_add(n, std::memory_order_relaxed);
      stats->out.fetch_add(out.size(), std::memory_order_relaxed);
      return out;
    } catch (...) {
      rethrow_as_operator_error(name);
    }
  };
  if (hooks & hook_rejected) st.rejected = [body] { return body->rejected(); };
  if (hooks & hook_counters) st.counters = [body] { return body->counters(); };
  if (hooks & hook_commit)
    st.commit = [body, name = st.name] {
      try {
        body->commit();
      } catch (...) {
        rethrow_as_operator_error(name);
      }
    };
  if (hooks & hook_finish_sink)
    st.finish_sink = [body, name = st.name] {
      try {
        body->finish();
      } catch (...) {
        rethrow_as_operator_error(name);
      }
    };
  if (hooks & hook_finish_source) {
    const std::size_t op = st.ops.at(0);
    st.finish_as_source = [body, stats, op, name = st.name]() -> runtime_source {
      try {
        return body->finish_as_source(name, op, *stats);
      } catch (...) {
        rethrow_as_operator_error(name);
      }
    };
  }
}

MILLRACE_INLINE runtime_source make_source(std::string name, std::size_t op, std::shared_ptr<source_body> body,
                                           op_stats* stats) {
  runtime_source s;
  s.name = std::move(name);
  s.op = op;
  if (stats)
    s.fill = [body, stats, name = s.name](any_batch& b, std::size_t max) -> bool {
      const std::size_t before = b.size();
      try {
        const bool more = body->fill(b, max);
        stats->out.fetch_add(b.size() - before, std::memory_order_relaxed);
        return more;
      } catch (...) {
        rethrow_as_operator_error(name);
      }
    };
  else
    s.fill = [body](any_batch& b, std::size_t max) -> bool { return body->fill(b, max); };
  return s;
}

}  // namespace millrace::detail

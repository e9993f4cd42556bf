// millrace/core/detail/fused_impl.hpp — the non-template parts of a fused stage (core/fused.hpp declares).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include <millrace/detail/config.hpp>
#include <millrace/core/fused.hpp>

namespace millrace::detail {

MILLRACE_INLINE void add_fused_op(plan& p, runtime_stage& st, const std::string& name, const char* kind) {
  st.ops.push_back(p.add_op(name, kind));
  if (!st.name.empty()) st.name += '+';
  st.name += name;
}

MILLRACE_INLINE void add_fused_counts(op_stats* const* stats, std::uint64_t* count, const bool* one_to_one, std::size_t n) {
  for (std::size_t i = 1; i <= n; ++i)
    if (one_to_one[i - 1]) count[i] = count[i - 1];
  for (std::size_t i = 0; i < n; ++i) {
    stats[i]->in.fetch_add(count[i], std::memory_order_relaxed);
    stats[i]->out.fetch_add(count[i + 1], std::memory_order_relaxed);
  }
}

}  // namespace millrace::detail

// millrace/observe/dot.hpp — the lowered graph (after fusion) as Graphviz DOT.
//   std::cout << mr::to_dot(pipeline);      // then: dot -Tsvg pipeline.dot > pipeline.svg
#pragma once

#include <string>

#include <millrace/detail/config.hpp>
#include <millrace/exec/driver.hpp>

namespace millrace {
namespace detail {
/// The DOT text of a lowered plan (observe/detail/dot_impl.hpp).
std::string plan_to_dot(const plan& p);
}  // namespace detail

/// The pipeline as it will run: one DOT node per lowered stage (fused operators share one).
template <class P>
std::string to_dot(const P& p) {
  return detail::plan_to_dot(*detail::lower_pipeline(p));
}

}  // namespace millrace

#if MILLRACE_HEADER_ONLY
#include <millrace/observe/detail/dot_impl.hpp>
#endif

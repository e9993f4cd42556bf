// millrace/core/detail/plan_impl.hpp — the lowered graph's special members and plan::add_op
// (core/plan.hpp declares). Out of line so that a user's unit does not generate and optimise the
// construction, moves and destruction of a dozen std::function members for every pipeline.
#pragma once

#include <string>
#include <utility>

#include <millrace/detail/config.hpp>
#include <millrace/core/plan.hpp>

namespace millrace::detail {

MILLRACE_INLINE runtime_source::runtime_source() = default;
MILLRACE_INLINE runtime_source::runtime_source(runtime_source&&) noexcept = default;
MILLRACE_INLINE runtime_source& runtime_source::operator=(runtime_source&&) noexcept = default;
MILLRACE_INLINE runtime_source::runtime_source(const runtime_source&) = default;
MILLRACE_INLINE runtime_source& runtime_source::operator=(const runtime_source&) = default;
MILLRACE_INLINE runtime_source::~runtime_source() = default;

MILLRACE_INLINE runtime_stage::runtime_stage() = default;
MILLRACE_INLINE runtime_stage::runtime_stage(runtime_stage&&) noexcept = default;
MILLRACE_INLINE runtime_stage& runtime_stage::operator=(runtime_stage&&) noexcept = default;
MILLRACE_INLINE runtime_stage::runtime_stage(const runtime_stage&) = default;
MILLRACE_INLINE runtime_stage& runtime_stage::operator=(const runtime_stage&) = default;
MILLRACE_INLINE runtime_stage::~runtime_stage() = default;

MILLRACE_INLINE plan::plan() = default;
MILLRACE_INLINE plan::~plan() = default;

MILLRACE_INLINE std::size_t plan::add_op(std::string name, std::string kind) {
  auto& s = ops.emplace_back();
  s.name = std::move(name);
  s.kind = std::move(kind);
  return ops.size() - 1;
}

}  // namespace millrace::detail

// millrace/dedup/detail/components_impl.hpp — min_root_forest's definitions (dedup/components.hpp
// declares). Included by dedup/components.hpp in header-only mode, compiled once into
// millrace::compiled (src/dedup.cpp) otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <millrace/dedup/components.hpp>
#include <millrace/detail/config.hpp>

namespace millrace::dedup {

MILLRACE_INLINE min_root_forest::min_root_forest(std::uint64_t n) { reset(n); }

MILLRACE_INLINE void min_root_forest::reset(std::uint64_t n) {
  parent_.resize(static_cast<std::size_t>(n));
  for (std::uint64_t i = 0; i < n; ++i) parent_[static_cast<std::size_t>(i)] = i;
}

MILLRACE_INLINE std::uint64_t min_root_forest::find(std::uint64_t x) {
  check(x);
  while (parent_[x] != x) {
    parent_[x] = parent_[parent_[x]];
    x = parent_[x];
  }
  return x;
}

MILLRACE_INLINE bool min_root_forest::unite(std::uint64_t a, std::uint64_t b) {
  a = find(a);
  b = find(b);
  if (a == b) return false;
  if (a < b) std::swap(a, b);
  parent_[a] = b;
  return true;
}

MILLRACE_INLINE void min_root_forest::flatten() {
  for (std::size_t i = 0; i < parent_.size(); ++i) parent_[i] = parent_[parent_[i]];
}

MILLRACE_INLINE void min_root_forest::check(std::uint64_t x) const {
  if (x >= parent_.size())
    throw std::out_of_range("min_root_forest: ordinal " + std::to_string(x) + " >= " + std::to_string(parent_.size()));
}

}  // namespace millrace::dedup

// millrace/dedup/components.hpp — connected components over 64-bit document ordinals, sequential
// and compact: 8 bytes per document, no 2^32 limit. The root of every set is its smallest ordinal,
// so the result does not depend on the order in which edges arrive (the out-of-core near-dedup
// feeds it edges from a merged, spilled stream; any executor or partitioning gives the same
// components).
//   millrace::dedup::min_root_forest f(n); f.unite(3, 7); f.flatten(); f.root(7) == 3;
// This header declares; dedup/detail/components_impl.hpp defines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <millrace/detail/config.hpp>

namespace millrace::dedup {

/// Union-find over node ids whose root is always the smallest id of its set (serial; the out-of-core components stage).
class min_root_forest {
 public:
  explicit min_root_forest(std::uint64_t n = 0);

  /// Makes n singleton sets 0 .. n - 1 (every node its own root), forgetting earlier unions.
  void reset(std::uint64_t n);
  /// Number of nodes (ordinals 0 .. size() - 1).
  std::uint64_t size() const { return parent_.size(); }

  /// Path halving; parent[x] <= x always, so every step moves to a smaller ordinal.
  std::uint64_t find(std::uint64_t x);

  /// Links the larger root under the smaller; returns true when two sets were merged.
  bool unite(std::uint64_t a, std::uint64_t b);

  /// After the last unite: parent[i] becomes i's root for every i, in one pass in ordinal order
  /// (parent[i] < i is already final when i is reached).
  void flatten();
  /// After flatten(): the smallest ordinal of i's component.
  std::uint64_t root(std::uint64_t i) const { return parent_[static_cast<std::size_t>(i)]; }
  /// The parent of every node: after flatten(), roots()[i] == root(i).
  const std::vector<std::uint64_t>& roots() const { return parent_; }
  /// Moves the parent array (the roots, after flatten()) out; reset() before using the forest again.
  std::vector<std::uint64_t> release() { return std::move(parent_); }
  /// Bytes of the parent array (8 per node, by capacity).
  std::size_t memory_bytes() const { return parent_.capacity() * sizeof(std::uint64_t); }

 private:
  void check(std::uint64_t x) const;
  std::vector<std::uint64_t> parent_;
};

}  // namespace millrace::dedup

#if MILLRACE_HEADER_ONLY
#include <millrace/dedup/detail/components_impl.hpp>
#endif

// millrace/dedup/union_find.hpp — lock-free parallel union-find whose root is always the smallest
// index of its set, so the components (and each cluster id) are the same for any thread count and
// any edge order.
//   millrace::dedup::concurrent_union_find uf(n); uf.unite(3, 7); uf.find(7) == 3;
// This header declares; dedup/detail/union_find_impl.hpp defines.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <millrace/dedup/doc_edge.hpp>
#include <millrace/detail/config.hpp>

namespace millrace::dedup {

/// Lock-free union-find whose root is the smallest index of its set (any thread count, any edge order).
class concurrent_union_find {
 public:
  explicit concurrent_union_find(std::size_t n);

  /// Number of nodes (indices 0 .. size() - 1).
  std::size_t size() const { return parent_.size(); }

  /// Path halving with CAS: a node is only ever re-pointed to one of its ancestors (a smaller index),
  /// so concurrent finds and unites never form a cycle.
  std::uint32_t find(std::uint32_t x);

  /// Links the larger root under the smaller one; retries if another thread changed a root first.
  void unite(std::uint32_t a, std::uint32_t b);

 private:
  std::vector<std::atomic<std::uint32_t>> parent_;
};

/// Connected components of `n` nodes: out[i] = the smallest index of i's component. Parallel (the
/// current run's backend: serial under serial_executor) over the edges, then over the nodes.
std::vector<std::uint64_t> connected_components(std::size_t n, std::span<const doc_edge> edges);

}  // namespace millrace::dedup

#if MILLRACE_HEADER_ONLY
#include <millrace/dedup/detail/union_find_impl.hpp>
#endif

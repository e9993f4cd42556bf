// Lock-free parallel union-find whose root is always the smallest index of its set, so the
// components (and each cluster id) are the same for any thread count and any edge order.
//   millrace::dedup::concurrent_union_find uf(n); uf.unite(3, 7); uf.find(7) == 3;
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <millrace/core/parallel.hpp>
#include <millrace/dedup/lsh.hpp>

namespace millrace::dedup {

class concurrent_union_find {
 public:
  explicit concurrent_union_find(std::size_t n) : parent_(n) {
    for (std::size_t i = 0; i < n; ++i) parent_[i].store(static_cast<std::uint32_t>(i), std::memory_order_relaxed);
  }

  std::size_t size() const { return parent_.size(); }

  // Path halving with CAS: a node is only ever re-pointed to one of its ancestors (a smaller index),
  // so concurrent finds and unites never form a cycle.
  std::uint32_t find(std::uint32_t x) {
    for (;;) {
      std::uint32_t p = parent_[x].load(std::memory_order_acquire);
      if (p == x) return x;
      std::uint32_t gp = parent_[p].load(std::memory_order_acquire);
      if (gp != p) parent_[x].compare_exchange_weak(p, gp, std::memory_order_acq_rel, std::memory_order_relaxed);
      x = gp;
    }
  }

  // Links the larger root under the smaller one; retries if another thread changed a root first.
  void unite(std::uint32_t a, std::uint32_t b) {
    for (;;) {
      a = find(a);
      b = find(b);
      if (a == b) return;
      if (a < b) std::swap(a, b);  // a: the larger root, attached below b
      std::uint32_t expected = a;
      if (parent_[a].compare_exchange_strong(expected, b, std::memory_order_acq_rel, std::memory_order_relaxed)) return;
    }
  }

 private:
  std::vector<std::atomic<std::uint32_t>> parent_;
};

// Connected components of `n` nodes: out[i] = the smallest index of i's component. Parallel (the
// current run's backend: serial under serial_executor) over the edges, then over the nodes.
inline std::vector<std::uint64_t> connected_components(std::size_t n, std::span<const doc_edge> edges) {
  concurrent_union_find uf(n);
  millrace::parallel_for(0, edges.size(), 4096, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) uf.unite(edges[i].a, edges[i].b);
  });
  std::vector<std::uint64_t> out(n);
  millrace::parallel_for(0, n, 4096, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) out[i] = uf.find(static_cast<std::uint32_t>(i));
  });
  return out;
}

}  // namespace millrace::dedup

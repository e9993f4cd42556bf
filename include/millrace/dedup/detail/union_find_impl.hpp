// millrace/dedup/detail/union_find_impl.hpp — concurrent_union_find's and connected_components'
// definitions (dedup/union_find.hpp declares). Included by dedup/union_find.hpp in header-only
// mode, compiled once into millrace::compiled (src/dedup.cpp) otherwise.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include <millrace/core/parallel.hpp>
#include <millrace/dedup/union_find.hpp>
#include <millrace/detail/config.hpp>

namespace millrace::dedup {

MILLRACE_INLINE concurrent_union_find::concurrent_union_find(std::size_t n) : parent_(n) {
  for (std::size_t i = 0; i < n; ++i) parent_[i].store(static_cast<std::uint32_t>(i), std::memory_order_relaxed);
}

MILLRACE_INLINE std::uint32_t concurrent_union_find::find(std::uint32_t x) {
  for (;;) {
    std::uint32_t p = parent_[x].load(std::memory_order_acquire);
    if (p == x) return x;
    std::uint32_t gp = parent_[p].load(std::memory_order_acquire);
    if (gp != p) parent_[x].compare_exchange_weak(p, gp, std::memory_order_acq_rel, std::memory_order_relaxed);
    x = gp;
  }
}

MILLRACE_INLINE void concurrent_union_find::unite(std::uint32_t a, std::uint32_t b) {
  for (;;) {
    a = find(a);
    b = find(b);
    if (a == b) return;
    if (a < b) std::swap(a, b);  // a: the larger root, attached below b
    std::uint32_t expected = a;
    if (parent_[a].compare_exchange_strong(expected, b, std::memory_order_acq_rel, std::memory_order_relaxed)) return;
  }
}

MILLRACE_INLINE std::vector<std::uint64_t> connected_components(std::size_t n, std::span<const doc_edge> edges) {
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

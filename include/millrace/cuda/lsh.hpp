// millrace/cuda/lsh.hpp — LSH on the device: band keys (xxh3-64 of a band's rows, seeded with the
// band, as dedup::band_key), chain edges from a band's entries sorted by (key, doc) (as
// dedup::link_band) and a min-label step for connected components whose fixed point is dedup's
// (every document's smallest peer).
//   millrace::cuda::band_key_functor f{sig, keys, docs, rows, num_perm}; f(band * docs + doc);
#pragma once

#include <cstddef>
#include <cstdint>

#include <millrace/detail/host_device.hpp>
#include <millrace/cuda/detail/xxh3.hpp>

namespace millrace::cuda {

/// keys[band * docs + doc] = dedup::band_key(signature of doc, band, rows), band-major so that a
/// band's keys are contiguous for the sort; index = band * docs + doc.
struct band_key_functor {
  const std::uint64_t* signatures;  ///< docs * num_perm, doc-major
  std::uint64_t* keys;              ///< bands * docs
  std::size_t docs, rows, num_perm;  ///< documents, signature rows per band, values per signature

  MILLRACE_HD void operator()(std::size_t index) const {
    const std::size_t band = index / docs, doc = index % docs;
    // The CPU hashes the rows' native bytes; the device and x86 hosts are both little-endian.
    keys[index] = detail::xxh3_64(signatures + doc * num_perm + band * rows, rows * sizeof(std::uint64_t), band);
  }
};

/// After a stable sort of one band's (key, doc) by key (docs ascending before): flag[i] = 1 when
/// entry i has the key of entry i - 1, i.e. an edge (doc[i - 1], doc[i]) as dedup::link_band.
struct chain_flag_functor {
  const std::uint64_t* sorted_keys;  ///< the band's keys after the sort
  std::uint32_t* flags;              ///< out: one flag per entry (flags[0] = 0)
  MILLRACE_HD void operator()(std::size_t i) const { flags[i] = (i > 0 && sorted_keys[i] == sorted_keys[i - 1]) ? 1u : 0u; }
};

/// One min-label step over the edges: label[a], label[b] <- min(label[a], label[b]); sets *changed.
/// Repeated (with pointer jumping) until nothing changes, every label is its component's smallest
/// document: dedup's survivor rule. On the device through atomicMin; the host version is for the
/// sequential CPP system only.
struct min_label_functor {
  const std::uint32_t* edge_a;  ///< first document of each edge
  const std::uint32_t* edge_b;  ///< second document of each edge
  std::uint32_t* labels;        ///< one label per document, lowered in place (start: labels[i] = i)
  int* changed;                 ///< set to 1 when a step changes a label; the caller resets it to 0

  MILLRACE_HD void operator()(std::size_t e) const {
    const std::uint32_t a = edge_a[e], b = edge_b[e];
    const std::uint32_t la = labels[a], lb = labels[b];
    if (la == lb) return;
    const std::uint32_t m = la < lb ? la : lb;
#if defined(__CUDA_ARCH__)
    atomicMin(&labels[a], m);
    atomicMin(&labels[b], m);
    // Also hook the larger label's root under m, so chains collapse in O(log n) rounds.
    atomicMin(&labels[la < lb ? lb : la], m);
#else
    if (labels[a] > m) labels[a] = m;
    if (labels[b] > m) labels[b] = m;
    const std::uint32_t big = la < lb ? lb : la;
    if (labels[big] > m) labels[big] = m;
#endif
    *changed = 1;
  }
};

/// Pointer jumping to the root: labels[i] <- the end of the chain labels[i], labels[labels[i]], ...
/// (labels only decrease along a chain, so it ends).
struct jump_functor {
  std::uint32_t* labels;  ///< one label per document, replaced in place by its chain's root
  MILLRACE_HD void operator()(std::size_t i) const {
    std::uint32_t l = labels[i];
    while (labels[l] != l) l = labels[l];
    labels[i] = l;
  }
};

}  // namespace millrace::cuda

// millrace/cuda/algorithms.hpp — the GPU dedup pipeline as Thrust algorithms over the MILLRACE_HD
// functors, templated on the execution policy: thrust::cuda::par.on(stream) in a .cu file, Thrust's
// CPP system under g++ (the tests compile this header with
// THRUST_DEVICE_SYSTEM=THRUST_DEVICE_SYSTEM_CPP).
//   millrace::cuda::sign_documents(thrust::device, docs, table, opts, sigs);  // == minhasher::sign per doc
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <thrust/copy.h>
#include <thrust/execution_policy.h>
#include <thrust/device_vector.h>
#include <thrust/for_each.h>
#include <thrust/functional.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/scan.h>
#include <thrust/sequence.h>
#include <thrust/sort.h>
#include <thrust/transform.h>
#include <thrust/unique.h>

#include <millrace/cuda/exact.hpp>
#include <millrace/cuda/lsh.hpp>
#include <millrace/cuda/minhash.hpp>
#include <millrace/cuda/shingle.hpp>
#include <millrace/dedup/lsh.hpp>

namespace millrace::cuda {

/// Documents packed for the device: all texts back to back, offsets[i]..offsets[i + 1] per doc.
struct packed_docs {
  thrust::device_vector<char> bytes;             ///< every document's bytes, back to back
  thrust::device_vector<std::uint64_t> offsets;  ///< docs + 1
  /// Number of documents (0 when offsets is empty).
  std::size_t size() const { return offsets.empty() ? 0 : offsets.size() - 1; }
};

/// Packs host texts (anything with data() and size()) into one byte buffer and copies it over.
template <class Texts>
packed_docs pack_documents(const Texts& texts) {
  std::vector<char> bytes;
  std::vector<std::uint64_t> offsets{0};
  for (const auto& t : texts) {
    bytes.insert(bytes.end(), t.data(), t.data() + t.size());
    offsets.push_back(bytes.size());
  }
  return {thrust::device_vector<char>(bytes.begin(), bytes.end()),
          thrust::device_vector<std::uint64_t>(offsets.begin(), offsets.end())};
}

/// Shingle settings of the device pipeline (dedup::near_dedup_options' shingle part; normalize on
/// the host before packing).
struct shingle_options {
  std::size_t ngram = 5;  ///< n of the n-grams (words or characters); at most max_device_ngram (64)
  bool words = true;  ///< false: character n-grams
};

/// The permutation table copied to the device.
struct device_minhash_table {
  /// minhash_params_table's arrays on the device: a and c in 32-bit halves, and b; num_perm each.
  thrust::device_vector<std::uint64_t> a0, a1, c0, c1, b;
  std::size_t num_perm = 0;  ///< hash functions (permutations) in the table
  bool mersenne = true;      ///< hash family: true mersenne61, false fast32
  explicit device_minhash_table(const minhash_params_table& t)
      : a0(t.a0), a1(t.a1), c0(t.c0), c1(t.c1), b(t.b), num_perm(t.params.num_perm),
        mersenne(t.params.family == dedup::hash_family::mersenne61) {}
};

namespace detail {
template <class T>
T* raw(thrust::device_vector<T>& v) {
  return thrust::raw_pointer_cast(v.data());
}
template <class T>
const T* raw(const thrust::device_vector<T>& v) {
  return thrust::raw_pointer_cast(v.data());
}
struct shingle_count_functor {
  const char* bytes;
  const std::uint64_t* offsets;
  std::uint64_t* counts;
  shingle_options o;
  MILLRACE_HD void operator()(std::size_t d) const {
    const char* t = bytes + offsets[d];
    const std::size_t len = offsets[d + 1] - offsets[d];
    counts[d] = o.words ? word_shingle_count(t, len, o.ngram) : char_shingle_count(t, len, o.ngram);
  }
};
struct shingle_write_functor {
  const char* bytes;
  const std::uint64_t* offsets;
  const std::uint64_t* out_offsets;
  std::uint64_t* out;
  shingle_options o;
  MILLRACE_HD void operator()(std::size_t d) const {
    const char* t = bytes + offsets[d];
    const std::size_t len = offsets[d + 1] - offsets[d];
    if (o.words) write_word_shingles(t, len, o.ngram, out + out_offsets[d]);
    else write_char_shingles(t, len, o.ngram, out + out_offsets[d]);
  }
};
struct pack_edge_functor {  // (doc[i - 1], doc[i]) as one 64-bit value, a < b
  const std::uint32_t* docs;
  MILLRACE_HD std::uint64_t operator()(std::size_t i) const {
    return (std::uint64_t(docs[i - 1]) << 32) | docs[i];
  }
};
struct flag_set {
  MILLRACE_HD bool operator()(std::uint32_t f) const { return f != 0; }
};
struct nonempty_pred {
  const std::uint64_t* shingle_offsets;
  MILLRACE_HD bool operator()(std::size_t d) const { return shingle_offsets[d + 1] > shingle_offsets[d]; }
};
struct gather_key_functor {
  const std::uint64_t* keys;  // this band's keys, one per document
  MILLRACE_HD std::uint64_t operator()(std::uint32_t d) const { return keys[d]; }
};
struct make_positioned {
  const std::uint64_t* lo;
  const std::uint64_t* hi;
  MILLRACE_HD positioned_digest operator()(std::size_t i) const {
    return {hi[i], lo[i], static_cast<std::uint32_t>(i)};
  }
};
struct edge_a_functor {
  MILLRACE_HD std::uint32_t operator()(std::uint64_t e) const { return static_cast<std::uint32_t>(e >> 32); }
};
struct edge_b_functor {
  MILLRACE_HD std::uint32_t operator()(std::uint64_t e) const { return static_cast<std::uint32_t>(e); }
};
}  // namespace detail

/// Shingle hashes of every document, concatenated; shingle_offsets gets docs + 1 offsets.
template <class Policy>
void shingle_documents(Policy&& pol, const packed_docs& docs, shingle_options o,
                       thrust::device_vector<std::uint64_t>& shingles, thrust::device_vector<std::uint64_t>& shingle_offsets) {
  if (o.ngram > max_device_ngram) throw std::invalid_argument("cuda::shingle_documents: ngram above max_device_ngram (64)");
  const std::size_t n = docs.size();
  shingle_offsets.assign(n + 1, 0);
  thrust::counting_iterator<std::size_t> first(0);
  thrust::for_each(pol, first, first + n,
                   detail::shingle_count_functor{detail::raw(docs.bytes), detail::raw(docs.offsets), detail::raw(shingle_offsets), o});
  thrust::exclusive_scan(pol, shingle_offsets.begin(), shingle_offsets.end(), shingle_offsets.begin());
  const std::uint64_t total = shingle_offsets.back();
  shingles.resize(total);
  thrust::for_each(pol, first, first + n,
                   detail::shingle_write_functor{detail::raw(docs.bytes), detail::raw(docs.offsets),
                                                 detail::raw(shingle_offsets), detail::raw(shingles), o});
}

/// MinHash signatures (docs x num_perm, doc-major) of shingle sets given by offsets.
template <class Policy>
void sign_shingles(Policy&& pol, const thrust::device_vector<std::uint64_t>& shingles,
                   const thrust::device_vector<std::uint64_t>& shingle_offsets, const device_minhash_table& t,
                   thrust::device_vector<std::uint64_t>& signatures) {
  const std::size_t n = shingle_offsets.size() - 1;
  signatures.resize(n * t.num_perm);
  thrust::counting_iterator<std::size_t> first(0);
  thrust::for_each(pol, first, first + n * t.num_perm,
                   minhash_functor{detail::raw(t.a0), detail::raw(t.a1), detail::raw(t.c0), detail::raw(t.c1),
                                   detail::raw(t.b), detail::raw(shingles), detail::raw(shingle_offsets),
                                   detail::raw(signatures), t.num_perm, t.mersenne});
}

/// Band keys, band-major (bands x docs).
template <class Policy>
void band_keys(Policy&& pol, const thrust::device_vector<std::uint64_t>& signatures, std::size_t docs, std::size_t num_perm,
               dedup::lsh_params lsh, thrust::device_vector<std::uint64_t>& keys) {
  dedup::check_lsh(num_perm, lsh);
  keys.resize(lsh.bands * docs);
  thrust::counting_iterator<std::size_t> first(0);
  thrust::for_each(pol, first, first + lsh.bands * docs,
                   band_key_functor{detail::raw(signatures), detail::raw(keys), docs, lsh.rows, num_perm});
}

/// The distinct chain edges of every band (dedup::link_band over entries sorted by (key, doc)),
/// sorted, each packed as (a << 32) | b with a < b; documents without shingles take no part.
template <class Policy>
void candidate_edges(Policy&& pol, const thrust::device_vector<std::uint64_t>& keys,
                     const thrust::device_vector<std::uint64_t>& shingle_offsets, std::size_t bands,
                     thrust::device_vector<std::uint64_t>& edges) {
  const std::size_t n = shingle_offsets.size() - 1;
  thrust::device_vector<std::uint32_t> members(n);  // the nonempty documents, ascending
  thrust::counting_iterator<std::uint32_t> first(0);
  auto end = thrust::copy_if(pol, first, first + n, members.begin(), detail::nonempty_pred{detail::raw(shingle_offsets)});
  const std::size_t m = static_cast<std::size_t>(end - members.begin());
  edges.clear();
  if (m < 2) return;
  thrust::device_vector<std::uint64_t> k(m);
  thrust::device_vector<std::uint32_t> d(m), flags(m);
  thrust::device_vector<std::uint64_t> band_edges(m);
  for (std::size_t band = 0; band < bands; ++band) {
    thrust::copy(pol, members.begin(), members.begin() + m, d.begin());
    thrust::transform(pol, d.begin(), d.end(), k.begin(), detail::gather_key_functor{detail::raw(keys) + band * n});
    // Stable radix sort by key: documents were ascending, so the order is (key, doc).
    thrust::stable_sort_by_key(pol, k.begin(), k.end(), d.begin());
    thrust::counting_iterator<std::size_t> i0(0);
    thrust::for_each(pol, i0, i0 + m, chain_flag_functor{detail::raw(k), detail::raw(flags)});
    thrust::device_vector<std::uint64_t> packed(m);
    thrust::transform(pol, i0 + 1, i0 + m, packed.begin(), detail::pack_edge_functor{detail::raw(d)});
    auto e = thrust::copy_if(pol, packed.begin(), packed.begin() + (m - 1), flags.begin() + 1, band_edges.begin(), detail::flag_set{});
    edges.insert(edges.end(), band_edges.begin(), e);
  }
  thrust::sort(pol, edges.begin(), edges.end());
  edges.erase(thrust::unique(pol, edges.begin(), edges.end()), edges.end());
}

/// Connected components: labels[i] = the smallest document of i's component (dedup's cluster id).
template <class Policy>
void components(Policy&& pol, std::size_t n, const thrust::device_vector<std::uint64_t>& edges,
                thrust::device_vector<std::uint32_t>& labels) {
  labels.resize(n);
  thrust::sequence(pol, labels.begin(), labels.end());
  if (edges.empty()) return;
  thrust::device_vector<std::uint32_t> a(edges.size()), b(edges.size());
  thrust::transform(pol, edges.begin(), edges.end(), a.begin(), detail::edge_a_functor{});
  thrust::transform(pol, edges.begin(), edges.end(), b.begin(), detail::edge_b_functor{});
  thrust::device_vector<int> changed(1);
  thrust::counting_iterator<std::size_t> first(0);
  for (;;) {
    changed[0] = 0;
    thrust::for_each(pol, first, first + edges.size(),
                     min_label_functor{detail::raw(a), detail::raw(b), detail::raw(labels), detail::raw(changed)});
    thrust::for_each(pol, first, first + n, jump_functor{detail::raw(labels)});
    if (changed[0] == 0) break;
  }
}

/// Exact dedup: kept[i] = 1 for the first occurrence (input order) of each distinct xxh3-128.
template <class Policy>
void exact_keep(Policy&& pol, const packed_docs& docs, thrust::device_vector<char>& kept) {
  const std::size_t n = docs.size();
  thrust::device_vector<std::uint64_t> lo(n), hi(n);
  thrust::counting_iterator<std::size_t> first(0);
  thrust::for_each(pol, first, first + n, digest_functor{detail::raw(docs.bytes), detail::raw(docs.offsets), detail::raw(lo), detail::raw(hi)});
  thrust::device_vector<positioned_digest> pd(n);
  thrust::transform(pol, first, first + n, pd.begin(), detail::make_positioned{detail::raw(lo), detail::raw(hi)});
  thrust::sort(pol, pd.begin(), pd.end());
  kept.resize(n);
  thrust::for_each(pol, first, first + n, first_occurrence_functor{detail::raw(pd), detail::raw(kept)});
}

/// Exact dedup clusters: cluster[i] = the position of the first occurrence of i's digest (i itself
/// for a first occurrence).
template <class Policy>
void exact_clusters(Policy&& pol, const packed_docs& docs, thrust::device_vector<std::uint64_t>& cluster) {
  const std::size_t n = docs.size();
  thrust::device_vector<std::uint64_t> lo(n), hi(n);
  thrust::counting_iterator<std::size_t> first(0);
  thrust::for_each(pol, first, first + n, digest_functor{detail::raw(docs.bytes), detail::raw(docs.offsets), detail::raw(lo), detail::raw(hi)});
  thrust::device_vector<positioned_digest> pd(n);
  thrust::transform(pol, first, first + n, pd.begin(), detail::make_positioned{detail::raw(lo), detail::raw(hi)});
  thrust::sort(pol, pd.begin(), pd.end());
  thrust::device_vector<std::uint32_t> starts(n);
  thrust::transform(pol, first, first + n, starts.begin(), run_start_functor{detail::raw(pd)});
  thrust::inclusive_scan(pol, starts.begin(), starts.end(), starts.begin(), thrust::maximum<std::uint32_t>());
  cluster.resize(n);
  thrust::for_each(pol, first, first + n, cluster_of_run_functor{detail::raw(pd), detail::raw(starts), detail::raw(cluster)});
}

}  // namespace millrace::cuda

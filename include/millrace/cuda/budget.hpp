// millrace/cuda/budget.hpp — a device-memory budget for the GPU near and exact dedup: inputs larger
// than the budget are processed in chunks of documents (shingles, signatures and band keys per
// chunk; then band edges per band, merged), with the same result as one pass. Templated on the
// Thrust execution policy, like algorithms.hpp, so the chunking runs on Thrust's CPP system in the
// CPU tests.
//   auto r = millrace::cuda::near_dedup_in_budget(thrust::device, normalized_views, opts, {.device_bytes = 1 << 30});
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <millrace/cuda/algorithms.hpp>
#include <millrace/cuda/backend.hpp>
#include <millrace/cuda/host_finish.hpp>
#include <millrace/dedup/lsh.hpp>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/dedup/union_find.hpp>

namespace millrace::cuda {

/// Half-open range of documents [begin, end) processed in one device pass.
struct chunk_range {
  std::size_t begin = 0, end = 0;  ///< document indexes: first in the chunk, one past the last
};

/// Upper bound of the device bytes one document of `len` bytes needs in the signing pass: its
/// bytes, two offsets, at most one shingle hash per byte (+1), num_perm signature values and one
/// key per band.
constexpr std::size_t sign_bytes_per_doc(std::size_t len, std::size_t num_perm, std::size_t bands) {
  return len + 16 + 8 * (len + 1) + 8 * num_perm + 8 * bands;
}

/// Device bytes of one band's edge step per member document: key, doc, flag, packed edge, kept
/// edge (32) and the radix sort's second key/value buffer (12), rounded up.
inline constexpr std::size_t band_bytes_per_doc = 48;

/// Device bytes of the min-label components: a packed edge and its two ends per edge, a label per document.
constexpr std::size_t component_bytes(std::size_t docs, std::size_t edges) { return 16 * edges + 4 * docs; }

/// Upper bound of the device bytes of the one-pass pipeline (algorithms.hpp: every buffer of every
/// document at once, plus the band sort, at most bands x (docs - 1) edges and their components).
inline std::size_t one_pass_bytes(std::span<const std::size_t> lengths, std::size_t num_perm, std::size_t bands) {
  std::size_t total = 5 * 8 * num_perm + 16;
  for (const std::size_t len : lengths) total += sign_bytes_per_doc(len, num_perm, bands);
  const std::size_t n = lengths.size();
  return total + band_bytes_per_doc * n + component_bytes(n, bands * n) + 8 * bands * n;
}

/// Splits documents (given by their byte lengths) into consecutive chunks whose signing pass fits
/// `budget` bytes (after `reserved`, e.g. the permutation table). Throws std::length_error naming
/// the document that alone does not fit.
inline std::vector<chunk_range> plan_chunks(std::span<const std::size_t> lengths, std::size_t num_perm, std::size_t bands,
                                            std::size_t budget, std::size_t reserved = 0) {
  const std::size_t room = budget > reserved + 16 ? budget - reserved - 16 : 0;  // 16: the extra offsets
  std::vector<chunk_range> chunks;
  std::size_t begin = 0, used = 0;
  for (std::size_t d = 0; d < lengths.size(); ++d) {
    const std::size_t need = sign_bytes_per_doc(lengths[d], num_perm, bands);
    if (need > room)
      throw std::length_error("cuda::plan_chunks: document " + std::to_string(d) + " (" + std::to_string(lengths[d]) +
                              " bytes) needs " + std::to_string(need) + " bytes of device memory, above the budget of " +
                              std::to_string(room) + " (raise device_budget::device_bytes)");
    if (used + need > room) {
      chunks.push_back({begin, d});
      begin = d;
      used = 0;
    }
    used += need;
  }
  if (begin < lengths.size()) chunks.push_back({begin, lengths.size()});
  return chunks;
}

/// The host copy of the signing pass over all chunks: band keys (bands x docs, band-major, as
/// cuda::band_keys), nonempty flags, and on request signatures (docs x num_perm) and sorted unique
/// shingle sets.
struct signed_documents {
  std::vector<std::uint64_t> keys;                 ///< band keys, bands x docs, band-major
  std::vector<char> nonempty;                      ///< per document: 1 when it has at least one shingle
  std::vector<std::uint64_t> signatures;           ///< only with keep_signatures
  std::vector<std::vector<std::uint64_t>> sets;    ///< only with keep_sets
};

/// Shingles, MinHash and band keys per chunk on the device; each chunk's results are copied to the
/// host and its device buffers freed before the next chunk starts.
template <class Policy>
signed_documents sign_in_chunks(Policy&& pol, std::span<const std::string_view> texts, std::span<const chunk_range> chunks,
                                const device_minhash_table& table, shingle_options so, dedup::lsh_params lsh,
                                bool keep_signatures, bool keep_sets) {
  const std::size_t n = texts.size();
  signed_documents out;
  out.keys.resize(lsh.bands * n);
  out.nonempty.resize(n);
  if (keep_signatures) out.signatures.resize(n * table.num_perm);
  if (keep_sets) out.sets.resize(n);
  for (const chunk_range c : chunks) {
    const std::size_t m = c.end - c.begin;
    thrust::device_vector<std::uint64_t> sh, off, sig, keys;
    {
      const packed_docs docs = pack_documents(texts.subspan(c.begin, m));
      shingle_documents(pol, docs, so, sh, off);
    }  // the chunk's bytes are freed before signing
    sign_shingles(pol, sh, off, table, sig);
    band_keys(pol, sig, m, table.num_perm, lsh, keys);
    const std::vector<std::uint64_t> hkeys(keys.begin(), keys.end()), hoff(off.begin(), off.end());
    for (std::size_t b = 0; b < lsh.bands; ++b)
      std::copy(hkeys.begin() + static_cast<std::ptrdiff_t>(b * m), hkeys.begin() + static_cast<std::ptrdiff_t>((b + 1) * m),
                out.keys.begin() + static_cast<std::ptrdiff_t>(b * n + c.begin));
    for (std::size_t d = 0; d < m; ++d) out.nonempty[c.begin + d] = hoff[d + 1] > hoff[d];
    if (keep_signatures) thrust::copy(sig.begin(), sig.end(), out.signatures.begin() + static_cast<std::ptrdiff_t>(c.begin * table.num_perm));
    if (keep_sets) {
      const std::vector<std::uint64_t> hsh(sh.begin(), sh.end());
      for (std::size_t d = 0; d < m; ++d) {
        auto& v = out.sets[c.begin + d];
        v.assign(hsh.begin() + static_cast<std::ptrdiff_t>(hoff[d]), hsh.begin() + static_cast<std::ptrdiff_t>(hoff[d + 1]));
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
      }
    }
  }
  return out;
}

/// The distinct chain edges of every band from host band keys (as cuda::candidate_edges), each
/// packed as (a << 32) | b, sorted: a band whose members fit the budget is sorted on the device,
/// a larger one on the host (the same (key, doc) order, so the same edges); bands are merged on the host.
template <class Policy>
std::vector<std::uint64_t> chain_edges_in_budget(Policy&& pol, std::span<const std::uint64_t> keys, std::span<const char> nonempty,
                                                 std::size_t bands, std::size_t budget, budget_report& report) {
  const std::size_t n = nonempty.size();
  std::vector<std::uint32_t> members;
  for (std::size_t d = 0; d < n; ++d)
    if (nonempty[d]) members.push_back(static_cast<std::uint32_t>(d));
  const std::size_t m = members.size();
  std::vector<std::uint64_t> edges;
  if (m < 2) return edges;
  std::vector<std::uint64_t> band_keys_host(m);
  std::vector<dedup::band_entry> entries;
  for (std::size_t band = 0; band < bands; ++band) {
    for (std::size_t i = 0; i < m; ++i) band_keys_host[i] = keys[band * n + members[i]];
    if (band_bytes_per_doc * m <= budget) {
      ++report.bands_on_device;
      thrust::device_vector<std::uint64_t> k(band_keys_host.begin(), band_keys_host.end());
      thrust::device_vector<std::uint32_t> d(members.begin(), members.end()), flags(m);
      // Stable radix sort by key: documents were ascending, so the order is (key, doc).
      thrust::stable_sort_by_key(pol, k.begin(), k.end(), d.begin());
      thrust::counting_iterator<std::size_t> i0(0);
      thrust::for_each(pol, i0, i0 + m, chain_flag_functor{detail::raw(k), detail::raw(flags)});
      thrust::device_vector<std::uint64_t> packed(m - 1), kept(m - 1);
      thrust::transform(pol, i0 + 1, i0 + m, packed.begin(), detail::pack_edge_functor{detail::raw(d)});
      auto e = thrust::copy_if(pol, packed.begin(), packed.end(), flags.begin() + 1, kept.begin(), detail::flag_set{});
      const std::size_t before = edges.size();
      edges.resize(before + static_cast<std::size_t>(e - kept.begin()));
      thrust::copy(kept.begin(), e, edges.begin() + static_cast<std::ptrdiff_t>(before));
    } else {
      ++report.bands_on_host;
      entries.resize(m);
      for (std::size_t i = 0; i < m; ++i) entries[i] = {band_keys_host[i], members[i]};
      std::sort(entries.begin(), entries.end());
      for (std::size_t i = 1; i < m; ++i)
        if (entries[i].key == entries[i - 1].key)
          edges.push_back((std::uint64_t(entries[i - 1].doc) << 32) | entries[i].doc);
    }
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  return edges;
}

/// Near dedup of normalized texts within a device budget: the same result as
/// dedup::near_dedup(texts, o) with o.normalize = false (normalize on the host first). Chunks for
/// signing (plan_chunks), band edges per band (chain_edges_in_budget), components on the device
/// when they fit; with check_signatures or verify the filtered end runs on the host (host_finish.hpp).
template <class Policy>
dedup::near_dedup_result near_dedup_in_budget(Policy&& pol, std::span<const std::string_view> texts,
                                              const dedup::near_dedup_options& o, device_budget budget = {},
                                              budget_report* report = nullptr) {
  budget_report local;
  budget_report& rep = report ? *report : local;
  const auto lsh = o.resolved_lsh();
  const device_minhash_table table(minhash_params_table({o.num_perm, o.seed, o.family}));
  std::vector<std::size_t> lengths(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) lengths[i] = texts[i].size();
  const std::size_t table_bytes = 5 * 8 * o.num_perm;
  const auto chunks = plan_chunks(lengths, o.num_perm, lsh.bands, budget.device_bytes, table_bytes);
  rep.chunks = chunks.size();
  const bool filtered = o.check_signatures || o.verify;
  const shingle_options so{o.ngram, o.shingle == dedup::shingle_kind::word};
  signed_documents s = sign_in_chunks(pol, texts, chunks, table, so, lsh, filtered, o.verify);
  if (filtered) return finish_near_on_host(s.keys, s.signatures, s.nonempty, s.sets, o);

  const std::vector<std::uint64_t> edges = chain_edges_in_budget(pol, s.keys, s.nonempty, lsh.bands, budget.device_bytes, rep);
  dedup::near_dedup_result r;
  r.candidate_edges = r.verified_edges = edges.size();
  const std::size_t n = texts.size();
  if (component_bytes(n, edges.size()) <= budget.device_bytes) {
    rep.components_on_device = true;
    const thrust::device_vector<std::uint64_t> dedges(edges.begin(), edges.end());
    thrust::device_vector<std::uint32_t> labels;
    components(pol, n, dedges, labels);
    r.cluster.assign(labels.begin(), labels.end());
  } else {
    std::vector<dedup::doc_edge> pairs(edges.size());
    for (std::size_t i = 0; i < edges.size(); ++i)
      pairs[i] = {static_cast<std::uint32_t>(edges[i] >> 32), static_cast<std::uint32_t>(edges[i])};
    r.cluster = dedup::connected_components(n, pairs);
  }
  r.kept.resize(n);
  for (std::size_t i = 0; i < n; ++i) r.kept[i] = r.cluster[i] == i;
  return r;
}

/// Exact dedup clusters within a device budget: digests per chunk on the device (bytes + 24 per
/// document), then the (digest, position) sort on the device when 48 bytes per document fit, else on
/// the host. cluster[i] = position of the first occurrence of i's digest (= cuda::exact_clusters).
template <class Policy>
std::vector<std::uint64_t> exact_clusters_in_budget(Policy&& pol, std::span<const std::string_view> texts, device_budget budget = {},
                                                    budget_report* report = nullptr) {
  budget_report local;
  budget_report& rep = report ? *report : local;
  const std::size_t n = texts.size();
  std::vector<std::size_t> lengths(n);
  for (std::size_t i = 0; i < n; ++i) lengths[i] = texts[i].size();
  // Digest pass: bytes + 8 offset + 16 digest per document; plan_chunks' bound (num_perm 0, bands 0) covers it.
  const auto chunks = plan_chunks(lengths, 0, 0, budget.device_bytes);
  rep.chunks = chunks.size();
  std::vector<positioned_digest> pd(n);
  for (const chunk_range c : chunks) {
    const std::size_t m = c.end - c.begin;
    const packed_docs docs = pack_documents(texts.subspan(c.begin, m));
    thrust::device_vector<std::uint64_t> lo(m), hi(m);
    thrust::counting_iterator<std::size_t> first(0);
    thrust::for_each(pol, first, first + m, digest_functor{detail::raw(docs.bytes), detail::raw(docs.offsets), detail::raw(lo), detail::raw(hi)});
    const std::vector<std::uint64_t> hlo(lo.begin(), lo.end()), hhi(hi.begin(), hi.end());
    for (std::size_t i = 0; i < m; ++i) pd[c.begin + i] = {hhi[i], hlo[i], static_cast<std::uint32_t>(c.begin + i)};
  }
  std::vector<std::uint64_t> cluster(n);
  if (48 * n <= budget.device_bytes) {
    rep.components_on_device = true;
    thrust::device_vector<positioned_digest> d(pd.begin(), pd.end());
    thrust::sort(pol, d.begin(), d.end());
    thrust::counting_iterator<std::size_t> first(0);
    thrust::device_vector<std::uint32_t> starts(n);
    thrust::transform(pol, first, first + n, starts.begin(), run_start_functor{detail::raw(d)});
    thrust::inclusive_scan(pol, starts.begin(), starts.end(), starts.begin(), thrust::maximum<std::uint32_t>());
    thrust::device_vector<std::uint64_t> dc(n);
    thrust::for_each(pol, first, first + n, cluster_of_run_functor{detail::raw(d), detail::raw(starts), detail::raw(dc)});
    thrust::copy(dc.begin(), dc.end(), cluster.begin());
  } else {
    std::sort(pd.begin(), pd.end());
    std::vector<std::uint32_t> starts(n);
    for (std::size_t i = 0; i < n; ++i) starts[i] = std::max(run_start_functor{pd.data()}(i), i ? starts[i - 1] : 0u);
    for (std::size_t i = 0; i < n; ++i) cluster_of_run_functor{pd.data(), starts.data(), cluster.data()}(i);
  }
  return cluster;
}

}  // namespace millrace::cuda

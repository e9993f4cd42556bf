// millrace/cuda/host_finish.hpp — the filtered end of near dedup on the host, from device-computed
// band keys and signatures: chain and head edges per band, the signature check and/or exact
// verification, components. The same steps, in the same order, as dedup::near_dedup_batch::finish,
// so the clusters are identical; used by the GPU backend when check_signatures or verify is on
// (docs/gpu.md).
//   auto r = millrace::cuda::finish_near_on_host(keys, signatures, nonempty, sets, opts);
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <vector>

#include <millrace/dedup/jaccard.hpp>
#include <millrace/dedup/lsh.hpp>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/dedup/signature_check.hpp>
#include <millrace/dedup/union_find.hpp>

namespace millrace::cuda {

/// keys: bands x docs, band-major; signatures: docs x num_perm; nonempty[d]: d has shingles;
/// sets: sorted unique shingle sets per document (only read with o.verify).
inline dedup::near_dedup_result finish_near_on_host(std::span<const std::uint64_t> keys,
                                                    std::span<const std::uint64_t> signatures,
                                                    std::span<const char> nonempty,
                                                    std::span<const std::vector<std::uint64_t>> sets,
                                                    const dedup::near_dedup_options& o) {
  using dedup::doc_edge;
  const std::size_t n = nonempty.size();
  const dedup::lsh_params lsh = o.resolved_lsh();
  const bool filtered = o.verify || o.check_signatures;
  std::vector<doc_edge> edges, heads;
  std::vector<dedup::band_entry> e;
  for (std::size_t band = 0; band < lsh.bands; ++band) {
    e.clear();
    for (std::size_t d = 0; d < n; ++d)
      if (nonempty[d]) e.push_back({keys[band * n + d], static_cast<std::uint32_t>(d)});
    std::sort(e.begin(), e.end());
    dedup::link_band(e, edges);
    if (filtered) dedup::link_band_heads(e, heads);
  }
  auto sort_unique = [](std::vector<doc_edge>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  sort_unique(edges);
  dedup::near_dedup_result res;
  res.candidate_edges = edges.size();
  if (filtered) {
    sort_unique(heads);
    std::vector<doc_edge> extra;
    std::set_difference(heads.begin(), heads.end(), edges.begin(), edges.end(), std::back_inserter(extra));
    const std::size_t chain = edges.size();
    edges.insert(edges.end(), extra.begin(), extra.end());
    const dedup::signature_check check(o.num_perm, o.threshold);
    std::vector<std::uint64_t> sketches;
    if (o.check_signatures) {
      sketches.resize(n * check.words());
      for (std::size_t d = 0; d < n; ++d)
        check.sketch(signatures.subspan(d * o.num_perm, o.num_perm), sketches.data() + d * check.words());
    }
    std::size_t k = 0;
    for (std::size_t i = 0; i < edges.size(); ++i) {
      const auto [x, y] = edges[i];
      const std::size_t w = check.words();
      if (o.check_signatures && !check.keep(sketches.data() + std::size_t(x) * w, sketches.data() + std::size_t(y) * w)) {
        ++res.check_dropped;
        continue;
      }
      if (o.verify && dedup::exact_jaccard(sets[x], sets[y]) < o.threshold) {
        ++res.verify_dropped;
        continue;
      }
      (i < chain ? res.verified_edges : res.head_edges) += 1;
      edges[k++] = edges[i];
    }
    edges.resize(k);
  } else {
    res.verified_edges = edges.size();
  }
  res.cluster = dedup::connected_components(n, edges);
  res.kept.resize(n);
  for (std::size_t i = 0; i < n; ++i) res.kept[i] = res.cluster[i] == i;
  return res;
}

}  // namespace millrace::cuda

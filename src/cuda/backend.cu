// millrace_cuda_backend: the definitions of millrace/cuda/backend.hpp, compiled by nvcc for sm_90
// (+ PTX): the device pipeline of millrace/cuda/algorithms.hpp on the CUDA system.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>

#include <millrace/cuda/algorithms.hpp>
#include <millrace/cuda/backend.hpp>
#include <millrace/cuda/host_finish.hpp>
#include <millrace/cuda/runtime.cuh>

namespace millrace::cuda {

gpu_availability gpu_available() {
  const device_probe p = probe_devices();
  return {p.devices, p.reason};
}

namespace {
void require_device() {
  const device_probe p = probe_devices();
  if (p.devices == 0) throw std::runtime_error("no CUDA device: " + p.reason);
}
}  // namespace

dedup::near_dedup_result gpu_near_dedup(std::span<const std::string_view> texts, const dedup::near_dedup_options& o) {
  require_device();
  const auto lsh = o.resolved_lsh();
  const device_minhash_table table(minhash_params_table({o.num_perm, o.seed, o.family}));
  std::vector<std::string> normalized;
  if (o.normalize) {
    normalized.reserve(texts.size());
    for (std::string_view t : texts) normalized.push_back(text::normalize(t));
  }
  const packed_docs docs = o.normalize ? pack_documents(normalized) : pack_documents(texts);
  thrust::device_vector<std::uint64_t> sh, off, sig, keys, edges;
  const shingle_options so{o.ngram, o.shingle == dedup::shingle_kind::word};
  shingle_documents(thrust::device, docs, so, sh, off);
  sign_shingles(thrust::device, sh, off, table, sig);
  band_keys(thrust::device, sig, texts.size(), o.num_perm, lsh, keys);
  if (o.check_signatures || o.verify) {
    // The filtered end on the host (host_finish.hpp): the check needs per-pair sketches and
    // verification the shingle sets; the device did the costly part (shingles, MinHash, keys).
    const std::vector<std::uint64_t> hkeys(keys.begin(), keys.end()), hsig(sig.begin(), sig.end());
    const std::vector<std::uint64_t> hoff(off.begin(), off.end());
    std::vector<char> nonempty(texts.size());
    for (std::size_t d = 0; d < texts.size(); ++d) nonempty[d] = hoff[d + 1] > hoff[d];
    std::vector<std::vector<std::uint64_t>> sets;
    if (o.verify) {
      const std::vector<std::uint64_t> hsh(sh.begin(), sh.end());
      sets.resize(texts.size());
      for (std::size_t d = 0; d < texts.size(); ++d) {
        auto& v = sets[d];
        v.assign(hsh.begin() + static_cast<std::ptrdiff_t>(hoff[d]), hsh.begin() + static_cast<std::ptrdiff_t>(hoff[d + 1]));
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
      }
    }
    return finish_near_on_host(hkeys, hsig, nonempty, sets, o);
  }
  candidate_edges(thrust::device, keys, off, lsh.bands, edges);
  thrust::device_vector<std::uint32_t> labels;
  components(thrust::device, texts.size(), edges, labels);
  dedup::near_dedup_result r;
  r.candidate_edges = r.verified_edges = edges.size();
  std::vector<std::uint32_t> hl(labels.begin(), labels.end());
  r.cluster.assign(hl.begin(), hl.end());
  r.kept.resize(hl.size());
  for (std::size_t i = 0; i < hl.size(); ++i) r.kept[i] = hl[i] == i;
  return r;
}

std::vector<std::uint64_t> gpu_exact_clusters(std::span<const std::string_view> texts) {
  require_device();
  thrust::device_vector<std::uint64_t> cluster;
  exact_clusters(thrust::device, pack_documents(texts), cluster);
  return std::vector<std::uint64_t>(cluster.begin(), cluster.end());
}

std::vector<char> gpu_exact_dedup(std::span<const std::string_view> texts) {
  require_device();
  thrust::device_vector<char> kept;
  exact_keep(thrust::device, pack_documents(texts), kept);
  return std::vector<char>(kept.begin(), kept.end());
}

}  // namespace millrace::cuda

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
#include <millrace/cuda/budget.hpp>
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

dedup::near_dedup_result gpu_near_dedup(std::span<const std::string_view> texts, const dedup::near_dedup_options& o,
                                        device_budget budget, budget_report* report) {
  require_device();
  const auto lsh = o.resolved_lsh();
  std::vector<std::string> normalized;
  std::vector<std::string_view> normalized_views;
  if (o.normalize) {
    normalized.reserve(texts.size());
    for (std::string_view t : texts) normalized.push_back(text::normalize(t));
    normalized_views.assign(normalized.begin(), normalized.end());
  }
  const std::span<const std::string_view> input = o.normalize ? std::span<const std::string_view>(normalized_views) : texts;
  std::vector<std::size_t> lengths(input.size());
  for (std::size_t i = 0; i < input.size(); ++i) lengths[i] = input[i].size();
  if (one_pass_bytes(lengths, o.num_perm, lsh.bands) > budget.device_bytes)
    return near_dedup_in_budget(thrust::device, input, o, budget, report);  // chunks: the same result
  if (report) *report = {1, lsh.bands, 0, !(o.check_signatures || o.verify)};
  const device_minhash_table table(minhash_params_table({o.num_perm, o.seed, o.family}));
  const packed_docs docs = pack_documents(input);
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

std::vector<std::uint64_t> gpu_exact_clusters(std::span<const std::string_view> texts, device_budget budget) {
  require_device();
  return exact_clusters_in_budget(thrust::device, texts, budget);
}

std::vector<char> gpu_exact_dedup(std::span<const std::string_view> texts, device_budget budget) {
  require_device();
  const std::vector<std::uint64_t> cluster = exact_clusters_in_budget(thrust::device, texts, budget);
  std::vector<char> kept(cluster.size());
  for (std::size_t i = 0; i < cluster.size(); ++i) kept[i] = cluster[i] == i;
  return kept;
}

}  // namespace millrace::cuda

// millrace/cuda/dedup_stages.hpp — the dedup job's GPU stages (millrace-dedup --device gpu), plain
// C++ over the backend library (millrace/cuda/backend.hpp, built by nvcc): they hold every record,
// then cluster them all on the device at the end (a barrier, like dedup::near_stage) and let the
// survivors out in input order.
//   auto st = millrace::cuda::gpu_near_stage<Doc, decltype(text_of)>(opts, text_of, on_cluster);
//   mr::run(source | mr::stage(std::ref(st), "dedup.near.gpu") | sink);
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <millrace/cuda/backend.hpp>
#include <millrace/dedup/exact.hpp>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/text/normalize.hpp>

namespace millrace::cuda {

/// Near dedup on the GPU with dedup::near_stage's contract (same clusters, same survivors, same
/// callback calls in input order). Memory: every record and its text until the end.
template <class T, class A>
class gpu_near_stage {
 public:
  using callback = std::function<void(const T&, std::uint64_t, bool)>;
  gpu_near_stage(dedup::near_dedup_options o, A access, callback cb)
      : o_(std::move(o)), access_(std::move(access)), cb_(std::move(cb)) {}

  /// Holds the batch; nothing leaves before finish().
  std::vector<T> process(std::vector<T>&& batch) {
    for (T& r : batch) records_.push_back(std::move(r));
    return {};
  }

  /// Clusters everything on the device; survivors in input order.
  std::vector<T> finish() {
    std::vector<std::string_view> views;
    views.reserve(records_.size());
    for (const T& r : records_) views.push_back(std::string_view(access_(r)));
    result_ = gpu_near_dedup(views, o_);
    std::vector<T> out;
    for (std::size_t i = 0; i < records_.size(); ++i) {
      if (cb_) cb_(records_[i], result_.cluster[i], result_.kept[i] != 0);
      if (result_.kept[i]) out.push_back(std::move(records_[i]));
    }
    records_.clear();
    return out;
  }

  /// After a run with std::ref(stage): its clusters and edge counts.
  const dedup::near_dedup_result& result() const { return result_; }

 private:
  dedup::near_dedup_options o_;
  A access_;
  callback cb_;
  std::vector<T> records_;
  dedup::near_dedup_result result_;
};

/// Exact dedup on the GPU with dedup::exact's contract: the first occurrence survives; a
/// duplicate's cluster is its first occurrence's position. Holds every record until the end.
template <class T, class A>
class gpu_exact_stage {
 public:
  using callback = std::function<void(const T&, std::uint64_t, bool)>;
  gpu_exact_stage(dedup::exact_options o, A access, callback cb)
      : o_(std::move(o)), access_(std::move(access)), cb_(std::move(cb)) {}

  /// Holds the batch; nothing leaves before finish().
  std::vector<T> process(std::vector<T>&& batch) {
    for (T& r : batch) records_.push_back(std::move(r));
    return {};
  }

  /// Digests, sorts and marks first occurrences on the device; survivors in input order.
  std::vector<T> finish() {
    std::vector<std::string> normalized;
    std::vector<std::string_view> views;
    views.reserve(records_.size());
    if (o_.normalize) {
      normalized.reserve(records_.size());
      for (const T& r : records_) normalized.push_back(text::normalize(std::string_view(access_(r)), o_.normalization));
      views.assign(normalized.begin(), normalized.end());
    } else {
      for (const T& r : records_) views.push_back(std::string_view(access_(r)));
    }
    const std::vector<std::uint64_t> cluster = gpu_exact_clusters(views);
    std::vector<T> out;
    for (std::size_t i = 0; i < records_.size(); ++i) {
      const bool kept = cluster[i] == i;
      if (cb_) cb_(records_[i], cluster[i], kept);
      if (kept) out.push_back(std::move(records_[i]));
    }
    records_.clear();
    return out;
  }

 private:
  dedup::exact_options o_;
  A access_;
  callback cb_;
  std::vector<T> records_;
};

}  // namespace millrace::cuda

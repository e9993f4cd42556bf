// Pipeline operators for deduplication: mr::dedup::exact (a stage), mr::dedup::near (batch mode: a
// barrier that emits the survivors in input order) and mr::dedup::near_streaming (online index).
//   auto job = src | mr::dedup::near({.threshold = 0.8}, [](const Doc& d) { return std::string_view(d.text); }) | sink;
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <millrace/core.hpp>
#include <millrace/dedup/exact.hpp>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/dedup/near_streaming.hpp>

namespace millrace::dedup {

// Called once per input record, in input order, with its cluster id (the input index of the
// cluster's survivor; records are numbered from 0 in input order) and whether it was kept.
template <class T>
using cluster_callback = std::function<void(const T& record, std::uint64_t cluster, bool kept)>;

namespace detail {

// The record type an accessor takes, and a text holder matching what it returns (a view, or an
// owned string when the accessor builds one, e.g. json_record::get_string).
template <class A>
using accessor_record = millrace::detail::first_param_t<A>;

template <class T, class A>
using accessor_result = std::remove_cvref_t<std::invoke_result_t<const A&, const T&>>;

template <class R>
std::string_view as_text(const R& r) {
  if constexpr (requires { r.has_value(); *r; }) return r ? std::string_view(*r) : std::string_view();  // optional
  else return std::string_view(r);
}

template <class R>
using text_holder = std::conditional_t<std::is_same_v<R, std::string_view>, std::string_view, R>;

// Texts of a batch, in a form near_dedup_batch and friends take.
template <class T, class A>
struct batch_texts {
  std::vector<text_holder<accessor_result<T, A>>> held;
  std::vector<std::string_view> views;
  void fill(const std::vector<T>& batch, const A& access) {
    held.clear();
    views.clear();
    held.resize(batch.size());
    views.resize(batch.size());
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, batch.size(), 64), [&](const auto& r) {
      for (std::size_t i = r.begin(); i < r.end(); ++i) {
        held[i] = std::invoke(access, batch[i]);
        views[i] = as_text(held[i]);
      }
    });
  }
};

struct string_text {
  std::string_view operator()(const std::string& s) const { return s; }
};

template <class A>
void check_accessor() {
  using T = accessor_record<A>;
  static_assert(!std::is_same_v<T, millrace::generic_parameter>,
                "millrace::dedup: the text accessor must take the record type explicitly, e.g. "
                "[](const Doc& d) { return std::string_view(d.text); } (not auto)");
  static_assert(std::is_invocable_v<const A&, const T&>, "millrace::dedup: the accessor must accept const T&");
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Exact: keeps the first record of each distinct (optionally normalized) text, in input order.
template <class T, class A>
class exact_stage {
 public:
  exact_stage(exact_options o, A access) : st_(std::make_shared<state>(std::move(o), std::move(access))) {}

  std::vector<T> process(std::vector<T>&& batch) {
    auto& s = *st_;
    s.texts.fill(batch, s.access);
    s.digests.resize(batch.size());
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, batch.size(), 64), [&](const auto& r) {
      for (std::size_t i = r.begin(); i < r.end(); ++i) s.digests[i] = exact_digest(s.texts.views[i], s.opts);
    });
    std::vector<T> out;
    out.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const std::uint64_t index = s.seen++;
      const bool fresh = s.set.insert(s.digests[i]);
      if (s.on_cluster) {
        if (fresh) s.first.emplace(s.digests[i], index);
        s.on_cluster(batch[i], fresh ? index : s.first.at(s.digests[i]), fresh);
      }
      if (fresh) out.push_back(std::move(batch[i]));
    }
    return out;
  }

  // Exact dedup reports clusters too (a duplicate's cluster is its first occurrence); this keeps
  // a digest -> index table, 24 more bytes per distinct text.
  exact_stage& on_cluster(cluster_callback<T> cb) {
    st_->on_cluster = std::move(cb);
    return *this;
  }
  std::uint64_t seen() const { return st_->seen; }
  std::uint64_t kept() const { return st_->set.size(); }
  std::size_t memory_bytes() const { return st_->set.memory_bytes(); }

 private:
  struct state {
    state(exact_options o, A a) : opts(std::move(o)), access(std::move(a)) {}
    exact_options opts;
    A access;
    digest_set set;
    std::uint64_t seen = 0;
    detail::batch_texts<T, A> texts;
    std::vector<digest128> digests;
    cluster_callback<T> on_cluster;
    struct hash {
      std::size_t operator()(const digest128& d) const { return static_cast<std::size_t>(d.lo ^ (d.hi * 31)); }
    };
    std::unordered_map<digest128, std::uint64_t, hash> first;  // only with a cluster callback
  };
  std::shared_ptr<state> st_;
};

// mr::dedup::exact(options, accessor, "name"), or exact(options) for a stream of std::string.
template <class A>
  requires(!std::is_convertible_v<A, std::string>)
auto exact(exact_options o, A access, std::string name = "dedup.exact") {
  detail::check_accessor<A>();
  return millrace::stage(exact_stage<detail::accessor_record<A>, A>(std::move(o), std::move(access)), std::move(name));
}
inline auto exact(exact_options o = {}, std::string name = "dedup.exact") {
  return exact(std::move(o), detail::string_text{}, std::move(name));
}
// As exact(), with a cluster callback (see cluster_callback).
template <class A>
  requires(!std::is_convertible_v<A, std::string>)
auto exact(exact_options o, A access, cluster_callback<detail::accessor_record<A>> cb, std::string name = "dedup.exact") {
  detail::check_accessor<A>();
  exact_stage<detail::accessor_record<A>, A> s(std::move(o), std::move(access));
  s.on_cluster(std::move(cb));
  return millrace::stage(std::move(s), std::move(name));
}

// ---------------------------------------------------------------------------------------------
// Near, batch mode: signatures are computed as batches arrive; at the end (a barrier) the
// clusters are formed and the survivors leave in input order. Holds every record until then.
template <class T, class A>
class near_stage {
 public:
  near_stage(near_dedup_options o, A access, cluster_callback<T> cb)
      : st_(std::make_shared<state>(std::move(o), std::move(access), std::move(cb))) {}

  std::vector<T> process(std::vector<T>&& batch) {
    auto& s = *st_;
    s.texts.fill(batch, s.access);
    s.batch.add(s.texts.views);
    s.records.insert(s.records.end(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
    return {};
  }

  std::vector<T> finish() {
    auto& s = *st_;
    s.result = s.batch.finish();
    std::vector<T> out;
    std::size_t kept = 0;
    for (char k : s.result.kept) kept += k != 0;
    out.reserve(kept);
    for (std::size_t i = 0; i < s.records.size(); ++i) {
      if (s.on_cluster) s.on_cluster(s.records[i], s.result.cluster[i], s.result.kept[i] != 0);
      if (s.result.kept[i]) out.push_back(std::move(s.records[i]));
    }
    s.records.clear();
    s.records.shrink_to_fit();
    return out;
  }

  // After the run (pass the stage with std::ref, or keep a copy: copies share the state).
  const near_dedup_result& result() const { return st_->result; }
  lsh_params lsh() const { return st_->batch.lsh(); }

 private:
  struct state {
    state(near_dedup_options o, A a, cluster_callback<T> cb)
        : batch(std::move(o)), access(std::move(a)), on_cluster(std::move(cb)) {}
    near_dedup_batch batch;
    A access;
    cluster_callback<T> on_cluster;
    std::vector<T> records;
    detail::batch_texts<T, A> texts;
    near_dedup_result result;
  };
  std::shared_ptr<state> st_;
};

template <class A>
auto make_near_stage(near_dedup_options o, A access, cluster_callback<detail::accessor_record<A>> cb = {}) {
  detail::check_accessor<A>();
  return near_stage<detail::accessor_record<A>, A>(std::move(o), std::move(access), std::move(cb));
}

// mr::dedup::near(options, accessor[, cluster callback], "name"), or near(options) for std::string.
template <class A>
  requires(!std::is_convertible_v<A, std::string>)
auto near(near_dedup_options o, A access, cluster_callback<detail::accessor_record<A>> cb = {},
          std::string name = "dedup.near") {
  return millrace::stage(make_near_stage(std::move(o), std::move(access), std::move(cb)), std::move(name));
}
inline auto near(near_dedup_options o = {}, std::string name = "dedup.near") {
  return near(std::move(o), detail::string_text{}, {}, std::move(name));
}

// ---------------------------------------------------------------------------------------------
// Near, streaming mode: each batch is checked against the kept records (in input order) and its
// survivors leave at once; no barrier. max_index_docs bounds the index (0: unbounded).
template <class T, class A>
class near_streaming_stage {
 public:
  near_streaming_stage(near_dedup_options o, A access, std::size_t max_index_docs, cluster_callback<T> cb)
      : st_(std::make_shared<state>(std::move(o), std::move(access), max_index_docs, std::move(cb))) {}

  std::vector<T> process(std::vector<T>&& batch) {
    auto& s = *st_;
    s.texts.fill(batch, s.access);
    const std::uint64_t base = s.index.seen();
    s.index.process(s.texts.views, s.clusters);
    std::vector<T> out;
    out.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const bool kept = s.clusters[i] == base + i;
      if (s.on_cluster) s.on_cluster(batch[i], s.clusters[i], kept);
      if (kept) out.push_back(std::move(batch[i]));
    }
    return out;
  }

  const near_streaming_index& index() const { return st_->index; }

 private:
  struct state {
    state(near_dedup_options o, A a, std::size_t max_docs, cluster_callback<T> cb)
        : index(std::move(o), max_docs), access(std::move(a)), on_cluster(std::move(cb)) {}
    near_streaming_index index;
    A access;
    cluster_callback<T> on_cluster;
    detail::batch_texts<T, A> texts;
    std::vector<std::uint64_t> clusters;
  };
  std::shared_ptr<state> st_;
};

template <class A>
  requires(!std::is_convertible_v<A, std::string>)
auto near_streaming(near_dedup_options o, A access, std::size_t max_index_docs = 0,
                    cluster_callback<detail::accessor_record<A>> cb = {}, std::string name = "dedup.near_streaming") {
  detail::check_accessor<A>();
  return millrace::stage(near_streaming_stage<detail::accessor_record<A>, A>(std::move(o), std::move(access),
                                                                            max_index_docs, std::move(cb)),
                         std::move(name));
}
inline auto near_streaming(near_dedup_options o = {}, std::size_t max_index_docs = 0,
                           std::string name = "dedup.near_streaming") {
  return near_streaming(std::move(o), detail::string_text{}, max_index_docs, {}, std::move(name));
}

}  // namespace millrace::dedup

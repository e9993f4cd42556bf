// millrace/dedup/operators.hpp — pipeline operators for deduplication: mr::dedup::exact (a stage),
// mr::dedup::near (batch mode: a barrier that emits the survivors in input order) and
// mr::dedup::near_streaming (online index). Each stage object holds the state of one run by value
// (mr::stage's rule): running a pipeline twice gives the same result twice; std::ref(stage) keeps
// the state readable after the run.
//   auto job = src | mr::dedup::near({.threshold = 0.8}, [](const Doc& d) { return std::string_view(d.text); }) | sink;
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <millrace/core/compose.hpp>
#include <millrace/core/parallel.hpp>
#include <millrace/core/position.hpp>
#include <millrace/dedup/exact.hpp>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/dedup/near_streaming.hpp>
#include <millrace/dedup/detail/record_order.hpp>

namespace millrace::dedup {

/// Called once per input record, in input order, with its cluster id and whether it was kept.
/// The cluster id is the arrival index of the cluster's survivor: records are numbered from 0 in
/// the order they reach the (ordered) dedup stage, which for an in-memory source is the element
/// index and for file inputs read in order the record's ordinal in the whole input. The survivor
/// is the record with the smallest position when T is positioned (millrace/core/position.hpp), else
/// the first to arrive; a kept record's cluster is its own arrival index.
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
    millrace::parallel_for(0, batch.size(), 64, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        held[i] = std::invoke(access, batch[i]);
        views[i] = as_text(held[i]);
      }
    });
  }
};

struct string_text {
  std::string_view operator()(const std::string& s) const { return s; }
};

/// Instantiated when a dedup operator built without a text accessor (it reads std::string
/// records) follows a stage producing another record type: the message says what to add.
template <class Record>
struct dedup_needs_a_text_accessor {
  static_assert(millrace::detail::always_false<Record>,
                "millrace::dedup: this operator was built without a text accessor, so it reads std::string "
                "records, but the records here are the template argument; pass one that returns the text: "
                "dedup::near(options, [](const Record& r) { return std::string_view(r.text); })");
  using type = millrace::detail::invalid_record;
};

/// A dedup stage's refusal of In (see core/element.hpp): the missing accessor, when that is why.
template <class A, class In>
using accessor_refusal = std::conditional_t<std::is_same_v<A, string_text> && !std::is_same_v<In, std::string>,
                                            dedup_needs_a_text_accessor<In>, void>;

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
/// Exact: keeps the first record of each distinct (optionally normalized) text. "First" is the
/// smallest position when T is positioned (the stage checks that positions arrive in order, see
/// detail::position_order), else the first to arrive at this ordered stage (for an in-memory
/// source, the smallest element index). Its state (the digest set) is a value: every run starts
/// from the object as built; run it with std::ref(stage) to read seen()/kept() afterwards.
template <class T, class A>
class exact_stage {
 public:
  template <class In>
  using refusal = detail::accessor_refusal<A, In>;
  exact_stage(exact_options o, A access) : opts_(std::move(o)), access_(std::move(access)) {}

  /// One batch: digests its texts in parallel, then returns the first occurrences in order (calling the
  /// cluster callback, when set, for every record).
  std::vector<T> process(std::vector<T>&& batch) {
    if constexpr (positioned<T>)
      for (const T& r : batch) order_.check(r.position, "dedup.exact");
    texts_.fill(batch, access_);
    digests_.resize(batch.size());
    millrace::parallel_for(0, batch.size(), 64, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) digests_[i] = exact_digest(texts_.views[i], opts_);
    });
    std::vector<T> out;
    out.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const std::uint64_t index = seen_++;
      const bool fresh = set_.insert(digests_[i]);
      if (on_cluster_) {
        if (fresh) first_.emplace(digests_[i], index);
        on_cluster_(batch[i], fresh ? index : first_.at(digests_[i]), fresh);
      }
      if (fresh) out.push_back(std::move(batch[i]));
    }
    return out;
  }

  /// Exact dedup reports clusters too (a duplicate's cluster is its first occurrence, see
  /// cluster_callback); this keeps a digest -> arrival index table, 24 more bytes per distinct text.
  exact_stage& on_cluster(cluster_callback<T> cb) {
    on_cluster_ = std::move(cb);
    return *this;
  }
  /// Records processed (each record's arrival index is the count before it).
  std::uint64_t seen() const { return seen_; }
  /// Records kept: distinct digests seen.
  std::uint64_t kept() const { return set_.size(); }
  /// Bytes of the digest set (the cluster callback's table not included).
  std::size_t memory_bytes() const { return set_.memory_bytes(); }

 private:
  exact_options opts_;
  A access_;
  cluster_callback<T> on_cluster_;
  digest_set set_;
  std::uint64_t seen_ = 0;                                   // arrival index of the next record
  std::unordered_map<digest128, std::uint64_t, digest128_hash> first_;  // only with a cluster callback
  detail::position_order order_;
  detail::batch_texts<T, A> texts_;  // scratch, per batch
  std::vector<digest128> digests_;   // scratch, per batch
};

/// mr::dedup::exact(options, accessor, "name"), or exact(options) for a stream of std::string.
template <class A>
  requires(!std::is_convertible_v<A, std::string>)
auto exact(exact_options o, A access, std::string name = "dedup.exact") {
  detail::check_accessor<A>();
  return millrace::stage(exact_stage<detail::accessor_record<A>, A>(std::move(o), std::move(access)), std::move(name));
}
template <int N = 0>  // never given: instantiated only when called (millrace::detail::delayed_t)
auto exact(exact_options o = {}, std::string name = "dedup.exact") {
  return exact(std::move(o), millrace::detail::delayed_t<detail::string_text, N>{}, std::move(name));
}
/// As exact(), with a cluster callback (see cluster_callback).
template <class A>
  requires(!std::is_convertible_v<A, std::string>)
auto exact(exact_options o, A access, cluster_callback<detail::accessor_record<A>> cb, std::string name = "dedup.exact") {
  detail::check_accessor<A>();
  exact_stage<detail::accessor_record<A>, A> s(std::move(o), std::move(access));
  s.on_cluster(std::move(cb));
  return millrace::stage(std::move(s), std::move(name));
}

// ---------------------------------------------------------------------------------------------
/// Near, batch mode: signatures are computed as batches arrive; at the end (a barrier) the
/// clusters are formed and the survivors leave in input order. Holds every record until then.
/// The survivor of a cluster is its first record to arrive (the smallest position when T is
/// positioned: positions are checked to arrive in order). State by value, as exact_stage: run it
/// with std::ref(stage) to read result() afterwards.
template <class T, class A>
class near_stage {
 public:
  template <class In>
  using refusal = detail::accessor_refusal<A, In>;
  near_stage(near_dedup_options o, A access, cluster_callback<T> cb)
      : batch_(std::move(o)), access_(std::move(access)), on_cluster_(std::move(cb)) {}

  /// One batch: signs its texts and holds its records until finish(); passes nothing on yet.
  std::vector<T> process(std::vector<T>&& batch) {
    if constexpr (positioned<T>)
      for (const T& r : batch) order_.check(r.position, "dedup.near");
    texts_.fill(batch, access_);
    batch_.add(texts_.views);
    records_.insert(records_.end(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
    return {};
  }

  /// At the end of the stream: clusters every record held, calls the cluster callback for each, and
  /// returns the survivors in input order.
  std::vector<T> finish() {
    result_ = batch_.finish();
    std::vector<T> out;
    std::size_t kept = 0;
    for (char k : result_.kept) kept += k != 0;
    out.reserve(kept);
    for (std::size_t i = 0; i < records_.size(); ++i) {
      if (on_cluster_) on_cluster_(records_[i], result_.cluster[i], result_.kept[i] != 0);
      if (result_.kept[i]) out.push_back(std::move(records_[i]));
    }
    records_.clear();
    records_.shrink_to_fit();
    return out;
  }

  /// After a run with std::ref(stage): the clusters of that run (empty on a stage never run).
  const near_dedup_result& result() const { return result_; }
  /// The LSH banding in use.
  lsh_params lsh() const { return batch_.lsh(); }

 private:
  near_dedup_batch batch_;
  A access_;
  cluster_callback<T> on_cluster_;
  std::vector<T> records_;
  near_dedup_result result_;
  detail::position_order order_;
  detail::batch_texts<T, A> texts_;  // scratch, per batch
};

/// The near-dedup barrier stage object itself (for mr::stage(std::ref(s)) to read its result after the run).
template <class A>
auto make_near_stage(near_dedup_options o, A access, cluster_callback<detail::accessor_record<A>> cb = {}) {
  detail::check_accessor<A>();
  return near_stage<detail::accessor_record<A>, A>(std::move(o), std::move(access), std::move(cb));
}

/// mr::dedup::near(options, accessor[, cluster callback], "name"), or near(options) for std::string.
template <class A>
  requires(!std::is_convertible_v<A, std::string>)
auto near(near_dedup_options o, A access, cluster_callback<detail::accessor_record<A>> cb = {},
          std::string name = "dedup.near") {
  return millrace::stage(make_near_stage(std::move(o), std::move(access), std::move(cb)), std::move(name));
}
template <int N = 0>
auto near(near_dedup_options o = {}, std::string name = "dedup.near") {
  return near(std::move(o), millrace::detail::delayed_t<detail::string_text, N>{}, {}, std::move(name));
}

// ---------------------------------------------------------------------------------------------
/// Near, streaming mode: each batch is checked against the kept records (in input order) and its
/// survivors leave at once; no barrier. max_index_docs bounds the index (0: unbounded). Positioned
/// records must arrive in position order; state by value (std::ref(stage) to read index() after).
template <class T, class A>
class near_streaming_stage {
 public:
  template <class In>
  using refusal = detail::accessor_refusal<A, In>;
  near_streaming_stage(const near_streaming_options& o, A access, cluster_callback<T> cb)
      : index_(o), access_(std::move(access)), on_cluster_(std::move(cb)) {}
  near_streaming_stage(near_dedup_options o, A access, std::size_t max_index_docs, cluster_callback<T> cb)
      : index_(std::move(o), max_index_docs), access_(std::move(access)), on_cluster_(std::move(cb)) {}

  /// One batch: checks it against the index in input order and returns the records kept (calling the
  /// cluster callback for every record).
  std::vector<T> process(std::vector<T>&& batch) {
    if constexpr (positioned<T>)
      for (const T& r : batch) order_.check(r.position, "dedup.near_streaming");
    texts_.fill(batch, access_);
    const std::uint64_t base = index_.seen();
    index_.process(texts_.views, clusters_);
    std::vector<T> out;
    out.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const bool kept = clusters_[i] == base + i;
      if (on_cluster_) on_cluster_(batch[i], clusters_[i], kept);
      if (kept) out.push_back(std::move(batch[i]));
    }
    return out;
  }

  /// The online index (seen(), kept(), evicted(), ...): read it after a run with std::ref(stage).
  const near_streaming_index& index() const { return index_; }

 private:
  near_streaming_index index_;
  A access_;
  cluster_callback<T> on_cluster_;
  detail::position_order order_;
  detail::batch_texts<T, A> texts_;    // scratch, per batch
  std::vector<std::uint64_t> clusters_;  // scratch, per batch
};

/// Online near dedup against an index of kept documents (no barrier); o.max_index_docs bounds the
/// index (0: unbounded).
///   auto p = src | dd::near_streaming({.near = {.threshold = 0.8}, .max_index_docs = 1'000'000}, &Doc::text);
template <class A>
  requires(!std::is_convertible_v<A, std::string>)
auto near_streaming(near_streaming_options o, A access, cluster_callback<detail::accessor_record<A>> cb = {},
                    std::string name = "dedup.near_streaming") {
  detail::check_accessor<A>();
  return millrace::stage(near_streaming_stage<detail::accessor_record<A>, A>(o, std::move(access), std::move(cb)),
                         std::move(name));
}
/// The same on std::string records.
template <int N = 0>
auto near_streaming(near_streaming_options o = {}, std::string name = "dedup.near_streaming") {
  return near_streaming(o, millrace::detail::delayed_t<detail::string_text, N>{}, {}, std::move(name));
}

/// Old form, max_index_docs outside the options: near_streaming({.near = o, .max_index_docs = n}, access, cb, name).
template <std::same_as<near_dedup_options> O, class A>
  requires(!std::is_convertible_v<A, std::string>)
[[deprecated("pass near_streaming_options{.near = o, .max_index_docs = n} instead")]] auto near_streaming(
    O o, A access, std::size_t max_index_docs = 0, cluster_callback<detail::accessor_record<A>> cb = {},
    std::string name = "dedup.near_streaming") {
  detail::check_accessor<A>();
  return millrace::stage(near_streaming_stage<detail::accessor_record<A>, A>(
                             near_streaming_options{std::move(o), max_index_docs}, std::move(access), std::move(cb)),
                         std::move(name));
}
/// Old form on std::string records: near_streaming({.near = o, .max_index_docs = n}, name).
template <std::same_as<near_dedup_options> O>
[[deprecated("pass near_streaming_options{.near = o, .max_index_docs = n} instead")]] auto near_streaming(
    O o, std::size_t max_index_docs = 0, std::string name = "dedup.near_streaming") {
  return near_streaming(near_streaming_options{std::move(o), max_index_docs}, detail::string_text{}, {}, std::move(name));
}

}  // namespace millrace::dedup

// millrace/dedup/near_streaming.hpp — streaming near-dedup: an online LSH index of the kept
// documents, queried in input order. A document is dropped when it shares a band with a kept one
// (and, with verify, is similar enough).
//   near_streaming_index idx(opts); idx.process(batch_texts, cluster_ids);   // batch after batch
// This header declares; dedup/detail/near_streaming_impl.hpp defines.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <millrace/core/param.hpp>
#include <millrace/core/parallel.hpp>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/detail/config.hpp>

namespace millrace::dedup {

/// Options of streaming near dedup (dd::near_streaming, near_streaming_index): the near dedup
/// parameters plus the bound on the online index.
struct near_streaming_options {
  near_dedup_options near = {};    ///< shingles, MinHash, LSH bands, threshold, verify (near_dedup.hpp)
  std::size_t max_index_docs = 0;  ///< kept documents held in the index, oldest leave first; 0: all

  /// Module parameters: "near" (near_dedup_options' parameters, nested) and "max_index_docs".
  auto parameters() {
    return millrace::params(millrace::param("near", near, "near dedup parameters"),
                            millrace::param("max_index_docs", max_index_docs, "kept documents held in the index (0 = all)"));
  }
};

/// Differences from batch mode: a document is compared only with the kept documents (a duplicate of
/// a dropped document that is not itself similar to any kept one survives), and with max_index_docs
/// the oldest kept documents leave the index (memory: bands x ~40 bytes per indexed document, plus
/// its shingle set with verify). Deterministic: the parallel part (signatures) is order-free and the
/// index is updated serially in input order.
class near_streaming_index {
 public:
  explicit near_streaming_index(near_dedup_options o, std::size_t max_index_docs = 0);
  /// The same from one options struct.
  explicit near_streaming_index(const near_streaming_options& o) : near_streaming_index(o.near, o.max_index_docs) {}

  /// The near-dedup options the index was built with.
  const near_dedup_options& options() const { return o_; }
  /// The LSH banding in use (options().resolved_lsh()).
  lsh_params lsh() const { return lsh_; }
  /// Documents processed so far (the next document's global number).
  std::uint64_t seen() const { return seen_; }
  /// Kept documents now in the index (at most max_index_docs when that is set).
  std::size_t index_size() const { return ring_.size(); }
  /// Kept documents that have left the index to stay within max_index_docs.
  std::uint64_t evicted() const { return evicted_; }

  /// Documents get global numbers seen(), seen()+1, ...; cluster_out (resized to texts.size())
  /// receives for each its own number if kept, else the number of the kept document it duplicates.
  void process(std::span<const std::string_view> texts, std::vector<std::uint64_t>& cluster_out);

  /// Documents kept and indexed so far; documents without shingles are kept too but not counted.
  std::uint64_t kept() const { return kept_; }

 private:
  struct entry {
    std::uint64_t doc;
    std::vector<std::uint64_t> keys;
  };

  void insert(std::uint64_t doc, std::size_t i);

  near_dedup_options o_;
  lsh_params lsh_;
  minhasher mh_;
  std::size_t max_docs_;
  std::vector<std::unordered_map<std::uint64_t, std::uint64_t>> maps_;  // per band: key -> kept doc
  std::deque<entry> ring_;  // kept documents still indexed, oldest first
  std::unordered_map<std::uint64_t, std::vector<std::uint64_t>> kept_sets_;  // only with verify
  std::uint64_t seen_ = 0, kept_ = 0, evicted_ = 0;
  std::vector<std::uint64_t> keys_;
  std::vector<char> nonempty_;
  std::vector<std::vector<std::uint64_t>> sets_;
  millrace::per_thread<detail::shingle_scratch> scratch_;
};

}  // namespace millrace::dedup

#if MILLRACE_HEADER_ONLY
#include <millrace/dedup/detail/near_streaming_impl.hpp>
#endif

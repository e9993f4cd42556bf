// millrace/dedup/detail/near_streaming_impl.hpp — near_streaming_index's definitions
// (dedup/near_streaming.hpp declares). Included by dedup/near_streaming.hpp in header-only mode,
// compiled once into millrace::compiled (src/dedup.cpp) otherwise.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include <millrace/core/parallel.hpp>
#include <millrace/dedup/jaccard.hpp>
#include <millrace/dedup/lsh.hpp>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/dedup/near_streaming.hpp>
#include <millrace/detail/config.hpp>

namespace millrace::dedup {

MILLRACE_INLINE near_streaming_index::near_streaming_index(near_dedup_options o, std::size_t max_index_docs)
    : o_(std::move(o)), lsh_(o_.resolved_lsh()), mh_({o_.num_perm, o_.seed, o_.family}), max_docs_(max_index_docs),
      maps_(lsh_.bands) {
  check_lsh(o_.num_perm, lsh_);
}

MILLRACE_INLINE void near_streaming_index::process(std::span<const std::string_view> texts, std::vector<std::uint64_t>& cluster_out) {
  const std::size_t n = texts.size(), b = lsh_.bands;
  keys_.resize(n * b);
  nonempty_.resize(n);
  if (o_.verify) sets_.resize(n);
  millrace::parallel_for(0, n, 16, [&](std::size_t lo, std::size_t hi) {
    auto& s = scratch_.local();
    s.sig.resize(o_.num_perm);
    for (std::size_t i = lo; i < hi; ++i) {
      detail::shingle_hashes(texts[i], o_, s.norm, s.hashes);
      nonempty_[i] = !s.hashes.empty();
      mh_.sign(s.hashes, s.sig);
      for (std::size_t band = 0; band < b; ++band) keys_[i * b + band] = band_key(s.sig, band, lsh_.rows);
      if (o_.verify) {
        std::sort(s.hashes.begin(), s.hashes.end());
        s.hashes.erase(std::unique(s.hashes.begin(), s.hashes.end()), s.hashes.end());
        sets_[i].assign(s.hashes.begin(), s.hashes.end());
      }
    }
  });
  cluster_out.resize(n);
  std::vector<std::uint64_t> cands;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t doc = seen_++;
    cluster_out[i] = doc;
    if (!nonempty_[i]) continue;  // no shingles: alone, not indexed
    cands.clear();
    for (std::size_t band = 0; band < b; ++band) {
      auto it = maps_[band].find(keys_[i * b + band]);
      if (it != maps_[band].end()) cands.push_back(it->second);
    }
    std::sort(cands.begin(), cands.end());
    cands.erase(std::unique(cands.begin(), cands.end()), cands.end());
    bool dup = false;
    for (std::uint64_t c : cands) {  // smallest matching kept document first
      if (o_.verify && exact_jaccard(sets_[i], kept_sets_.at(c)) < o_.threshold) continue;
      cluster_out[i] = c;
      dup = true;
      break;
    }
    if (dup) continue;
    ++kept_;
    insert(doc, i);
  }
}

MILLRACE_INLINE void near_streaming_index::insert(std::uint64_t doc, std::size_t i) {
  const std::size_t b = lsh_.bands;
  entry e{doc, std::vector<std::uint64_t>(keys_.begin() + static_cast<std::ptrdiff_t>(i * b),
                                          keys_.begin() + static_cast<std::ptrdiff_t>((i + 1) * b))};
  // With verify a kept document may share a key with an earlier kept one: the earlier stays.
  for (std::size_t band = 0; band < b; ++band) maps_[band].try_emplace(e.keys[band], doc);
  if (o_.verify) kept_sets_.emplace(doc, std::move(sets_[i]));
  ring_.push_back(std::move(e));
  if (max_docs_ && ring_.size() > max_docs_) {
    const entry& old = ring_.front();
    for (std::size_t band = 0; band < b; ++band) {
      auto it = maps_[band].find(old.keys[band]);
      if (it != maps_[band].end() && it->second == old.doc) maps_[band].erase(it);
    }
    kept_sets_.erase(old.doc);
    ring_.pop_front();
    ++evicted_;
  }
}

}  // namespace millrace::dedup

// millrace/dedup/detail/near_dedup_impl.hpp — batch near-dedup's definitions: the presets, the
// shingling as near_dedup sees it, near_dedup_batch (signing, banding, checking, clustering) and
// near_dedup (dedup/near_dedup.hpp declares). Included by dedup/near_dedup.hpp in header-only
// mode, compiled once into millrace::compiled (src/dedup.cpp) otherwise.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <millrace/core/parallel.hpp>
#include <millrace/dedup/jaccard.hpp>
#include <millrace/dedup/lsh.hpp>
#include <millrace/dedup/minhash.hpp>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/dedup/signature_check.hpp>
#include <millrace/dedup/union_find.hpp>
#include <millrace/detail/config.hpp>
#include <millrace/text/normalize.hpp>
#include <millrace/text/shingle.hpp>

namespace millrace::dedup {

MILLRACE_INLINE near_dedup_options near_dedup_options::preset(std::string_view name) {
  near_dedup_options o;
  if (name == "datatrove") {
    o.num_perm = 112;
    o.ngram = 5;
    o.shingle = shingle_kind::word;
    o.lsh = lsh_params{14, 8};
    o.threshold = 0.72;  // the S-curve midpoint (1/14)^(1/8) of 14 x 8
  } else if (name == "nemo") {
    o.num_perm = 260;
    o.ngram = 24;
    o.shingle = shingle_kind::character;
    o.lsh = lsh_params{20, 13};
    o.threshold = 0.8;  // NeMo Curator's jaccard_threshold; (1/20)^(1/13) = 0.79
  } else {
    throw std::invalid_argument("near_dedup_options::preset: unknown preset '" + std::string(name) +
                                "' (known: datatrove, nemo)");
  }
  return o;
}

MILLRACE_INLINE lsh_params near_dedup_options::resolved_lsh() const { return lsh ? *lsh : choose_lsh_params(threshold, num_perm); }

namespace detail {

MILLRACE_INLINE void shingle_hashes(std::string_view text, const near_dedup_options& o, std::string& norm_buf,
                    std::vector<std::uint64_t>& out) {
  std::string_view t = text;
  if (o.normalize) {
    text::normalize_into(text, norm_buf);
    t = norm_buf;
  }
  if (o.shingle == shingle_kind::word) text::word_shingle_hashes(t, o.ngram, out);
  else text::char_shingle_hashes(t, o.ngram, out);
}

}  // namespace detail

MILLRACE_INLINE std::vector<std::uint64_t> shingle_set(std::string_view text, const near_dedup_options& opts) {
  std::string norm;
  std::vector<std::uint64_t> h;
  detail::shingle_hashes(text, opts, norm, h);
  std::sort(h.begin(), h.end());
  h.erase(std::unique(h.begin(), h.end()), h.end());
  return h;
}

MILLRACE_INLINE near_dedup_batch::near_dedup_batch(near_dedup_options o)
    : o_(std::move(o)), lsh_(o_.resolved_lsh()), mh_({o_.num_perm, o_.seed, o_.family}) {
  if (!(o_.threshold > 0.0 && o_.threshold <= 1.0)) throw std::invalid_argument("near_dedup: threshold must be in (0, 1]");
  check_lsh(o_.num_perm, lsh_);
  // With verify the exact Jaccard decides every pair, and stays exact: the estimate would only
  // lose pairs that verification accepts.
  if (o_.verify) o_.check_signatures = false;
  if (o_.check_signatures) check_ = signature_check(o_.num_perm, o_.threshold);
}

// (out of line: the special members of a class with a dozen vectors are worth compiling once)
MILLRACE_INLINE near_dedup_batch::near_dedup_batch(const near_dedup_batch&) = default;
MILLRACE_INLINE near_dedup_batch& near_dedup_batch::operator=(const near_dedup_batch&) = default;
MILLRACE_INLINE near_dedup_batch::near_dedup_batch(near_dedup_batch&&) noexcept = default;
MILLRACE_INLINE near_dedup_batch& near_dedup_batch::operator=(near_dedup_batch&&) noexcept = default;
MILLRACE_INLINE near_dedup_batch::~near_dedup_batch() = default;

MILLRACE_INLINE void near_dedup_batch::add(std::span<const std::string_view> texts) {
  const std::size_t base = nonempty_.size(), n = texts.size(), b = lsh_.bands;
  if (base + n > 0xFFFFFFFEull) throw std::length_error("near_dedup: more than 2^32 - 2 documents");
  keys_.resize((base + n) * b);
  nonempty_.resize(base + n);
  if (o_.verify) sets_.resize(base + n);
  const std::size_t w = check_.words();
  if (o_.check_signatures) sketches_.resize((base + n) * w);
  millrace::parallel_for(0, n, 16, [&](std::size_t lo, std::size_t hi) {
    auto& s = scratch_.local();
    s.sig.resize(o_.num_perm);
    for (std::size_t i = lo; i < hi; ++i) {
      detail::shingle_hashes(texts[i], o_, s.norm, s.hashes);
      const std::size_t d = base + i;
      nonempty_[d] = !s.hashes.empty();
      mh_.sign(s.hashes, s.sig);
      for (std::size_t band = 0; band < b; ++band) keys_[d * b + band] = band_key(s.sig, band, lsh_.rows);
      if (o_.check_signatures) check_.sketch(s.sig, sketches_.data() + d * w);
      if (o_.verify) {
        std::sort(s.hashes.begin(), s.hashes.end());
        s.hashes.erase(std::unique(s.hashes.begin(), s.hashes.end()), s.hashes.end());
        sets_[d].assign(s.hashes.begin(), s.hashes.end());
      }
    }
  });
}

MILLRACE_INLINE void near_dedup_batch::add(std::string_view text) { add(std::span<const std::string_view>(&text, 1)); }

MILLRACE_INLINE near_dedup_result near_dedup_batch::finish() const {
  const std::size_t n = nonempty_.size(), b = lsh_.bands;
  const bool filtered = o_.verify || o_.check_signatures;  // edges can be dropped: heads keep chains connected
  std::vector<std::vector<doc_edge>> per_band(b), heads_per_band(filtered ? b : 0);
  millrace::parallel_for(0, b, 1, [&](std::size_t band_lo, std::size_t band_hi) {
    std::vector<band_entry> e;
    for (std::size_t band = band_lo; band < band_hi; ++band) {
      e.clear();
      e.reserve(n);
      for (std::size_t d = 0; d < n; ++d)
        if (nonempty_[d]) e.push_back({keys_[d * b + band], static_cast<std::uint32_t>(d)});
      std::sort(e.begin(), e.end());
      link_band(e, per_band[band]);
      if (filtered) link_band_heads(e, heads_per_band[band]);
    }
  });
  auto merge = [](std::vector<std::vector<doc_edge>>& parts) {
    std::vector<doc_edge> all;
    std::size_t total = 0;
    for (auto& v : parts) total += v.size();
    all.reserve(total);
    for (auto& v : parts) all.insert(all.end(), v.begin(), v.end());
    parts.clear();
    millrace::parallel_sort(all.begin(), all.end());  // (a, b) is a total order: std::sort's result
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return all;
  };
  std::vector<doc_edge> edges = merge(per_band);

  near_dedup_result res;
  res.candidate_edges = edges.size();
  if (filtered) {
    // Head pairs that are not already chain pairs: checked too, counted apart.
    std::vector<doc_edge> heads = merge(heads_per_band), extra;
    std::set_difference(heads.begin(), heads.end(), edges.begin(), edges.end(), std::back_inserter(extra));
    const std::size_t chain = edges.size();
    edges.insert(edges.end(), extra.begin(), extra.end());
    std::vector<char> ok(edges.size());  // 0 passed, 1 dropped by the check, 2 by verification
    const std::size_t w = check_.words();
    millrace::parallel_for(0, edges.size(), 256, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t i = lo; i < hi; ++i) {
        const auto [x, y] = edges[i];
        if (o_.check_signatures && !check_.keep(sketches_.data() + std::size_t(x) * w, sketches_.data() + std::size_t(y) * w))
          ok[i] = 1;
        else if (o_.verify && exact_jaccard(sets_[x], sets_[y]) < o_.threshold)
          ok[i] = 2;
      }
    });
    std::size_t k = 0;
    for (std::size_t i = 0; i < edges.size(); ++i) {
      if (ok[i] == 1) ++res.check_dropped;
      if (ok[i] == 2) ++res.verify_dropped;
      if (ok[i]) continue;
      (i < chain ? res.verified_edges : res.head_edges) += 1;
      edges[k++] = edges[i];
    }
    edges.resize(k);
  } else {
    res.verified_edges = edges.size();
  }
  res.cluster = connected_components(n, edges);
  res.kept.resize(n);
  for (std::size_t i = 0; i < n; ++i) res.kept[i] = res.cluster[i] == i;
  return res;
}

MILLRACE_INLINE near_dedup_result near_dedup(std::span<const std::string_view> texts, const near_dedup_options& opts) {
  near_dedup_batch batch(opts);
  batch.add(texts);
  return batch.finish();
}

}  // namespace millrace::dedup

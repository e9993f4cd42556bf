// millrace/augment/masking.hpp — token masking (BERT-style, whole whitespace tokens) and T5-style
// span corruption with sentinel tokens; span corruption also returns the target sequence a model
// should reconstruct. Example: auto target = millrace::augment::span_corrupt(tokens, r, 0.15, 3.0,
// "<extra_id_{}>");
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <millrace/augment/rng.hpp>
#include <millrace/augment/tokens.hpp>

namespace millrace::augment {

/// Replaces each token with the mask token with probability rate.
inline std::size_t mask_tokens(token_list& t, rng& r, double rate, bool at_least_one, std::string_view mask) {
  std::size_t edits = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (r.bernoulli(rate)) {
      t.set_text(i, mask);
      ++edits;
    }
  }
  if (edits == 0 && at_least_one && !t.empty()) {
    t.set_text(r.below(t.size()), mask);
    edits = 1;
  }
  return edits;
}

namespace detail {
// Sentinel text: the format with "{}" replaced by the span number.
inline std::string sentinel(std::string_view format, std::size_t k) {
  std::string s(format);
  if (auto at = s.find("{}"); at != std::string::npos) s.replace(at, 2, std::to_string(k));
  return s;
}

// Splits m items into s non-empty segments uniformly at random (T5's _random_segmentation):
// the s-1 cut points are a uniform (s-1)-subset of the m-1 gaps, by a partial Fisher-Yates shuffle.
inline std::vector<std::size_t> random_segmentation(std::size_t m, std::size_t s, rng& r) {
  std::vector<std::size_t> gaps(m - 1);
  for (std::size_t i = 0; i < gaps.size(); ++i) gaps[i] = i + 1;
  for (std::size_t i = 0; i + 1 < s; ++i) std::swap(gaps[i], gaps[i + r.below(gaps.size() - i)]);
  std::vector<std::size_t> cuts(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(s - 1));
  std::sort(cuts.begin(), cuts.end());
  std::vector<std::size_t> lengths;
  std::size_t prev = 0;
  for (std::size_t c : cuts) {
    lengths.push_back(c - prev);
    prev = c;
  }
  lengths.push_back(m - prev);
  return lengths;
}
}  // namespace detail

/// What span_corrupt did: how many tokens became noise, in how many spans.
struct span_corruption_result {
  std::size_t noise_tokens = 0, spans = 0;   ///< tokens replaced by sentinels; noise spans (sentinels)
  std::string target;   ///< "<extra_id_0> a b <extra_id_1> c <extra_id_2>"
};

/// T5 span corruption: round(n * density) noise tokens (at least 1, at most n - 1) in
/// round(noise / mean_span) spans, alternating with kept spans, the text starting with a kept span;
/// each noise span becomes one sentinel. Texts with fewer than 2 tokens are left alone.
inline span_corruption_result span_corrupt(token_list& t, rng& r, double density, double mean_span,
                                           std::string_view sentinel_format) {
  span_corruption_result res;
  const std::size_t n = t.size();
  if (n < 2) return res;
  std::size_t noise = static_cast<std::size_t>(std::llround(static_cast<double>(n) * density));
  noise = std::clamp<std::size_t>(noise, 1, n - 1);
  std::size_t spans = static_cast<std::size_t>(std::llround(static_cast<double>(noise) / std::max(mean_span, 1.0)));
  spans = std::clamp<std::size_t>(spans, 1, std::min(noise, n - noise));
  const auto noise_len = detail::random_segmentation(noise, spans, r);
  const auto keep_len = detail::random_segmentation(n - noise, spans, r);
  // Rebuild: kept span, sentinel, kept span, sentinel, ... (a sentinel takes its span's whitespace)
  std::vector<token> out;
  out.reserve(n - noise + spans);
  std::size_t at = 0;
  for (std::size_t s = 0; s < spans; ++s) {
    for (std::size_t i = 0; i < keep_len[s]; ++i, ++at) out.push_back(t[at]);
    const std::string_view sent = t.own(detail::sentinel(sentinel_format, s));
    out.push_back({t[at].ws, sent});
    res.target += sent;
    for (std::size_t i = 0; i < noise_len[s]; ++i, ++at) {
      res.target += ' ';
      res.target += t[at].text;
    }
    res.target += ' ';
  }
  res.target += detail::sentinel(sentinel_format, spans);
  res.noise_tokens = noise;
  res.spans = spans;
  t.set_tokens(std::move(out));
  return res;
}

}  // namespace millrace::augment

// millrace/cuda/masking.hpp — token masking and T5 span corruption decisions as MILLRACE_HD
// functions, drawing the same numbers as augment::mask_tokens / span_corrupt with the same
// augment::rng coordinates (the host rebuilds the text from the decisions).
//   millrace::cuda::device_rng r(seed, key, variant, stream); millrace::cuda::mask_flags(r, n, 0.15, true, flags);
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include <millrace/augment/rng.hpp>
#include <millrace/core/random.hpp>
#include <millrace/detail/host_device.hpp>

namespace millrace::cuda {

/// augment::rng itself (host and device code), under the name the device functions use.
using device_rng = millrace::augment::rng;

/// flags[i] = 1 where augment::mask_tokens replaces token i (n tokens); returns the edit count.
MILLRACE_HD inline std::size_t mask_flags(device_rng& r, std::size_t n, double rate, bool at_least_one, char* flags) {
  std::size_t edits = 0;
  for (std::size_t i = 0; i < n; ++i) {
    flags[i] = r.bernoulli(rate) ? 1 : 0;
    edits += static_cast<std::size_t>(flags[i]);
  }
  if (edits == 0 && at_least_one && n > 0) {
    flags[r.below(n)] = 1;
    edits = 1;
  }
  return edits;
}

namespace detail {
// augment::detail::random_segmentation into lengths[0..s): gaps needs m - 1 slots.
MILLRACE_HD inline void random_segmentation(std::size_t m, std::size_t s, device_rng& r, std::size_t* gaps,
                                            std::size_t* lengths) {
  const std::size_t g = m - 1;
  for (std::size_t i = 0; i < g; ++i) gaps[i] = i + 1;
  for (std::size_t i = 0; i + 1 < s; ++i) {
    const std::size_t j = i + r.below(g - i);
    const std::size_t t = gaps[i];
    gaps[i] = gaps[j];
    gaps[j] = t;
  }
  // Insertion sort of the s - 1 cuts: one document per thread, spans are few.
  for (std::size_t i = 1; i + 1 < s; ++i)
    for (std::size_t k = i; k > 0 && gaps[k - 1] > gaps[k]; --k) {
      const std::size_t t = gaps[k];
      gaps[k] = gaps[k - 1];
      gaps[k - 1] = t;
    }
  std::size_t prev = 0;
  for (std::size_t i = 0; i + 1 < s; ++i) {
    lengths[i] = gaps[i] - prev;
    prev = gaps[i];
  }
  lengths[s - 1] = m - prev;
}
}  // namespace detail

/// augment::span_corrupt's plan for n tokens: returns the span count s (0 when n < 2) and writes
/// noise_len[0..s), keep_len[0..s) (the text is kept span, sentinel, kept span, ...); *noise gets
/// the noise token count. scratch needs n slots; noise_len and keep_len n each.
MILLRACE_HD inline std::size_t span_plan(device_rng& r, std::size_t n, double density, double mean_span,
                                         std::size_t* scratch, std::size_t* noise_len, std::size_t* keep_len,
                                         std::size_t* noise) {
  *noise = 0;
  if (n < 2) return 0;
  std::size_t k = static_cast<std::size_t>(llround(static_cast<double>(n) * density));
  k = k < 1 ? 1 : (k > n - 1 ? n - 1 : k);
  std::size_t s = static_cast<std::size_t>(llround(static_cast<double>(k) / (mean_span > 1.0 ? mean_span : 1.0)));
  const std::size_t cap = k < n - k ? k : n - k;
  s = s < 1 ? 1 : (s > cap ? cap : s);
  detail::random_segmentation(k, s, r, scratch, noise_len);
  detail::random_segmentation(n - k, s, r, scratch, keep_len);
  *noise = k;
  return s;
}

}  // namespace millrace::cuda

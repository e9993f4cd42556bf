// millrace/llm/detail/backoff.hpp — the retry schedule: exponential backoff with jitter that is a
// pure function of (seed, request key, attempt), so a rerun waits exactly as the first run did.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

#include <millrace/core/random.hpp>

namespace millrace::llm::detail {

using millrace::splitmix64_mix;

/// Delay before retry number `attempt` (1 = the first retry): d = min(max, base * 2^(attempt-1)),
/// then a jittered value in [d/2, d] (equal jitter: spread out, never below half the backoff);
/// at least retry_after when the server sent Retry-After.
inline std::chrono::milliseconds backoff_delay(std::chrono::milliseconds base, std::chrono::milliseconds max,
                                               std::uint64_t seed, std::uint64_t key, int attempt,
                                               std::chrono::milliseconds retry_after = std::chrono::milliseconds{0}) {
  const int shift = std::clamp(attempt - 1, 0, 30);
  const double d = std::min<double>(double(max.count()), double(base.count()) * double(std::uint64_t{1} << shift));
  const double u = double(splitmix64_mix(seed ^ splitmix64_mix(key ^ std::uint64_t(attempt))) >> 11) * 0x1.0p-53;
  const auto jittered = std::chrono::milliseconds(std::int64_t(d / 2 + u * d / 2));
  return std::max(jittered, retry_after);
}

}  // namespace millrace::llm::detail

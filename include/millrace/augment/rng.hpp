// millrace/augment/rng.hpp — counter-based random streams for augmentation: each (seed, record key,
// variant, stream) gets its own generator, so results never depend on thread count or scheduling
// (no shared RNG). The generator is the project's one (millrace/core/random.hpp); this names its
// coordinates. Example: millrace::augment::rng r(seed, record_index, variant, 0); if
// (r.bernoulli(0.1)) ...
#pragma once

#include <cstdint>

#include <millrace/core/random.hpp>
#include <millrace/detail/host_device.hpp>

namespace millrace::augment {

/// splitmix64 (millrace::splitmix64) whose starting state is a hash of its coordinates. Host and
/// device code (the GPU masking draws the same numbers through it: cuda::device_rng).
class rng : public millrace::splitmix64 {
 public:
  MILLRACE_HD constexpr rng(std::uint64_t seed, std::uint64_t key, std::uint64_t variant, std::uint64_t stream)
      : millrace::splitmix64(millrace::random_stream(seed, key, variant, stream)) {}
};

}  // namespace millrace::augment

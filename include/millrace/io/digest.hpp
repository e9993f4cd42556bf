// millrace/io/digest.hpp — millrace::io::digest128_hasher: streaming XXH3-128 with a lowercase hex form
// (as `xxhsum -H2` prints).
//   millrace::io::digest128_hasher d; d.update(bytes); std::string hex = d.hex();
#pragma once

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include <millrace/core/digest128.hpp>

#include <string>
#include <string_view>

namespace millrace::io {

/// Streaming xxh3-128 of the bytes given to update(); its value is a millrace::digest128 (the
/// hasher has its own name so that the value type's is not shadowed inside millrace::io).
class digest128_hasher {
 public:
  digest128_hasher() { reset(); }
  /// Starts over, as if no byte had been given.
  void reset() { XXH3_128bits_reset(&st_); }
  /// Adds the bytes of `s` to the digest.
  void update(std::string_view s) { XXH3_128bits_update(&st_, s.data(), s.size()); }
  /// The digest of the bytes so far.
  millrace::digest128 value() const {
    const XXH128_hash_t h = XXH3_128bits_digest(&st_);
    return {h.low64, h.high64};
  }
  /// The digest of the bytes so far as 32 lowercase hex digits (xxh3's canonical form).
  std::string hex() const { return to_hex(value()); }

 private:
  XXH3_state_t st_;
};

/// The former name of digest128_hasher (kept for one release).
using digest128 [[deprecated("use io::digest128_hasher (millrace::digest128 is the value type)")]] = digest128_hasher;

/// The xxh3-128 of `s` as 32 lowercase hex digits.
inline std::string digest128_hex(std::string_view s) {
  digest128_hasher d;
  d.update(s);
  return d.hex();
}

}  // namespace millrace::io

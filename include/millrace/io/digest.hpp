// millrace::io::digest128: streaming XXH3-128 with a lowercase hex form (as `xxhsum -H2` prints).
//   millrace::io::digest128 d; d.update(bytes); std::string hex = d.hex();
#pragma once

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include <string>
#include <string_view>

namespace millrace::io {

class digest128 {
 public:
  digest128() { reset(); }
  void reset() { XXH3_128bits_reset(&st_); }
  void update(std::string_view s) { XXH3_128bits_update(&st_, s.data(), s.size()); }
  std::string hex() const {
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits_digest(&st_));
    static constexpr char d[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : c.digest) { out += d[b >> 4]; out += d[b & 15]; }
    return out;
  }

 private:
  XXH3_state_t st_;
};

inline std::string digest128_hex(std::string_view s) {
  digest128 d;
  d.update(s);
  return d.hex();
}

}  // namespace millrace::io

// millrace/core/digest128.hpp — millrace::digest128: the one 128-bit digest value (xxh3-128 of some
// bytes) that exact dedup, span dedup, the augmenter's exact guard and the manifests' hex digests
// share. No hashing here: dedup::exact_digest and io::digest128_hasher (streaming, io/digest.hpp) produce
// it.
//   millrace::digest128 d = millrace::dedup::exact_digest(text); std::string s = millrace::to_hex(d);
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>

namespace millrace {

/// A 128-bit digest as xxh3-128 returns it: low and high 64-bit halves.
struct digest128 {
  std::uint64_t lo = 0, hi = 0;  ///< low and high 64-bit halves of the digest
  friend bool operator==(const digest128&, const digest128&) = default;
  friend auto operator<=>(const digest128&, const digest128&) = default;
};

/// Hash functor for unordered containers of digests (the digest is already uniform: fold it).
struct digest128_hash {
  std::size_t operator()(const digest128& d) const noexcept {
    return static_cast<std::size_t>(d.lo ^ (d.hi * 0x9e3779b97f4a7c15ULL));
  }
};

/// The digest as 32 lowercase hex digits, high half first (xxh3's canonical form, as `xxhsum -H2`).
inline std::string to_hex(const digest128& d) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[15 - i] = digits[(d.hi >> (4 * i)) & 15];
    out[31 - i] = digits[(d.lo >> (4 * i)) & 15];
  }
  return out;
}

}  // namespace millrace

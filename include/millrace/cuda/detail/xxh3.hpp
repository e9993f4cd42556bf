// millrace/cuda/detail/xxh3.hpp — XXH3-64 (any seed) and XXH3-128 (seed 0) as MILLRACE_HD
// functions, so device code hashes exactly like xxhash.h on the host: a scalar port of xxHash
// 0.8's reference code (BSD-2-Clause, Yann Collet), checked bit for bit by tests/gpu.
//   std::uint64_t h = millrace::cuda::detail::xxh3_64(bytes, n, 0);   // == XXH3_64bits(bytes, n)
#pragma once

#include <cstddef>
#include <cstdint>

#include <millrace/detail/host_device.hpp>

namespace millrace::cuda::detail {

/// A 128-bit XXH3 result, as XXH128_hash_t.
struct xxh128 {
  std::uint64_t lo, hi;
};

namespace xxh {
inline constexpr std::uint64_t p32_1 = 0x9E3779B1U, p32_2 = 0x85EBCA77U, p32_3 = 0xC2B2AE3DU;
inline constexpr std::uint64_t p64_1 = 0x9E3779B185EBCA87ULL, p64_2 = 0xC2B2AE3D27D4EB4FULL,
                               p64_3 = 0x165667B19E3779F9ULL, p64_4 = 0x85EBCA77C2B2AE63ULL,
                               p64_5 = 0x27D4EB2F165667C5ULL;
inline constexpr std::size_t secret_size = 192, stripe = 64, consume_rate = 8;

// The default secret (XXH3_kSecret): in constant memory on the device, .rodata on the host.
#define MILLRACE_XXH3_SECRET_BYTES \
  0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c, \
  0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f, \
  0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21, \
  0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c, \
  0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3, \
  0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8, \
  0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d, \
  0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64, \
  0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb, \
  0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e, \
  0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce, \
  0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e
#if defined(__CUDACC__)
static __constant__ std::uint8_t device_secret[secret_size] = {MILLRACE_XXH3_SECRET_BYTES};
#endif
inline constexpr std::uint8_t host_secret[secret_size] = {MILLRACE_XXH3_SECRET_BYTES};
#undef MILLRACE_XXH3_SECRET_BYTES
MILLRACE_HD inline const std::uint8_t* default_secret() {
#if defined(__CUDA_ARCH__)
  return device_secret;
#else
  return host_secret;
#endif
}

// Little-endian loads byte by byte: no alignment assumption, the same on host and device.
MILLRACE_HD inline std::uint32_t le32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}
MILLRACE_HD inline std::uint64_t le64(const std::uint8_t* p) {
  return std::uint64_t(le32(p)) | std::uint64_t(le32(p + 4)) << 32;
}

/// A secret derived from a seed (XXH3_initCustomSecret): only long seeded inputs need one.
struct secret_t {
  std::uint8_t b[secret_size];
  MILLRACE_HD void derive(std::uint64_t seed) {
    const std::uint8_t* k = default_secret();
    for (std::size_t i = 0; i < secret_size / 16; ++i) {
      store(b + 16 * i, le64(k + 16 * i) + seed);
      store(b + 16 * i + 8, le64(k + 16 * i + 8) - seed);
    }
  }
  MILLRACE_HD static void store(std::uint8_t* p, std::uint64_t v) {
    for (int j = 0; j < 8; ++j) p[j] = static_cast<std::uint8_t>(v >> (8 * j));
  }
};

MILLRACE_HD inline std::uint64_t swap64(std::uint64_t x) {
  return ((x << 56) & 0xff00000000000000ULL) | ((x << 40) & 0x00ff000000000000ULL) |
         ((x << 24) & 0x0000ff0000000000ULL) | ((x << 8) & 0x000000ff00000000ULL) |
         ((x >> 8) & 0x00000000ff000000ULL) | ((x >> 24) & 0x0000000000ff0000ULL) |
         ((x >> 40) & 0x000000000000ff00ULL) | ((x >> 56) & 0x00000000000000ffULL);
}
MILLRACE_HD inline std::uint32_t swap32(std::uint32_t x) {
  return ((x << 24) & 0xff000000) | ((x << 8) & 0x00ff0000) | ((x >> 8) & 0x0000ff00) | ((x >> 24) & 0x000000ff);
}
MILLRACE_HD inline std::uint64_t rotl64(std::uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
MILLRACE_HD inline std::uint32_t rotl32(std::uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

MILLRACE_HD inline xxh128 mult64to128(std::uint64_t a, std::uint64_t b) {
#if defined(__CUDA_ARCH__)
  return {a * b, __umul64hi(a, b)};
#else
  __extension__ using u128 = unsigned __int128;
  const u128 p = u128(a) * b;
  return {static_cast<std::uint64_t>(p), static_cast<std::uint64_t>(p >> 64)};
#endif
}
MILLRACE_HD inline std::uint64_t mul128_fold64(std::uint64_t a, std::uint64_t b) {
  const xxh128 p = mult64to128(a, b);
  return p.lo ^ p.hi;
}
MILLRACE_HD inline std::uint64_t xxh64_avalanche(std::uint64_t h) {
  h ^= h >> 33;
  h *= p64_2;
  h ^= h >> 29;
  h *= p64_3;
  return h ^ (h >> 32);
}
MILLRACE_HD inline std::uint64_t avalanche(std::uint64_t h) {
  h ^= h >> 37;
  h *= 0x165667919E3779F9ULL;
  return h ^ (h >> 32);
}
MILLRACE_HD inline std::uint64_t rrmxmx(std::uint64_t h, std::uint64_t len) {
  h ^= rotl64(h, 49) ^ rotl64(h, 24);
  h *= 0x9FB21C651E98DF25ULL;
  h ^= (h >> 35) + len;
  h *= 0x9FB21C651E98DF25ULL;
  return h ^ (h >> 28);
}
MILLRACE_HD inline std::uint64_t mix16(const std::uint8_t* in, const std::uint8_t* s, std::uint64_t seed) {
  return mul128_fold64(le64(in) ^ (le64(s) + seed), le64(in + 8) ^ (le64(s + 8) - seed));
}

// The long-input loop (> 240 bytes): 8 accumulators over 64-byte stripes, scrambled per block.
MILLRACE_HD inline void accumulate_512(std::uint64_t* acc, const std::uint8_t* in, const std::uint8_t* s) {
  for (int i = 0; i < 8; ++i) {
    const std::uint64_t v = le64(in + 8 * i), k = v ^ le64(s + 8 * i);
    acc[i ^ 1] += v;
    acc[i] += (k & 0xFFFFFFFFu) * (k >> 32);
  }
}
MILLRACE_HD inline void long_loop(std::uint64_t* acc, const std::uint8_t* in, std::size_t len, const std::uint8_t* s) {
  const std::size_t per_block = (secret_size - stripe) / consume_rate, block_len = stripe * per_block;
  const std::size_t blocks = (len - 1) / block_len;
  for (std::size_t n = 0; n < blocks; ++n) {
    for (std::size_t k = 0; k < per_block; ++k) accumulate_512(acc, in + n * block_len + k * stripe, s + k * consume_rate);
    for (int i = 0; i < 8; ++i) {
      std::uint64_t a = acc[i];
      a ^= a >> 47;
      a ^= le64(s + secret_size - stripe + 8 * i);
      acc[i] = a * p32_1;
    }
  }
  const std::size_t stripes = ((len - 1) - block_len * blocks) / stripe;
  for (std::size_t k = 0; k < stripes; ++k) accumulate_512(acc, in + blocks * block_len + k * stripe, s + k * consume_rate);
  accumulate_512(acc, in + len - stripe, s + secret_size - stripe - 7);
}
MILLRACE_HD inline std::uint64_t merge_accs(const std::uint64_t* acc, const std::uint8_t* s, std::uint64_t start) {
  std::uint64_t r = start;
  for (int i = 0; i < 4; ++i) r += mul128_fold64(acc[2 * i] ^ le64(s + 16 * i), acc[2 * i + 1] ^ le64(s + 16 * i + 8));
  return avalanche(r);
}
MILLRACE_HD inline void init_acc(std::uint64_t* acc) {
  acc[0] = p32_3, acc[1] = p64_1, acc[2] = p64_2, acc[3] = p64_3;
  acc[4] = p64_4, acc[5] = p32_2, acc[6] = p64_5, acc[7] = p32_1;
}
}  // namespace xxh

/// XXH3_64bits_withSeed(in, len, seed): bit-identical to xxhash.h.
MILLRACE_HD inline std::uint64_t xxh3_64(const void* input, std::size_t len, std::uint64_t seed) {
  using namespace xxh;
  const auto* in = static_cast<const std::uint8_t*>(input);
  const std::uint8_t* s = default_secret();  // inputs up to 240 bytes mix the seed in directly
  secret_t custom;
  if (len <= 16) {
    if (len > 8) {
      const std::uint64_t lo = le64(in) ^ ((le64(s + 24) ^ le64(s + 32)) + seed);
      const std::uint64_t hi = le64(in + len - 8) ^ ((le64(s + 40) ^ le64(s + 48)) - seed);
      return avalanche(len + swap64(lo) + hi + mul128_fold64(lo, hi));
    }
    if (len >= 4) {
      const std::uint64_t sd = seed ^ (std::uint64_t(swap32(static_cast<std::uint32_t>(seed))) << 32);
      const std::uint64_t in64 = le32(in + len - 4) + (std::uint64_t(le32(in)) << 32);
      return rrmxmx(in64 ^ ((le64(s + 8) ^ le64(s + 16)) - sd), len);
    }
    if (len) {
      const std::uint32_t c = (std::uint32_t(in[0]) << 16) | (std::uint32_t(in[len >> 1]) << 24) |
                              std::uint32_t(in[len - 1]) | (std::uint32_t(len) << 8);
      return xxh64_avalanche(std::uint64_t(c) ^ ((std::uint64_t(le32(s) ^ le32(s + 4))) + seed));
    }
    return xxh64_avalanche(seed ^ (le64(s + 56) ^ le64(s + 64)));
  }
  if (len <= 128) {
    std::uint64_t acc = len * p64_1;
    if (len > 32) {
      if (len > 64) {
        if (len > 96) acc += mix16(in + 48, s + 96, seed) + mix16(in + len - 64, s + 112, seed);
        acc += mix16(in + 32, s + 64, seed) + mix16(in + len - 48, s + 80, seed);
      }
      acc += mix16(in + 16, s + 32, seed) + mix16(in + len - 32, s + 48, seed);
    }
    acc += mix16(in, s, seed) + mix16(in + len - 16, s + 16, seed);
    return avalanche(acc);
  }
  if (len <= 240) {
    std::uint64_t acc = len * p64_1;
    const int rounds = static_cast<int>(len) / 16;
    for (int i = 0; i < 8; ++i) acc += mix16(in + 16 * i, s + 16 * i, seed);
    acc = avalanche(acc);
    for (int i = 8; i < rounds; ++i) acc += mix16(in + 16 * i, s + 16 * (i - 8) + 3, seed);
    acc += mix16(in + len - 16, s + 136 - 17, seed);
    return avalanche(acc);
  }
  if (seed != 0) {
    custom.derive(seed);
    s = custom.b;
  }
  std::uint64_t acc[8];
  init_acc(acc);
  long_loop(acc, in, len, s);
  return merge_accs(acc, s + 11, len * p64_1);
}

/// XXH3_128bits(in, len) (seed 0): bit-identical to xxhash.h; the exact-dedup digest.
MILLRACE_HD inline xxh128 xxh3_128(const void* input, std::size_t len) {
  using namespace xxh;
  const auto* in = static_cast<const std::uint8_t*>(input);
  const std::uint8_t* s = default_secret();
  const std::uint64_t seed = 0;
  if (len <= 16) {
    if (len > 8) {
      const std::uint64_t bl = (le64(s + 32) ^ le64(s + 40)) - seed, bh = (le64(s + 48) ^ le64(s + 56)) + seed;
      const std::uint64_t lo = le64(in);
      std::uint64_t hi = le64(in + len - 8);
      xxh128 m = mult64to128(lo ^ hi ^ bl, p64_1);
      m.lo += std::uint64_t(len - 1) << 54;
      hi ^= bh;
      m.hi += hi + (hi & 0xFFFFFFFFu) * (p32_2 - 1);
      m.lo ^= swap64(m.hi);
      xxh128 h = mult64to128(m.lo, p64_2);
      h.hi += m.hi * p64_2;
      return {avalanche(h.lo), avalanche(h.hi)};
    }
    if (len >= 4) {
      const std::uint64_t in64 = le32(in) + (std::uint64_t(le32(in + len - 4)) << 32);
      const std::uint64_t keyed = in64 ^ ((le64(s + 16) ^ le64(s + 24)) + seed);
      xxh128 m = mult64to128(keyed, p64_1 + (std::uint64_t(len) << 2));
      m.hi += m.lo << 1;
      m.lo ^= m.hi >> 3;
      m.lo ^= m.lo >> 35;
      m.lo *= 0x9FB21C651E98DF25ULL;
      m.lo ^= m.lo >> 28;
      return {m.lo, avalanche(m.hi)};
    }
    if (len) {
      const std::uint32_t cl = (std::uint32_t(in[0]) << 16) | (std::uint32_t(in[len >> 1]) << 24) |
                               std::uint32_t(in[len - 1]) | (std::uint32_t(len) << 8);
      const std::uint32_t ch = rotl32(swap32(cl), 13);
      const std::uint64_t bl = std::uint64_t(le32(s) ^ le32(s + 4)) + seed;
      const std::uint64_t bh = std::uint64_t(le32(s + 8) ^ le32(s + 12)) - seed;
      return {xxh64_avalanche(std::uint64_t(cl) ^ bl), xxh64_avalanche(std::uint64_t(ch) ^ bh)};
    }
    return {xxh64_avalanche(seed ^ le64(s + 64) ^ le64(s + 72)), xxh64_avalanche(seed ^ le64(s + 80) ^ le64(s + 88))};
  }
  auto mix32 = [](xxh128 acc, const std::uint8_t* i1, const std::uint8_t* i2, const std::uint8_t* sp, std::uint64_t sd) {
    acc.lo += mix16(i1, sp, sd);
    acc.lo ^= le64(i2) + le64(i2 + 8);
    acc.hi += mix16(i2, sp + 16, sd);
    acc.hi ^= le64(i1) + le64(i1 + 8);
    return acc;
  };
  auto finish = [len, seed](xxh128 acc) {
    const std::uint64_t lo = acc.lo + acc.hi;
    const std::uint64_t hi = acc.lo * p64_1 + acc.hi * p64_4 + (len - seed) * p64_2;
    return xxh128{avalanche(lo), std::uint64_t(0) - avalanche(hi)};
  };
  if (len <= 128) {
    xxh128 acc{len * p64_1, 0};
    if (len > 32) {
      if (len > 64) {
        if (len > 96) acc = mix32(acc, in + 48, in + len - 64, s + 96, seed);
        acc = mix32(acc, in + 32, in + len - 48, s + 64, seed);
      }
      acc = mix32(acc, in + 16, in + len - 32, s + 32, seed);
    }
    acc = mix32(acc, in, in + len - 16, s, seed);
    return finish(acc);
  }
  if (len <= 240) {
    xxh128 acc{len * p64_1, 0};
    const int rounds = static_cast<int>(len) / 32;
    for (int i = 0; i < 4; ++i) acc = mix32(acc, in + 32 * i, in + 32 * i + 16, s + 32 * i, seed);
    acc.lo = avalanche(acc.lo);
    acc.hi = avalanche(acc.hi);
    for (int i = 4; i < rounds; ++i) acc = mix32(acc, in + 32 * i, in + 32 * i + 16, s + 3 + 32 * (i - 4), seed);
    acc = mix32(acc, in + len - 16, in + len - 32, s + 136 - 17 - 16, std::uint64_t(0) - seed);
    return finish(acc);
  }
  std::uint64_t acc[8];
  init_acc(acc);
  long_loop(acc, in, len, s);
  return {merge_accs(acc, s + 11, len * p64_1), merge_accs(acc, s + secret_size - 64 - 11, ~(len * p64_2))};
}

}  // namespace millrace::cuda::detail

// millrace/dedup/detail/minhash_impl.hpp — minhasher's definitions (dedup/minhash.hpp declares).
// Included by dedup/minhash.hpp in header-only mode, compiled once into millrace::compiled
// (src/dedup.cpp) otherwise: the only file that includes the SIMD kernels.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

#include <millrace/dedup/detail/minhash_kernels.hpp>
#include <millrace/dedup/minhash.hpp>
#include <millrace/detail/config.hpp>

namespace millrace::dedup {

MILLRACE_INLINE minhasher::minhasher(minhash_params p) : p_(p) {
  if (p_.num_perm == 0) throw std::invalid_argument("minhasher: num_perm must be > 0");
  splitmix64 g{p_.seed};
  const std::size_t m = p_.num_perm;
  a0_.resize(m);
  a1_.resize(m);
  c0_.resize(m);
  c1_.resize(m);
  b_.resize(m);
  for (std::size_t i = 0; i < m; ++i) {
    std::uint64_t a, c = 0;
    if (p_.family == hash_family::mersenne61) {
      a = 1 + g.next() % (mersenne61 - 1);  // only 16 residues are slightly favored
      b_[i] = g.next() % mersenne61;
    } else {
      a = g.next();
      c = g.next();
      b_[i] = g.next();
    }
    a0_[i] = static_cast<std::uint32_t>(a);
    a1_[i] = static_cast<std::uint32_t>(a >> 32);
    c0_[i] = static_cast<std::uint32_t>(c);
    c1_[i] = static_cast<std::uint32_t>(c >> 32);
  }
  kernel_ = detail::pick_kernel(p_.family == hash_family::mersenne61, detail::simd_level());
}

MILLRACE_INLINE std::uint64_t minhasher::hash(std::size_t i, std::uint64_t x) const {
  const std::uint64_t a = (std::uint64_t{a1_[i]} << 32) | a0_[i];
  if (p_.family == hash_family::mersenne61) {
    __extension__ using u128 = unsigned __int128;
    return static_cast<std::uint64_t>((u128(a) * x + b_[i]) % mersenne61);
  }
  const std::uint64_t c = (std::uint64_t{c1_[i]} << 32) | c0_[i];
  return (a * (x & 0xFFFFFFFFu) + c * (x >> 32) + b_[i]) >> 32;
}

MILLRACE_INLINE void minhasher::sign(std::span<const std::uint64_t> shingle_hashes,
                                     std::span<std::uint64_t> signature) const {
  if (signature.size() != p_.num_perm) throw std::invalid_argument("minhasher::sign: signature size != num_perm");
  std::fill(signature.begin(), signature.end(), empty_minhash);
  const detail::perm_params pp{a0_.data(), a1_.data(), c0_.data(), c1_.data(), b_.data(), p_.num_perm};
  for (std::size_t start = 0; start < shingle_hashes.size(); start += detail::minhash_block)
    kernel_(pp, shingle_hashes.data() + start, std::min(detail::minhash_block, shingle_hashes.size() - start),
            signature.data());
}

MILLRACE_INLINE std::vector<std::uint64_t> minhasher::sign(std::span<const std::uint64_t> shingle_hashes) const {
  std::vector<std::uint64_t> s(p_.num_perm);
  sign(shingle_hashes, s);
  return s;
}

MILLRACE_INLINE void minhasher::force_simd_level(int level) {
  kernel_ = detail::pick_kernel(p_.family == hash_family::mersenne61, std::min(level, detail::simd_level()));
}

MILLRACE_INLINE double estimate_jaccard(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) {
  if (a.size() != b.size()) throw std::invalid_argument("estimate_jaccard: signatures differ in size");
  if (a.empty()) return 0.0;
  std::size_t eq = 0;
  for (std::size_t i = 0; i < a.size(); ++i) eq += (a[i] == b[i] && a[i] != empty_minhash);
  return static_cast<double>(eq) / static_cast<double>(a.size());
}

}  // namespace millrace::dedup

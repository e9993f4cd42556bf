// millrace/augment/guard.hpp — similarity guard for augmented variants: keeps a variant only when
// its MinHash-estimated Jaccard similarity to its source (word n-gram shingles) lies in [lo, hi]
// and it is not a near copy of an earlier kept sibling; plus exact (xxh3-128) dedup of variants
// against originals and each other. Example: similarity_guard g({.lo = 0.3, .hi = 0.95});
// g.judge(source, variant_texts, verdicts);
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <millrace/dedup/exact.hpp>
#include <millrace/dedup/minhash.hpp>
#include <millrace/text/normalize.hpp>
#include <millrace/text/shingle.hpp>

namespace millrace::augment {

/// Bounds of the similarity guard: how close a variant may be to its source, and how far.
struct guard_options {
  /// Defaults: word bigrams see a swap or a replaced word (unigrams would miss swaps); one EDA edit
  /// per 10 words gives J of about 0.6-0.8, a copy gives 1, a destroyed text gives < 0.3.
  double lo = 0.3;              ///< lowest J kept (lower: too_different)
  double hi = 0.95;             ///< highest J kept (higher: too_similar)
  std::size_t ngram = 2;        ///< words per shingle (2 = word bigrams)
  std::size_t num_perm = 128;   ///< estimate's standard error <= 0.045
  std::uint64_t seed = 1;       ///< MinHash permutation seed
  /// Off by default: normalizing (lower-casing, ...) would make case-flip variants copies.
  bool normalize = false;
  bool siblings = true;         ///< also reject a variant whose J to an earlier kept sibling > hi
};

/// Why the guard kept or dropped a variant.
enum class guard_verdict : std::uint8_t { kept, too_similar, too_different, sibling_duplicate };

/// The report's name of a guard verdict ("kept", "too_similar", ...).
constexpr std::string_view verdict_name(guard_verdict v) {
  constexpr std::string_view n[] = {"kept", "too_similar", "too_different", "sibling_duplicate"};
  return n[static_cast<std::size_t>(v)];
}

/// Keeps a variant only when its shingle Jaccard to the source lies within guard_options' bounds.
class similarity_guard {
 public:
  explicit similarity_guard(guard_options o = {})
      : o_(o), mh_(dedup::minhash_params{.num_perm = o.num_perm, .seed = o.seed}) {
    if (!(o_.lo >= 0 && o_.lo <= o_.hi && o_.hi <= 1))
      throw std::invalid_argument("similarity_guard: need 0 <= lo <= hi <= 1");
  }

  /// The bounds this guard was built with.
  const guard_options& options() const { return o_; }

  /// Writes to sig the MinHash signature (num_perm values) of text's word n-gram shingles,
  /// normalizing text first when options().normalize is set.
  void signature(std::string_view text, std::vector<std::uint64_t>& sig) const {
    thread_local std::vector<std::uint64_t> sh;
    thread_local std::string norm;
    if (o_.normalize) {
      text::normalize_into(text, norm);
      text::word_shingle_hashes(norm, o_.ngram, sh);
    } else {
      text::word_shingle_hashes(text, o_.ngram, sh);
    }
    sig.resize(mh_.num_perm());
    mh_.sign(sh, sig);
  }

  /// MinHash estimate of the Jaccard similarity of two texts' shingle sets.
  double similarity(std::string_view a, std::string_view b) const {
    std::vector<std::uint64_t> sa, sb;
    signature(a, sa);
    signature(b, sb);
    return dedup::estimate_jaccard(sa, sb);
  }

  /// One verdict per variant of `source`, in order; jaccard (optional) gets each variant's estimate.
  void judge(std::string_view source, std::span<const std::string_view> variants, std::vector<guard_verdict>& out,
             std::vector<double>* jaccard = nullptr) const {
    out.assign(variants.size(), guard_verdict::kept);
    if (jaccard) jaccard->assign(variants.size(), 0.0);
    std::vector<std::uint64_t> src;
    signature(source, src);
    std::vector<std::vector<std::uint64_t>> kept;
    std::vector<std::uint64_t> sig;
    for (std::size_t i = 0; i < variants.size(); ++i) {
      signature(variants[i], sig);
      const double j = dedup::estimate_jaccard(src, sig);
      if (jaccard) (*jaccard)[i] = j;
      if (j > o_.hi) {
        out[i] = guard_verdict::too_similar;
      } else if (j < o_.lo) {
        out[i] = guard_verdict::too_different;
      } else {
        if (o_.siblings) {
          for (const auto& k : kept) {
            if (dedup::estimate_jaccard(k, sig) > o_.hi) {
              out[i] = guard_verdict::sibling_duplicate;
              break;
            }
          }
        }
        if (out[i] == guard_verdict::kept && o_.siblings) kept.push_back(sig);
      }
    }
  }

 private:
  guard_options o_;
  dedup::minhasher mh_;
};

/// Exact dedup by a 128-bit hash (xxh3-128) of the bytes: insert() is true for a text not seen before.
/// Not thread-safe: call it from one serial, in-order stage so that "first seen" is input order.
class exact_seen {
 public:
  /// Records text; true when its digest was not seen before.
  bool insert(std::string_view text) { return set_.insert(dedup::exact_digest(text)); }
  /// True when text was inserted before; records nothing.
  bool contains(std::string_view text) const { return set_.contains(dedup::exact_digest(text)); }
  /// Number of distinct texts inserted.
  std::size_t size() const { return set_.size(); }

 private:
  dedup::digest_set set_;
};

}  // namespace millrace::augment

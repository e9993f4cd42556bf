// millrace/dedup/near_dedup.hpp — batch near-duplicate detection: shingles -> MinHash -> LSH bands
// -> candidate edges -> optional exact-Jaccard verification -> parallel union-find; the survivor of
// a cluster is its smallest index.
//   auto r = millrace::dedup::near_dedup(texts, {.threshold = 0.8});   // r.kept[i], r.cluster[i]
// This header declares; dedup/detail/near_dedup_impl.hpp defines.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <millrace/core/param.hpp>
#include <millrace/core/parallel.hpp>
#include <millrace/dedup/jaccard.hpp>
#include <millrace/dedup/lsh.hpp>
#include <millrace/dedup/minhash.hpp>
#include <millrace/dedup/signature_check.hpp>
#include <millrace/dedup/union_find.hpp>
#include <millrace/detail/config.hpp>
#include <millrace/text/normalize.hpp>
#include <millrace/text/shingle.hpp>

namespace millrace::dedup {

/// What near dedup shingles: word n-grams or character n-grams.
enum class shingle_kind { word, character };

/// Options of near dedup: threshold, shingles, MinHash and LSH parameters, normalization, signature check.
struct near_dedup_options {
  double threshold = 0.8;  ///< Jaccard similarity of a duplicate pair, in (0, 1]
  std::size_t num_perm = 112;  ///< MinHash permutations: values per signature
  std::size_t ngram = 5;  ///< shingle size, in words or characters (see shingle)
  shingle_kind shingle = shingle_kind::word;  ///< word or character n-grams
  std::optional<lsh_params> lsh{};  ///< default: choose_lsh_params(threshold, num_perm)
  bool verify = false;            ///< drop candidate edges whose exact Jaccard is below threshold
  /// Drop candidate edges whose Jaccard estimated from b-bit sketches of the signatures is clearly
  /// below the threshold (see signature_check.hpp: a pair at the threshold is kept with ~99%
  /// probability); 56 bytes per document for 112 permutations. Off: datatrove's behaviour (every
  /// candidate pair of a bucket merges clusters). Not used with verify (exact, and stays exact).
  bool check_signatures = true;
  bool normalize = true;          ///< text::normalize (default options) before shingling
  std::uint64_t seed = 1;  ///< MinHash seed (minhash_params::seed)
  hash_family family = hash_family::mersenne61;  ///< MinHash hash family

  /// "datatrove": word 5-grams, 14 x 8 (num_perm 112); "nemo": char 24-grams, 20 x 13 (num_perm 260).
  static near_dedup_options preset(std::string_view name);

  /// The banding in use: lsh if set, else choose_lsh_params(threshold, num_perm).
  lsh_params resolved_lsh() const;

  /// Module parameters (core/param.hpp), with their ranges and choices: threshold, num_perm,
  /// lsh {bands, rows} (null: chosen for threshold and num_perm), ngram, shingle, verify,
  /// check_signatures, normalize, seed, family. mr::load_config / mr::describe / mr::tune take the struct.
  auto parameters() {
    return millrace::params(
        millrace::param("threshold", threshold, "Jaccard similarity of a duplicate pair").range(0, 1).exclusive_min(),
        millrace::param("num_perm", num_perm, "MinHash permutations").range(1, 65536),
        millrace::param("lsh", lsh, "LSH bands x rows; null: chosen for threshold and num_perm"),
        millrace::param("ngram", ngram, "shingle size (words or characters)").range(1, 65536),
        millrace::param("shingle", shingle, "word or character n-grams")
            .one_of({{"word", shingle_kind::word}, {"char", shingle_kind::character}}),
        millrace::param("verify", verify, "drop candidate pairs whose exact Jaccard is below the threshold"),
        millrace::param("check_signatures", check_signatures,
                        "drop candidate pairs whose Jaccard estimated from b-bit signature sketches is clearly below the "
                        "threshold (not with verify)"),
        millrace::param("normalize", normalize, "text::normalize before shingling"),
        millrace::param("seed", seed, "MinHash seed"),
        millrace::param("family", family, "MinHash family: mersenne61 ((a*x+b) mod 2^61-1) or fast32")
            .one_of({{"mersenne61", hash_family::mersenne61}, {"fast32", hash_family::fast32}}));
  }
};

/// Near dedup of a batch: per document its cluster id (smallest index in the cluster) and kept flag, and the edge counts.
struct near_dedup_result {
  std::vector<std::uint64_t> cluster;  ///< per document: cluster id = smallest input index in its cluster
  std::vector<char> kept;              ///< per document: 1 if it survives (it is its cluster's smallest index)
  std::size_t candidate_edges = 0;     ///< distinct candidate pairs from the LSH buckets
  std::size_t verified_edges = 0;      ///< of those, pairs that passed verification (== candidates if verify is off)
  std::size_t head_edges = 0;          ///< check or verify: extra (bucket head, member) pairs that passed
  std::size_t check_dropped = 0;       ///< pairs (chain and head) dropped by the signature check
  std::size_t verify_dropped = 0;      ///< pairs dropped by exact verification (after the check)
};

namespace detail {

// Shingle hashes of one text as near_dedup sees them (not sorted, duplicates kept).
void shingle_hashes(std::string_view text, const near_dedup_options& o, std::string& norm_buf,
                    std::vector<std::uint64_t>& out);

struct shingle_scratch {
  std::string norm;
  std::vector<std::uint64_t> hashes;
  std::vector<std::uint64_t> sig;
};

}  // namespace detail

/// Shingle set exactly as near_dedup sees it (normalized if opts.normalize, sorted, unique).
std::vector<std::uint64_t> shingle_set(std::string_view text, const near_dedup_options& opts);

/// Accumulates documents (band keys computed in parallel as they come), then clusters them all.
/// Memory: bands x 8 bytes per document, plus the shingle sets when verify is on.
class near_dedup_batch {
 public:
  explicit near_dedup_batch(near_dedup_options o);
  near_dedup_batch(const near_dedup_batch&);  // (a stage's prototype is copied for each run)
  near_dedup_batch& operator=(const near_dedup_batch&);
  near_dedup_batch(near_dedup_batch&&) noexcept;
  near_dedup_batch& operator=(near_dedup_batch&&) noexcept;
  ~near_dedup_batch();

  /// The options in effect (check_signatures is turned off when verify is on).
  const near_dedup_options& options() const { return o_; }
  /// The LSH banding in use (options().resolved_lsh()).
  lsh_params lsh() const { return lsh_; }
  /// Documents added so far.
  std::size_t size() const { return nonempty_.size(); }

  /// Appends documents numbered size(), size()+1, ... (in parallel on the current run's backend).
  void add(std::span<const std::string_view> texts);

  /// One document, numbered size().
  void add(std::string_view text);

  /// Clusters every document added so far (documents with no shingles stay alone).
  near_dedup_result finish() const;

 private:
  near_dedup_options o_;
  lsh_params lsh_;
  minhasher mh_;
  std::vector<std::uint64_t> keys_;  // doc-major: bands keys per document
  std::vector<char> nonempty_;
  std::vector<std::vector<std::uint64_t>> sets_;  // sorted unique shingle sets, only with verify
  signature_check check_;
  std::vector<std::uint64_t> sketches_;  // check_.words() per document, only with check_signatures
  millrace::per_thread<detail::shingle_scratch> scratch_;
};

/// Deterministic for any thread count: parallel on the current run's backend, serial outside a run;
/// give it threads with mr::with_executor(mr::cpu{.threads = N}, [&] { return near_dedup(texts); }).
near_dedup_result near_dedup(std::span<const std::string_view> texts, const near_dedup_options& opts = {});

}  // namespace millrace::dedup

#if MILLRACE_HEADER_ONLY
#include <millrace/dedup/detail/near_dedup_impl.hpp>
#endif

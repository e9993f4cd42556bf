// millrace/dedup/near_out_of_core.hpp — near-dedup in bounded memory, as stages over the plan
// (issue 12; DESIGN.md §8):
//   sign        a pipeline over the input: normalize, shingle, MinHash, band keys, in parallel
//               per batch; each document gets its ordinal in the run's total order; its
//               (band, key, ordinal) triples go to an exchange that sorts them within the
//               memory budget and spills sorted runs beyond it
//   link        one merged pass over the sorted triples: consecutive documents of a bucket give a
//               chain edge (and, with verification, the bucket head a head edge); edges go to a
//               second exchange sorted by (a, b)
//   components  one merged pass over the distinct edges (checked against the exact Jaccard of
//               their shingle sets with `verify`) into a union-find over ordinals (8 bytes per
//               document); each document's root = the smallest ordinal of its cluster
//   output      a second pipeline over the same input gives every record its cluster, in input
//               order, and passes the survivors on, unchanged
// The clusters are those of near_dedup_batch (the in-memory operator) for any memory budget,
// thread count and batch size: same band keys, the same edges (a bucket's entries sorted by
// ordinal), and a union-find whose roots do not depend on edge order.
//
// Memory: the exchange budget, plus 8 bytes per document while clustering (plus 8 more with
// verify: the offsets of the spilled shingle sets), plus the pipeline's batches in flight. Disk:
// 24 bytes x bands per document for the sorted triples, 16 bytes per candidate edge, 8 bytes
// per document for the roots, and the shingle sets with verify.
//
// Resume: with a resume key (e.g. a fingerprint of inputs and options) the stage outputs live in
// tmp_dir/millrace-near-<key>/ and a stage manifest lists those that are complete; a run killed
// at any point and started again with the same key continues after the last complete stage.
// A run that fails with an error removes the directory (nothing is marked complete); so does one
// that succeeds (close()).
//
//   dd::near_dedup_out_of_core nd(opts, {.memory_budget = 1 << 30, .tmp_dir = "/scratch"});
//   if (!nd.done("sign")) { mr::run(front() | nd.sign(text_of), ex); nd.end_sign(); }
//   nd.cluster();
//   mr::run(front() | nd.survivors<Doc>(on_cluster) | sink, ex);
//   nd.close();
// This header declares (and defines the templates: the sign and output stages);
// dedup/detail/near_out_of_core_impl.hpp defines the rest.
#pragma once

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <millrace/core/param.hpp>
#include <millrace/core/parallel.hpp>
#include <millrace/core/pipeline.hpp>
#include <millrace/core/position.hpp>
#include <millrace/core/spill.hpp>
#include <millrace/core/stage_ops.hpp>
#include <millrace/dedup/components.hpp>
#include <millrace/dedup/detail/shingle_set_store.hpp>
#include <millrace/dedup/jaccard.hpp>
#include <millrace/dedup/lsh.hpp>
#include <millrace/dedup/minhash.hpp>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/dedup/signature_check.hpp>
#include <millrace/detail/config.hpp>

namespace millrace::dedup {

/// Options of out-of-core near dedup: memory budget, temporary directory, resume key, fsync, reference index.
struct out_of_core_options {
  /// Bytes the exchanges may buffer before they spill sorted runs (the pipeline's batches in
  /// flight and the union-find's 8 bytes per document come on top).
  std::size_t memory_budget = std::size_t(1) << 30;
  /// Where spill files and stage outputs go; empty: std::filesystem::temp_directory_path().
  std::filesystem::path tmp_dir{};
  /// Non-empty: stage outputs are kept under tmp_dir/millrace-near-<resume_key>/ so that a run
  /// started again with the same key resumes (choose a key that changes with inputs and options).
  std::string resume_key{};
  bool fsync = false;  ///< flush stage outputs before they are listed complete
  /// Non-empty: a reference index of already deduplicated documents (band keys of the kept
  /// documents of earlier runs). Documents near-duplicate to an indexed one are removed too, and
  /// close() adds this run's survivors to the index. Indexed documents come first in the total
  /// order (ordinals 0 .. index size - 1; this run's documents follow). Not with verify (the
  /// index keeps no shingle sets).
  std::filesystem::path index_dir{};
  /// Called when a stage starts (report.seconds == 0) and when it ends.
  std::function<void(const struct stage_report&)> on_stage{};

  /// Module parameters (core/param.hpp): memory_budget, tmp_dir, resume_key, fsync, index_dir (on_stage is not one).
  auto parameters() {
    return millrace::params(
        millrace::param("memory_budget", memory_budget, "bytes the exchanges buffer before they spill").range(65536, 1e18),
        millrace::param("tmp_dir", tmp_dir, "spill files and stage outputs (empty: the system's temporary directory)"),
        millrace::param("resume_key", resume_key, "non-empty: keep stage outputs so a rerun with this key resumes"),
        millrace::param("fsync", fsync, "flush stage outputs before they are listed complete"),
        millrace::param("index_dir", index_dir, "non-empty: a reference index of already deduplicated documents"));
  }
};

/// One stage's figures, in the order the stages ran.
struct stage_report {
  std::string name;           ///< sign, link, components, output
  bool resumed = false;       ///< taken from a previous run's stage output
  bool finished = false;  ///< the stage has ended (false in the on_stage call at its start)
  double seconds = 0;  ///< wall-clock time of the stage (0 at its start and for a resumed stage)
  std::uint64_t records = 0;  ///< documents (sign, output), band entries (link), distinct edges (components)
  /// Bytes the stage wrote: its sorter's spilled runs, or with a resume key its stage output files
  /// (0 for the output stage).
  std::uint64_t bytes_spilled = 0;
  std::uint64_t peak_rss_bytes = 0;  ///< the process's peak resident memory during the stage
};

/// What an out-of-core near-dedup run did: documents, kept, edges at each check, and a report per stage.
struct near_out_of_core_summary {
  std::uint64_t documents = 0, kept = 0;   ///< of this run's documents
  std::uint64_t index_documents = 0;      ///< in the reference index before this run (their ordinals come first)
  /// Distinct candidate pairs from the LSH buckets (chain edges); of those, the pairs that passed the
  /// signature check and verification (== candidates when both are off); extra (bucket head, member)
  /// pairs that passed (check or verify only).
  std::uint64_t candidate_edges = 0, verified_edges = 0, head_edges = 0;
  std::uint64_t check_dropped = 0, verify_dropped = 0;  ///< pairs dropped by the signature check, by verification
  std::vector<stage_report> stages;  ///< one report per stage, in the order they ran (resumed stages first)
};

/// Called once per record of the output pass, in input order: (record, cluster, kept), cluster =
/// the ordinal of the cluster's survivor.
template <class T>
using ooc_cluster_callback = std::function<void(const T& record, std::uint64_t cluster, bool kept)>;

namespace detail {

// (band, key, ordinal): sorted, a band's bucket is a run of equal (band, key), in ordinal order.
struct band_entry64 {
  std::uint64_t band, key, doc;
  friend auto operator<=>(const band_entry64&, const band_entry64&) = default;
  friend bool operator==(const band_entry64&, const band_entry64&) = default;
};

// A candidate pair a < b; bk = 2 b + (1 if it is a bucket-head edge). Sorted by (a, bk), the
// first copy of a pair tells whether any band made it a chain edge.
struct edge_entry64 {
  std::uint64_t a, bk;
  std::uint64_t b() const { return bk >> 1; }
  bool head() const { return (bk & 1) != 0; }
  friend auto operator<=>(const edge_entry64&, const edge_entry64&) = default;
  friend bool operator==(const edge_entry64&, const edge_entry64&) = default;
};

// The signatures of one batch: band keys (documents x bands), whether each had shingles, and
// with verify their sorted shingle sets.
struct signed_batch {
  std::vector<std::uint64_t> keys;
  std::vector<char> nonempty;
  std::vector<std::vector<std::uint64_t>> sets;
  std::vector<std::uint64_t> sketches;     // signature_check words per document, with check_signatures
  std::vector<record_position> positions;  // only for positioned records
  std::size_t size = 0;
};

std::uint64_t fold_position(std::uint64_t h, const record_position& p);

// Test hook (documented in docs/dedup.md): MILLRACE_TEST_KILL=<stage>:<n> sends SIGKILL to the
// process once stage <stage> has handled n records, to test resuming from a real kill.
void test_kill_point(std::string_view stage, std::uint64_t done);

std::uint64_t dir_bytes(const std::vector<std::filesystem::path>& files);

}  // namespace detail

/// Near dedup of inputs larger than memory: sign, band exchange, link and components stages, resumable by stage.
class near_dedup_out_of_core {
  using band_sorter = external_sorter<detail::band_entry64>;
  using edge_sorter = external_sorter<detail::edge_entry64>;

 public:
  near_dedup_out_of_core(near_dedup_options o, out_of_core_options x);
  near_dedup_out_of_core(const near_dedup_out_of_core&) = delete;
  near_dedup_out_of_core& operator=(const near_dedup_out_of_core&) = delete;
  // Not closed (an error, an exception on the way): nothing of this run is kept.
  ~near_dedup_out_of_core();

  /// The options in effect (check_signatures is turned off when verify is on).
  const near_dedup_options& options() const { return o_; }
  /// The LSH banding in use (options().resolved_lsh()).
  lsh_params lsh() const { return lsh_; }
  /// Where spill files and stage outputs go: tmp_dir/millrace-near-<resume_key>[-<index digest>]
  /// with a resume key, else a fresh temporary directory; removed by close() and by an unclosed destructor.
  const std::filesystem::path& work_dir() const { return work_; }
  /// Stage reports as the stages run; the document, kept and edge counts once cluster() has run.
  const near_out_of_core_summary& summary() const { return sum_; }

  /// Whether a stage ("sign", "link", "components") is complete (in this run or a resumed one).
  bool done(std::string_view stage) const;

  /// The sign stage: append to a pipeline of T records (it ends the pipeline). `access` gives a
  /// record's text (as for dedup::near). Call end_sign() after the run.
  template <class A>
  auto sign(A access, std::string name = "dedup.sign") {
    using T = millrace::detail::first_param_t<A>;
    if (m_.sign) throw std::logic_error("near_dedup_out_of_core: the sign stage is already complete (see done())");
    begin_stage("sign");
    bands_ = std::make_unique<band_sorter>(spill_options{budget_for_sign(), spill_dir(), false});
    if (o_.verify) sets_ = detail::shingle_set_writer(work_ / "sets.bin", x_.fsync);
    if (o_.check_signatures && persist()) sketch_writer_ = std::make_unique<run_writer<std::uint64_t>>(work_ / "sketches.run");
    sign_emitter_.owner = this;
    sign_emitter_.base = index_.documents;
    auto sign_batch = [mh = mh_, o = o_, lsh = lsh_, check = check_, access = std::move(access)](std::vector<T>&& batch) {
      std::vector<detail::signed_batch> out(1);
      auto& sb = out[0];
      const std::size_t n = batch.size(), b = lsh.bands;
      sb.size = n;
      sb.keys.resize(n * b);
      sb.nonempty.resize(n);
      if (o.verify) sb.sets.resize(n);
      const std::size_t w = check.words();
      if (o.check_signatures) sb.sketches.resize(n * w);
      if constexpr (positioned<T>) {
        sb.positions.resize(n);
        for (std::size_t i = 0; i < n; ++i) sb.positions[i] = batch[i].position;
      }
      std::string norm;
      std::vector<std::uint64_t> hashes, sig(o.num_perm);
      for (std::size_t i = 0; i < n; ++i) {
        const auto held = std::invoke(access, std::as_const(batch[i]));
        dedup::detail::shingle_hashes(as_text_of(held), o, norm, hashes);
        sb.nonempty[i] = !hashes.empty();
        mh->sign(hashes, sig);
        for (std::size_t band = 0; band < b; ++band) sb.keys[i * b + band] = band_key(sig, band, lsh.rows);
        if (o.check_signatures) check.sketch(sig, sb.sketches.data() + i * w);
        if (o.verify) {
          std::sort(hashes.begin(), hashes.end());
          hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
          sb.sets[i].assign(hashes.begin(), hashes.end());
        }
      }
      return out;
    };
    return millrace::batch_map(std::move(sign_batch), name) | millrace::stage(std::ref(sign_emitter_), name + ".exchange");
  }

  /// After the sign run: spills what is left and lists the stage complete.
  void end_sign();

  /// The link and components stages (each skipped when already complete).
  void cluster();

  /// The output stage: append to a pipeline over the same input as the sign stage (same records
  /// in the same order; checked: count, and positions when T has them). Calls cb(record, cluster,
  /// kept) for every record in input order and passes the kept ones on. cluster = the ordinal of
  /// the cluster's survivor (its first record in the total order).
  template <class T>
  auto survivors(ooc_cluster_callback<T> cb = {}, std::string name = "dedup.survivors") {
    if (!m_.components) throw std::logic_error("near_dedup_out_of_core::survivors before cluster()");
    begin_stage("output");
    return millrace::stage(survivor_stage<T>{this, std::move(cb), 0, 0, nullptr}, std::move(name));
  }

  /// After the output run succeeded: ends the output stage and removes the work directory.
  void close();

 private:
  template <class R>
  static std::string_view as_text_of(const R& r) {
    if constexpr (requires { r.has_value(); *r; }) return r ? std::string_view(*r) : std::string_view();  // optional
    else return std::string_view(r);
  }

  // ---- sign: the ordered end of the sign pipeline -----------------------------------------
  struct sign_emitter {
    near_dedup_out_of_core* owner = nullptr;
    std::uint64_t base = 0, next = 0, hash = 0;  // ordinals: base + next
    void process(std::vector<detail::signed_batch>&& batches);
  };

  // ---- output: cluster of every record, survivors passed on --------------------------------
  template <class T>
  struct survivor_stage {
    near_dedup_out_of_core* owner = nullptr;
    ooc_cluster_callback<T> cb;
    std::uint64_t next = 0, hash = 0;
    std::shared_ptr<run_reader<std::uint64_t>> roots;  // opened by the lowered copy

    std::vector<T> process(std::vector<T>&& batch) {
      auto& s = *owner;
      std::vector<T> out;
      out.reserve(batch.size());
      for (auto& rec : batch) {
        const std::uint64_t d = s.index_.documents + next++;
        if (next > s.m_.documents)
          throw std::runtime_error("the input changed between the sign and output passes: more than " +
                                   std::to_string(s.m_.documents) + " documents now");
        if constexpr (positioned<T>) hash = detail::fold_position(hash, rec.position);
        const std::uint64_t root = root_of(d);
        const bool kept = root == d;
        if (cb) cb(rec, root, kept);
        if (kept) out.push_back(std::move(rec));
      }
      s.output_records_ = next;
      detail::test_kill_point("output", next);
      return out;
    }
    void commit() {
      auto& s = *owner;
      if (next != s.m_.documents)
        throw std::runtime_error("the input changed between the sign and output passes: " + std::to_string(s.m_.documents) +
                                 " documents then, " + std::to_string(next) + " now");
      if constexpr (positioned<T>)
        if (hash != s.m_.position_hash)
          throw std::runtime_error("the input changed between the sign and output passes: the records' positions differ");
    }

   private:
    std::uint64_t root_of(std::uint64_t d) {
      auto& s = *owner;
      if (!s.roots_.empty()) return s.roots_[d];
      std::uint64_t r = 0;
      if (!roots) {
        roots = std::make_shared<run_reader<std::uint64_t>>(s.work_ / s.m_.roots);
        for (std::uint64_t i = 0; i < s.index_.documents; ++i)  // the indexed documents' roots come first
          if (!roots->next(r)) throw std::runtime_error((s.work_ / s.m_.roots).string() + ": fewer roots than documents");
      }
      if (!roots->next(r)) throw std::runtime_error((s.work_ / s.m_.roots).string() + ": fewer roots than documents");
      return r;
    }
  };

  // ---- link --------------------------------------------------------------------------------
  void link();

  // ---- components ----------------------------------------------------------------------------
  void components();

  // ---- the work directory and its stage manifest --------------------------------------------
  struct stage_manifest {
    bool sign = false, link = false, components = false;
    std::uint64_t documents = 0, position_hash = 0, kept = 0;
    std::uint64_t candidate_edges = 0, verified_edges = 0, head_edges = 0, check_dropped = 0, verify_dropped = 0;
    std::vector<std::string> band_runs, edge_runs;
    std::string roots;
  };
  static constexpr std::string_view manifest_format = "millrace-near-stages/1";

  // Stage outputs go to files when a rerun may resume, and with an index (whose update in close()
  // reads the sorted band entries again).
  bool persist() const { return !x_.resume_key.empty() || !x_.index_dir.empty(); }

  std::vector<std::filesystem::path> band_inputs() const;

  // ---- the reference index -------------------------------------------------------------------
  // index.json: {"format", "options" (what shapes band keys; must match), "documents", "bands"}.
  struct index_state {
    std::uint64_t documents = 0;
    std::string bands;     // sorted band entries of the indexed documents ("" when empty)
    std::string sketches;  // their signature sketches in ordinal order ("" when none)
    std::uint64_t generation = 0;
    std::string digest;  // of index.json, part of the work directory's name
  };
  static constexpr std::string_view index_format = "millrace-near-index/1";

  std::string index_options() const;

  void load_index();

  // After a successful output pass: the index's entries plus those of this run's survivors,
  // renumbered after the indexed ones, in one merged pass (the order stays sorted: renumbering
  // keeps the survivors' order). The new bands file is complete before index.json names it.
  void update_index();

  static std::string read_text(const std::filesystem::path& path);
  std::filesystem::path spill_dir() const { return work_; }
  std::size_t budget_for_sign() const;

  void open_work_dir();

  void remove_work_dir() noexcept;

  // Whatever an interrupted run left that the manifest does not list (partial runs, spill
  // directories, temporary files) goes: the directory is this job's alone (its name carries the key).
  void remove_unlisted();

  void remove_listed(const std::vector<std::string>& names);

  std::vector<std::string> relative(const std::vector<std::filesystem::path>& files) const;
  std::vector<std::filesystem::path> absolute(const std::vector<std::string>& names) const;

  static std::vector<std::uint64_t> read_words(const std::filesystem::path& path, std::uint64_t expect);

  void write_offsets();
  void read_offsets();

  void save_manifest();

  void load_manifest();

  void begin_stage(std::string name);
  void end_stage(std::uint64_t records, std::uint64_t spilled);

  near_dedup_options o_;
  out_of_core_options x_;
  lsh_params lsh_;
  std::shared_ptr<const minhasher> mh_;
  std::filesystem::path work_;
  bool closed_ = false;
  stage_manifest m_;
  near_out_of_core_summary sum_;
  std::chrono::steady_clock::time_point stage_start_{};

  // sign
  sign_emitter sign_emitter_;
  std::unique_ptr<band_sorter> bands_;
  detail::shingle_set_writer sets_;
  std::vector<std::uint64_t> sets_offsets_;
  signature_check check_;
  std::vector<std::uint64_t> sketches_;  // this run's documents, check_.words() each (sign -> components)
  std::unique_ptr<run_writer<std::uint64_t>> sketch_writer_;  // instead, when stage outputs are files
  // kept in memory between stages when nothing is persisted
  std::optional<sorted_reader<detail::band_entry64>> band_reader_;
  std::optional<sorted_reader<detail::edge_entry64>> edge_reader_;
  std::vector<std::uint64_t> roots_;
  std::uint64_t output_records_ = 0;
  index_state index_;
};

}  // namespace millrace::dedup

#if MILLRACE_HEADER_ONLY
#include <millrace/dedup/detail/near_out_of_core_impl.hpp>
#endif

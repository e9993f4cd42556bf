// Near-dedup in bounded memory, as stages over the plan (issue 12; DESIGN.md §8):
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
#pragma once

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
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

#include <fmt/format.h>

#include <unistd.h>

#include <millrace/core/json_value.hpp>
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
#include <millrace/io/atomic_file.hpp>
#include <millrace/observe/memory.hpp>

namespace millrace::dedup {

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
};

/// One stage's figures, in the order the stages ran.
struct stage_report {
  std::string name;           ///< sign, link, components, output
  bool resumed = false;       ///< taken from a previous run's stage output
  bool finished = false;
  double seconds = 0;
  std::uint64_t records = 0;  ///< documents (sign, output), band entries (link), distinct edges (components)
  std::uint64_t bytes_spilled = 0;
  std::uint64_t peak_rss_bytes = 0;  ///< the process's peak resident memory during the stage
};

struct near_out_of_core_summary {
  std::uint64_t documents = 0, kept = 0;   ///< of this run's documents
  std::uint64_t index_documents = 0;      ///< in the reference index before this run (their ordinals come first)
  std::uint64_t candidate_edges = 0, verified_edges = 0, head_edges = 0;
  std::uint64_t check_dropped = 0, verify_dropped = 0;  ///< pairs dropped by the signature check, by verification
  std::vector<stage_report> stages;
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

inline std::uint64_t fold_position(std::uint64_t h, const record_position& p) {
  const std::uint64_t v[3] = {h, p.input, p.offset};
  return XXH3_64bits(v, sizeof v);
}

// Test hook (documented in docs/dedup.md): MILLRACE_TEST_KILL=<stage>:<n> sends SIGKILL to the
// process once stage <stage> has handled n records, to test resuming from a real kill.
inline void test_kill_point(std::string_view stage, std::uint64_t done) {
  static const char* spec = std::getenv("MILLRACE_TEST_KILL");
  if (!spec) return;
  std::string_view s(spec);
  const auto colon = s.find(':');
  if (colon == std::string_view::npos || s.substr(0, colon) != stage) return;
  if (done >= std::strtoull(std::string(s.substr(colon + 1)).c_str(), nullptr, 10)) std::raise(SIGKILL);
}

inline std::uint64_t dir_bytes(const std::vector<std::filesystem::path>& files) {
  std::uint64_t n = 0;
  std::error_code ec;
  for (auto& f : files) {
    const auto s = std::filesystem::file_size(f, ec);
    if (!ec) n += s;
  }
  return n;
}

// The fields of a small JSON object file (the stage manifest, index.json), each read with its
// type checked; `fail` throws, naming the file and what is wrong.
class json_fields {
 public:
  using fail_fn = std::function<void(const std::string&)>;
  json_fields(const std::string& text, fail_fn fail) : fail_(std::move(fail)) {
    try {
      v_ = json::parse(text);
    } catch (const std::exception& e) {
      fail_(e.what());
    }
    if (!v_.is_object()) fail_("not an object");
  }
  const json::value& get(const char* k) const {
    const auto& o = v_.as_object();
    auto it = o.find(k);
    if (it == o.end()) fail_(std::string("no \"") + k + "\"");
    return it->second;
  }
  std::string str(const char* k) const {
    if (!get(k).is_string()) fail_(std::string("\"") + k + "\" is not a string");
    return std::get<std::string>(get(k).v);
  }
  std::uint64_t num(const char* k) const {
    if (!get(k).is_number()) fail_(std::string("\"") + k + "\" is not a number");
    return static_cast<std::uint64_t>(std::get<double>(get(k).v));
  }
  bool flag(const char* k) const { return get(k).is_bool() && std::get<bool>(get(k).v); }
  // A file name inside the directory ("" allowed): never a path that leads out of it.
  std::string file_name(const char* k) const { return checked_name(str(k), true); }
  std::vector<std::string> file_names(const char* k) const {
    if (!get(k).is_array()) fail_(std::string("\"") + k + "\" is not a list");
    std::vector<std::string> out;
    for (auto& e : get(k).as_array()) {
      if (!e.is_string()) fail_(std::string("\"") + k + "\" holds a non-string");
      out.push_back(checked_name(std::get<std::string>(e.v), false));
    }
    return out;
  }

 private:
  std::string checked_name(std::string s, bool empty_ok) const {
    if ((s.empty() && !empty_ok) || s.find('/') != std::string::npos || s == "." || s == "..") fail_("a file name with a path");
    return s;
  }
  json::value v_;
  fail_fn fail_;
};

}  // namespace detail

class near_dedup_out_of_core {
  using band_sorter = external_sorter<detail::band_entry64>;
  using edge_sorter = external_sorter<detail::edge_entry64>;

 public:
  near_dedup_out_of_core(near_dedup_options o, out_of_core_options x)
      : o_(std::move(o)), x_(std::move(x)), lsh_(o_.resolved_lsh()) {
    if (!(o_.threshold > 0.0 && o_.threshold <= 1.0)) throw std::invalid_argument("near_dedup: threshold must be in (0, 1]");
    check_lsh(o_.num_perm, lsh_);
    mh_ = std::make_shared<const minhasher>(minhash_params{o_.num_perm, o_.seed, o_.family});
    // With verify the exact Jaccard decides every pair, and stays exact: the estimate would only
    // lose pairs that verification accepts.
    if (o_.verify) o_.check_signatures = false;
    if (o_.check_signatures) check_ = signature_check(o_.num_perm, o_.threshold);
    if (!x_.index_dir.empty()) load_index();
    open_work_dir();
  }
  near_dedup_out_of_core(const near_dedup_out_of_core&) = delete;
  near_dedup_out_of_core& operator=(const near_dedup_out_of_core&) = delete;
  // Not closed (an error, an exception on the way): nothing of this run is kept.
  ~near_dedup_out_of_core() {
    if (!closed_) remove_work_dir();
  }

  const near_dedup_options& options() const { return o_; }
  lsh_params lsh() const { return lsh_; }
  const std::filesystem::path& work_dir() const { return work_; }
  const near_out_of_core_summary& summary() const { return sum_; }

  /// Whether a stage ("sign", "link", "components") is complete (in this run or a resumed one).
  bool done(std::string_view stage) const {
    if (stage == "sign") return m_.sign;
    if (stage == "link") return m_.link;
    if (stage == "components") return m_.components;
    throw std::invalid_argument("near_dedup_out_of_core::done: no stage '" + std::string(stage) + "'");
  }

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
  void end_sign() {
    if (!bands_) throw std::logic_error("near_dedup_out_of_core::end_sign without sign()");
    m_.documents = sign_emitter_.next;
    m_.position_hash = sign_emitter_.hash;
    if (o_.verify) {
      sets_offsets_ = std::move(sets_.offsets());
      sets_.commit();
    }
    if (persist()) {
      m_.band_runs = relative(bands_->finish_to_runs(work_));
      if (o_.verify) write_offsets();
      if (sketch_writer_) {
        sketch_writer_->commit();
        sketch_writer_.reset();
      }
      bands_.reset();
      m_.sign = true;
      save_manifest();
      // what the stage left on disk (runs spilled while signing were moved into these, not copied)
      auto files = absolute(m_.band_runs);
      for (const char* f : {"sketches.run", "sets.bin", "offsets.run"}) files.push_back(work_ / f);
      end_stage(m_.documents, detail::dir_bytes(files));
    } else {
      band_reader_.emplace(bands_->finish());
      const auto spilled = bands_->stats().bytes_spilled;
      m_.sign = true;
      end_stage(m_.documents, spilled);
    }
  }

  /// The link and components stages (each skipped when already complete).
  void cluster() {
    if (!m_.sign) throw std::logic_error("near_dedup_out_of_core::cluster before the sign stage is complete");
    if (!m_.link) link();
    if (!m_.components) components();
    sum_.documents = m_.documents;
    sum_.index_documents = index_.documents;
    sum_.kept = m_.kept;
    sum_.candidate_edges = m_.candidate_edges;
    sum_.verified_edges = m_.verified_edges;
    sum_.head_edges = m_.head_edges;
    sum_.check_dropped = m_.check_dropped;
    sum_.verify_dropped = m_.verify_dropped;
  }

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
  void close() {
    if (!sum_.stages.empty() && sum_.stages.back().name == "output" && !sum_.stages.back().finished)
      end_stage(output_records_, 0);
    if (!x_.index_dir.empty()) update_index();
    closed_ = true;
    remove_work_dir();
  }

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
    void process(std::vector<detail::signed_batch>&& batches) {
      auto& s = *owner;
      const std::size_t b = s.lsh_.bands;
      for (auto& sb : batches) {
        for (std::size_t i = 0; i < sb.size; ++i) {
          const std::uint64_t d = base + next++;
          if (!sb.positions.empty()) hash = detail::fold_position(hash, sb.positions[i]);
          if (sb.nonempty[i])
            for (std::size_t band = 0; band < b; ++band) s.bands_->push(detail::band_entry64{band, sb.keys[i * b + band], d});
          if (s.o_.verify) s.sets_.append(sb.sets[i]);
        }
        if (s.sketch_writer_) {  // streamed to disk: memory stays flat while signing
          for (std::uint64_t x : sb.sketches) s.sketch_writer_->write(x);
        } else {
          s.sketches_.insert(s.sketches_.end(), sb.sketches.begin(), sb.sketches.end());
        }
        detail::test_kill_point("sign", next);
      }
    }
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
  void link() {
    begin_stage("link");
    std::optional<sorted_reader<detail::band_entry64>> local;
    if (!band_reader_) local.emplace(band_sorter::merge(band_inputs(), spill_options{x_.memory_budget, spill_dir(), false}));
    auto& in = band_reader_ ? *band_reader_ : *local;
    edge_sorter edges(spill_options{x_.memory_budget, spill_dir(), false});
    std::vector<detail::band_entry64> buf;
    detail::band_entry64 prev{~0ull, 0, 0}, head{~0ull, 0, 0};
    bool have_prev = false;
    std::uint64_t n = 0;
    for (;;) {
      buf.clear();
      if (in.read(buf, 1 << 16) == 0) break;
      for (const auto& e : buf) {
        if (have_prev && e.band == prev.band && e.key == prev.key) {
          edges.push(detail::edge_entry64{prev.doc, 2 * e.doc});
          if ((o_.verify || o_.check_signatures) && head.doc != prev.doc) edges.push(detail::edge_entry64{head.doc, 2 * e.doc + 1});
        } else {
          head = e;
        }
        prev = e;
        have_prev = true;
      }
      n += buf.size();
      detail::test_kill_point("link", n);
    }
    band_reader_.reset();
    local.reset();
    std::uint64_t spilled = edges.stats().bytes_spilled;
    if (persist()) {
      m_.edge_runs = relative(edges.finish_to_runs(work_));
      spilled = detail::dir_bytes(absolute(m_.edge_runs));  // spilled runs were moved into these
      m_.link = true;
      save_manifest();
      if (x_.index_dir.empty()) {  // no longer needed (with an index: for its update in close())
        remove_listed(m_.band_runs);
        m_.band_runs.clear();
        save_manifest();
      }
    } else {
      edge_reader_.emplace(edges.finish());
      m_.link = true;
    }
    end_stage(n, spilled);
  }

  // ---- components ----------------------------------------------------------------------------
  void components() {
    begin_stage("components");
    std::optional<sorted_reader<detail::edge_entry64>> local;
    if (!edge_reader_) local.emplace(edge_sorter::merge(absolute(m_.edge_runs), spill_options{x_.memory_budget, spill_dir(), false}));
    auto& in = edge_reader_ ? *edge_reader_ : *local;
    min_root_forest forest(index_.documents + m_.documents);
    std::unique_ptr<detail::shingle_set_reader> sets;
    if (o_.verify) {
      if (sets_offsets_.empty() && m_.documents > 0) read_offsets();
      sets = std::make_unique<detail::shingle_set_reader>(work_ / "sets.bin", std::move(sets_offsets_));
    }
    // The sketches of every ordinal: the index's first, then this run's.
    std::vector<std::uint64_t> sketches;
    const std::size_t w = check_.words();
    if (o_.check_signatures) {
      if (!index_.sketches.empty()) sketches = read_words(x_.index_dir / index_.sketches, index_.documents * w);
      if (sketches_.empty() && m_.documents > 0) sketches_ = read_words(work_ / "sketches.run", m_.documents * w);
      sketches.insert(sketches.end(), sketches_.begin(), sketches_.end());
      std::vector<std::uint64_t>().swap(sketches_);
      if (sketches.size() != (index_.documents + m_.documents) * w)
        throw std::runtime_error((work_ / "sketches.run").string() + ": sketches for a different number of documents");
    }
    std::vector<detail::edge_entry64> buf, pending;
    std::vector<char> ok;  // 0 passed, 1 dropped by the check, 2 by verification
    std::uint64_t last_a = ~0ull, last_b = ~0ull, distinct = 0;
    std::uint64_t candidate = 0, verified = 0, heads = 0, check_dropped = 0, verify_dropped = 0;
    auto flush = [&] {
      if (pending.empty()) return;
      ok.assign(pending.size(), 0);
      if (sets || o_.check_signatures) {
        const double t = o_.threshold;
        parallel_for(0, pending.size(), 256, [&](std::size_t b, std::size_t e) {
          std::vector<std::uint64_t> sa, sb;
          for (std::size_t i = b; i < e; ++i) {
            const std::uint64_t x = pending[i].a, y = pending[i].b();
            if (o_.check_signatures && !check_.keep(sketches.data() + x * w, sketches.data() + y * w)) {
              ok[i] = 1;
              continue;
            }
            if (sets) {
              sets->get(x, sa);
              sets->get(y, sb);
              if (exact_jaccard(sa, sb) < t) ok[i] = 2;
            }
          }
        });
      }
      for (std::size_t i = 0; i < pending.size(); ++i) {
        if (ok[i] == 1) ++check_dropped;
        if (ok[i] == 2) ++verify_dropped;
        if (ok[i]) continue;
        (pending[i].head() ? heads : verified) += 1;
        forest.unite(pending[i].a, pending[i].b());
      }
      pending.clear();
    };
    for (;;) {
      buf.clear();
      if (in.read(buf, 1 << 16) == 0) break;
      for (const auto& e : buf) {
        if (e.a == last_a && e.b() == last_b) continue;  // the same pair from another band
        last_a = e.a;
        last_b = e.b();
        ++distinct;
        if (!e.head()) ++candidate;
        pending.push_back(e);
      }
      flush();
      detail::test_kill_point("components", distinct);
    }
    flush();
    edge_reader_.reset();
    local.reset();
    sets.reset();
    forest.flatten();
    std::uint64_t kept = 0;
    for (std::uint64_t i = index_.documents; i < index_.documents + m_.documents; ++i) kept += forest.root(i) == i;
    m_.kept = kept;
    m_.candidate_edges = candidate;
    m_.verified_edges = verified;
    m_.head_edges = heads;
    m_.check_dropped = check_dropped;
    m_.verify_dropped = verify_dropped;
    std::uint64_t spilled = 0;
    if (persist()) {
      {
        run_writer<std::uint64_t> w(work_ / "roots.run");
        for (std::uint64_t r : forest.roots()) w.write(r);
        w.commit();
      }
      m_.roots = "roots.run";
      spilled = detail::dir_bytes({work_ / m_.roots});
      m_.components = true;
      save_manifest();
      remove_listed(m_.edge_runs);
      m_.edge_runs.clear();
      if (o_.verify) {
        std::error_code ec;
        std::filesystem::remove(work_ / "sets.bin", ec);
        std::filesystem::remove(work_ / "offsets.run", ec);
      }
      if (o_.check_signatures && x_.index_dir.empty()) {  // with an index: read again by its update
        std::error_code ec;
        std::filesystem::remove(work_ / "sketches.run", ec);
      }
      save_manifest();
    } else {
      roots_ = forest.release();
      m_.components = true;
    }
    end_stage(distinct, spilled);
  }

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

  std::vector<std::filesystem::path> band_inputs() const {
    auto runs = absolute(m_.band_runs);
    if (!index_.bands.empty()) runs.push_back(x_.index_dir / index_.bands);
    return runs;
  }

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

  std::string index_options() const {
    return fmt::format("num_perm={} bands={} rows={} shingle={} ngram={} normalize={} seed={} family={}", o_.num_perm,
                       lsh_.bands, lsh_.rows, o_.shingle == shingle_kind::word ? "word" : "char", o_.ngram, o_.normalize,
                       o_.seed, o_.family == hash_family::mersenne61 ? "mersenne61" : "fast32");
  }

  void load_index() {
    namespace fs = std::filesystem;
    if (o_.verify)
      throw std::invalid_argument("near-dedup: a reference index (--index) cannot be combined with verify yet: the index keeps "
                                  "band keys, not the shingle sets verification needs");
    std::error_code ec;
    if (!fs::exists(x_.index_dir, ec)) {
      fs::create_directories(x_.index_dir, ec);
      if (ec) throw io::output_error(x_.index_dir.string(), "cannot create the index directory: " + ec.message());
    }
    if (!fs::is_directory(x_.index_dir, ec)) throw io::output_error(x_.index_dir.string(), "the index is not a directory");
    const auto path = x_.index_dir / "index.json";
    if (!fs::exists(path, ec)) {
      // a new index: the directory must not hold anything else (it is never someone's data dir)
      for (auto& e : fs::directory_iterator(x_.index_dir, ec)) {
        const auto name = e.path().filename().string();
        if (!io::is_atomic_temp_name(name))
          throw io::output_error(x_.index_dir.string(), "not a millrace index (no index.json) and not empty: holds '" + name + "'");
      }
      index_.digest = "new";
      return;
    }
    auto fail = [&](const std::string& why) -> void { throw std::runtime_error(path.string() + ": not a usable index (" + why + ")"); };
    const detail::json_fields f(read_text(path), fail);
    auto str = [&](const char* k) { return f.str(k); };
    auto num = [&](const char* k) { return f.num(k); };
    if (str("format") != index_format) fail("unknown format");
    if (str("options") != index_options())
      throw std::invalid_argument(path.string() + ": the index was built with other near-dedup options (" + str("options") +
                                  "; now " + index_options() + "): band keys would not match");
    index_.documents = num("documents");
    index_.generation = num("generation");
    index_.bands = f.file_name("bands");
    index_.sketches = f.file_name("sketches");
    // This very run (same resume key) already updated the index and was killed before it could
    // remove its work directory: it runs again against the index as it was before, which the
    // update kept for this case, and reaches the same result.
    if (!x_.resume_key.empty() && str("applied_key") == x_.resume_key && index_.generation > 0) {
      index_.documents = num("previous_documents");
      index_.bands = f.file_name("previous_bands");
      index_.sketches = f.file_name("previous_sketches");
      --index_.generation;
    }
    if (o_.check_signatures && index_.documents > 0 && index_.sketches.empty())
      throw std::invalid_argument(path.string() + ": the index keeps no signature sketches (built with the check off): "
                                  "turn the check off for it too (--no-signature-check)");
    if (index_.documents > 0 && index_.bands.empty()) fail("documents without bands");
    index_.digest = "g" + std::to_string(index_.generation);
  }

  // After a successful output pass: the index's entries plus those of this run's survivors,
  // renumbered after the indexed ones, in one merged pass (the order stays sorted: renumbering
  // keeps the survivors' order). The new bands file is complete before index.json names it.
  void update_index() {
    const std::uint64_t m = index_.documents, n = m_.documents;
    std::vector<std::uint64_t> roots = roots_;
    if (roots.empty() && m + n > 0) {
      run_reader<std::uint64_t> r(work_ / m_.roots);
      std::uint64_t v = 0;
      while (r.next(v)) roots.push_back(v);
    }
    if (roots.size() != m + n) throw std::runtime_error((work_ / m_.roots).string() + ": wrong number of roots");
    std::vector<std::uint64_t> renumber(n, ~0ull);
    std::uint64_t next = m;
    for (std::uint64_t i = 0; i < n; ++i)
      if (roots[m + i] == m + i) renumber[i] = next++;
    roots.clear();
    roots.shrink_to_fit();
    const std::string name = fmt::format("bands-{}.run", index_.generation + 1);
    {
      auto in = band_sorter::merge(band_inputs(), spill_options{x_.memory_budget, spill_dir(), false});
      run_writer<detail::band_entry64> w(x_.index_dir / name);
      std::vector<detail::band_entry64> buf;
      for (;;) {
        buf.clear();
        if (in.read(buf, 1 << 16) == 0) break;
        for (auto e : buf) {
          if (e.doc >= m) {
            if (renumber[e.doc - m] == ~0ull) continue;
            e.doc = renumber[e.doc - m];
          }
          w.write(e);
        }
      }
      w.commit();
    }
    std::string sketch_name;
    if (o_.check_signatures) {
      const std::size_t w = check_.words();
      sketch_name = fmt::format("sketches-{}.run", index_.generation + 1);
      run_writer<std::uint64_t> sw(x_.index_dir / sketch_name);
      if (!index_.sketches.empty())
        for (std::uint64_t x : read_words(x_.index_dir / index_.sketches, m * w)) sw.write(x);
      const auto mine = read_words(work_ / "sketches.run", n * w);
      for (std::uint64_t i = 0; i < n; ++i)
        if (renumber[i] != ~0ull)
          for (std::size_t k = 0; k < w; ++k) sw.write(mine[i * w + k]);
      sw.commit();
    }
    const std::string text = fmt::format(
        "{{\"format\":\"{}\",\"options\":{},\"documents\":{},\"generation\":{},\"bands\":{},\"sketches\":{},"
        "\"applied_key\":{},\"previous_documents\":{},\"previous_bands\":{},\"previous_sketches\":{}}}\n",
        index_format, json::quote(index_options()), next, index_.generation + 1, json::quote(name), json::quote(sketch_name),
        json::quote(x_.resume_key), index_.documents, json::quote(index_.bands), json::quote(index_.sketches));
    io::write_file_atomically(x_.index_dir / "index.json", text, x_.fsync ? io::durability::fsync : io::durability::no_fsync);
    // Files of generations before the previous one are no longer named by index.json.
    std::error_code ec;
    for (auto& e : std::filesystem::directory_iterator(x_.index_dir, ec)) {
      const auto f = e.path().filename().string();
      if ((f.starts_with("bands-") || f.starts_with("sketches-")) && f.ends_with(".run") && f != name && f != index_.bands &&
          f != sketch_name && f != index_.sketches)
        std::filesystem::remove(e.path(), ec);
    }
    index_.documents = next;
    index_.bands = name;
    index_.sketches = sketch_name;
    ++index_.generation;
  }

  static std::string read_text(const std::filesystem::path& path) {
    std::string text;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw std::runtime_error(path.string() + ": cannot read: " + std::strerror(errno));
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
    return text;
  }
  std::filesystem::path spill_dir() const { return work_; }
  std::size_t budget_for_sign() const {
    // the shingle sets' write buffer and the emitter's batches come out of the same budget
    return std::max<std::size_t>(x_.memory_budget - std::min(x_.memory_budget / 8, std::size_t(64) << 20), 1 << 16);
  }

  void open_work_dir() {
    namespace fs = std::filesystem;
    fs::path base = x_.tmp_dir.empty() ? fs::temp_directory_path() : x_.tmp_dir;
    std::error_code ec;
    if (!fs::is_directory(base, ec))
      throw io::output_error(base.string(), "the temporary directory does not exist (give --tmp an existing directory)");
    if (persist()) {
      for (char ch : x_.resume_key)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_'))
          throw std::invalid_argument("near_dedup_out_of_core: resume_key may hold only letters, digits, - and _");
      // with an index, its state is part of the name: a resumed run continues against the same index
      work_ = base / ("millrace-near-" + x_.resume_key + (index_.digest.empty() ? "" : "-" + index_.digest));
      if (fs::exists(work_ / "stages.json", ec)) load_manifest();
      fs::create_directory(work_, ec);
      if (ec) throw io::output_error(work_.string(), "cannot create the work directory: " + ec.message());
      remove_unlisted();
    } else {
      std::string tmpl = (base / "millrace-near-XXXXXX").string();
      if (!::mkdtemp(tmpl.data()))
        throw io::output_error(base.string(), std::string("cannot create a temporary directory: ") + std::strerror(errno));
      work_ = tmpl;
    }
    if (::access(work_.c_str(), W_OK) != 0)
      throw io::output_error(work_.string(), "the temporary directory is not writable");
  }

  void remove_work_dir() noexcept {
    if (work_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(work_, ec);
  }

  // Whatever an interrupted run left that the manifest does not list (partial runs, spill
  // directories, temporary files) goes: the directory is this job's alone (its name carries the key).
  void remove_unlisted() {
    std::vector<std::string> keep = {"stages.json"};
    keep.insert(keep.end(), m_.band_runs.begin(), m_.band_runs.end());
    keep.insert(keep.end(), m_.edge_runs.begin(), m_.edge_runs.end());
    if (!m_.roots.empty()) keep.push_back(m_.roots);
    if (m_.sign && !m_.components && o_.verify) {
      keep.push_back("sets.bin");
      keep.push_back("offsets.run");
    }
    if (m_.sign && o_.check_signatures && (!m_.components || !x_.index_dir.empty())) keep.push_back("sketches.run");
    std::error_code ec;
    for (auto& e : std::filesystem::directory_iterator(work_, ec)) {
      const auto name = e.path().filename().string();
      if (std::find(keep.begin(), keep.end(), name) == keep.end()) std::filesystem::remove_all(e.path(), ec);
    }
  }

  void remove_listed(const std::vector<std::string>& names) {
    std::error_code ec;
    for (auto& n : names) std::filesystem::remove(work_ / n, ec);
  }

  std::vector<std::string> relative(const std::vector<std::filesystem::path>& files) const {
    std::vector<std::string> out;
    for (auto& f : files) {
      if (f.parent_path() != work_) throw std::logic_error("near_dedup_out_of_core: a run outside the work directory: " + f.string());
      out.push_back(f.filename().string());
    }
    return out;
  }
  std::vector<std::filesystem::path> absolute(const std::vector<std::string>& names) const {
    std::vector<std::filesystem::path> out;
    for (auto& n : names) out.push_back(work_ / n);
    return out;
  }

  static std::vector<std::uint64_t> read_words(const std::filesystem::path& path, std::uint64_t expect) {
    run_reader<std::uint64_t> r(path);
    std::vector<std::uint64_t> v;
    v.reserve(static_cast<std::size_t>(expect));
    std::uint64_t x = 0;
    while (r.next(x)) v.push_back(x);
    if (v.size() != expect)
      throw std::runtime_error(path.string() + ": " + std::to_string(v.size()) + " values, expected " + std::to_string(expect));
    return v;
  }

  void write_offsets() {
    run_writer<std::uint64_t> w(work_ / "offsets.run");
    for (std::uint64_t off : sets_offsets_) w.write(off);
    w.commit();
  }
  void read_offsets() {
    run_reader<std::uint64_t> r(work_ / "offsets.run");
    sets_offsets_.clear();
    std::uint64_t v = 0;
    while (r.next(v)) sets_offsets_.push_back(v);
    if (sets_offsets_.size() != m_.documents)
      throw std::runtime_error((work_ / "offsets.run").string() + ": " + std::to_string(sets_offsets_.size()) +
                               " offsets for " + std::to_string(m_.documents) + " documents");
  }

  void save_manifest() {
    auto list = [](const std::vector<std::string>& v) {
      std::string s = "[";
      for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + json::quote(v[i]);
      return s + "]";
    };
    const std::string text = fmt::format(
        "{{\"format\":\"{}\",\"key\":{},\"sign\":{},\"link\":{},\"components\":{},\"documents\":{},"
        "\"position_hash\":\"{:016x}\",\"kept\":{},\"candidate_edges\":{},\"verified_edges\":{},\"head_edges\":{},"
        "\"check_dropped\":{},\"verify_dropped\":{},"
        "\"band_runs\":{},\"edge_runs\":{},\"roots\":{}}}\n",
        manifest_format, json::quote(x_.resume_key), m_.sign, m_.link, m_.components, m_.documents, m_.position_hash,
        m_.kept, m_.candidate_edges, m_.verified_edges, m_.head_edges, m_.check_dropped, m_.verify_dropped, list(m_.band_runs), list(m_.edge_runs),
        json::quote(m_.roots));
    io::write_file_atomically(work_ / "stages.json", text, x_.fsync ? io::durability::fsync : io::durability::no_fsync);
  }

  void load_manifest() {
    const auto path = work_ / "stages.json";
    auto fail = [&](const std::string& why) -> void {
      throw std::runtime_error(path.string() + ": not a usable stage manifest (" + why +
                               "); remove the directory " + work_.string() + " to start afresh");
    };
    const detail::json_fields f(read_text(path), fail);
    if (!f.get("format").is_string() || f.str("format") != manifest_format) fail("unknown format");
    auto flag = [&](const char* k) { return f.flag(k); };
    auto num = [&](const char* k) { return f.num(k); };
    m_.sign = flag("sign");
    m_.link = flag("link");
    m_.components = flag("components");
    m_.documents = num("documents");
    m_.kept = num("kept");
    m_.candidate_edges = num("candidate_edges");
    m_.verified_edges = num("verified_edges");
    m_.head_edges = num("head_edges");
    m_.check_dropped = num("check_dropped");
    m_.verify_dropped = num("verify_dropped");
    m_.position_hash = std::strtoull(f.str("position_hash").c_str(), nullptr, 16);
    m_.band_runs = f.file_names("band_runs");
    m_.edge_runs = f.file_names("edge_runs");
    m_.roots = f.str("roots");
    if (m_.components && m_.roots.empty()) fail("components complete without roots");
    for (auto [name, done] : {std::pair{"sign", m_.sign}, {"link", m_.link}, {"components", m_.components}})
      if (done) {
        stage_report r;
        r.name = name;
        r.resumed = r.finished = true;
        sum_.stages.push_back(r);
      }
  }

  void begin_stage(std::string name) {
    stage_report r;
    r.name = std::move(name);
    sum_.stages.push_back(r);
    reset_peak_rss();
    stage_start_ = std::chrono::steady_clock::now();
    if (x_.on_stage) x_.on_stage(sum_.stages.back());
  }
  void end_stage(std::uint64_t records, std::uint64_t spilled) {
    auto& r = sum_.stages.back();
    r.finished = true;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - stage_start_).count();
    r.records = records;
    r.bytes_spilled = spilled;
    r.peak_rss_bytes = peak_rss_bytes();
    if (x_.on_stage) x_.on_stage(r);
  }

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

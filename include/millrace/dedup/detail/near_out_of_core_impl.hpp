// millrace/dedup/detail/near_out_of_core_impl.hpp — the out-of-core near-dedup's non-template
// definitions: the link and components stages, the work directory, its stage manifest and the
// reference index (dedup/near_out_of_core.hpp declares). Included by dedup/near_out_of_core.hpp in
// header-only mode, compiled once into millrace::compiled (src/dedup.cpp) otherwise.
#pragma once

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <unistd.h>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include <millrace/core/json_value.hpp>
#include <millrace/core/parallel.hpp>
#include <millrace/core/spill.hpp>
#include <millrace/dedup/components.hpp>
#include <millrace/dedup/detail/shingle_set_store.hpp>
#include <millrace/dedup/jaccard.hpp>
#include <millrace/dedup/near_out_of_core.hpp>
#include <millrace/detail/config.hpp>
#include <millrace/io/atomic_file.hpp>
#include <millrace/observe/memory.hpp>

namespace millrace::dedup {

namespace detail {

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

MILLRACE_INLINE std::uint64_t fold_position(std::uint64_t h, const record_position& p) {
  const std::uint64_t v[3] = {h, p.input, p.offset};
  return XXH3_64bits(v, sizeof v);
}

MILLRACE_INLINE void test_kill_point(std::string_view stage, std::uint64_t done) {
  static const char* spec = std::getenv("MILLRACE_TEST_KILL");
  if (!spec) return;
  std::string_view s(spec);
  const auto colon = s.find(':');
  if (colon == std::string_view::npos || s.substr(0, colon) != stage) return;
  if (done >= std::strtoull(std::string(s.substr(colon + 1)).c_str(), nullptr, 10)) std::raise(SIGKILL);
}

MILLRACE_INLINE std::uint64_t dir_bytes(const std::vector<std::filesystem::path>& files) {
  std::uint64_t n = 0;
  std::error_code ec;
  for (auto& f : files) {
    const auto s = std::filesystem::file_size(f, ec);
    if (!ec) n += s;
  }
  return n;
}

}  // namespace detail

MILLRACE_INLINE near_dedup_out_of_core::near_dedup_out_of_core(near_dedup_options o, out_of_core_options x)
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

MILLRACE_INLINE near_dedup_out_of_core::~near_dedup_out_of_core() {
  if (!closed_) remove_work_dir();
}

MILLRACE_INLINE bool near_dedup_out_of_core::done(std::string_view stage) const {
  if (stage == "sign") return m_.sign;
  if (stage == "link") return m_.link;
  if (stage == "components") return m_.components;
  throw std::invalid_argument("near_dedup_out_of_core::done: no stage '" + std::string(stage) + "'");
}

MILLRACE_INLINE void near_dedup_out_of_core::end_sign() {
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

MILLRACE_INLINE void near_dedup_out_of_core::cluster() {
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

MILLRACE_INLINE void near_dedup_out_of_core::close() {
  if (!sum_.stages.empty() && sum_.stages.back().name == "output" && !sum_.stages.back().finished)
    end_stage(output_records_, 0);
  if (!x_.index_dir.empty()) update_index();
  closed_ = true;
  remove_work_dir();
}

MILLRACE_INLINE void near_dedup_out_of_core::sign_emitter::process(std::vector<detail::signed_batch>&& batches) {
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

MILLRACE_INLINE void near_dedup_out_of_core::link() {
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

MILLRACE_INLINE void near_dedup_out_of_core::components() {
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

MILLRACE_INLINE std::vector<std::filesystem::path> near_dedup_out_of_core::band_inputs() const {
  auto runs = absolute(m_.band_runs);
  if (!index_.bands.empty()) runs.push_back(x_.index_dir / index_.bands);
  return runs;
}

MILLRACE_INLINE std::string near_dedup_out_of_core::index_options() const {
  return fmt::format("num_perm={} bands={} rows={} shingle={} ngram={} normalize={} seed={} family={}", o_.num_perm,
                     lsh_.bands, lsh_.rows, o_.shingle == shingle_kind::word ? "word" : "char", o_.ngram, o_.normalize,
                     o_.seed, o_.family == hash_family::mersenne61 ? "mersenne61" : "fast32");
}

MILLRACE_INLINE void near_dedup_out_of_core::load_index() {
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

MILLRACE_INLINE void near_dedup_out_of_core::update_index() {
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
      "{{\"format\":{},\"options\":{},\"documents\":{},\"generation\":{},\"bands\":{},\"sketches\":{},"
      "\"applied_key\":{},\"previous_documents\":{},\"previous_bands\":{},\"previous_sketches\":{}}}\n",
      json::quote(index_format), json::quote(index_options()), next, index_.generation + 1, json::quote(name), json::quote(sketch_name),
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

MILLRACE_INLINE std::string near_dedup_out_of_core::read_text(const std::filesystem::path& path) {
  std::string text;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error(path.string() + ": cannot read: " + std::strerror(errno));
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return text;
}

MILLRACE_INLINE std::size_t near_dedup_out_of_core::budget_for_sign() const {
  // the shingle sets' write buffer and the emitter's batches come out of the same budget
  return std::max<std::size_t>(x_.memory_budget - std::min(x_.memory_budget / 8, std::size_t(64) << 20), 1 << 16);
}

MILLRACE_INLINE void near_dedup_out_of_core::open_work_dir() {
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

MILLRACE_INLINE void near_dedup_out_of_core::remove_work_dir() noexcept {
  if (work_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(work_, ec);
}

MILLRACE_INLINE void near_dedup_out_of_core::remove_unlisted() {
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

MILLRACE_INLINE void near_dedup_out_of_core::remove_listed(const std::vector<std::string>& names) {
  std::error_code ec;
  for (auto& n : names) std::filesystem::remove(work_ / n, ec);
}

MILLRACE_INLINE std::vector<std::string> near_dedup_out_of_core::relative(const std::vector<std::filesystem::path>& files) const {
  std::vector<std::string> out;
  for (auto& f : files) {
    if (f.parent_path() != work_) throw std::logic_error("near_dedup_out_of_core: a run outside the work directory: " + f.string());
    out.push_back(f.filename().string());
  }
  return out;
}

MILLRACE_INLINE std::vector<std::filesystem::path> near_dedup_out_of_core::absolute(const std::vector<std::string>& names) const {
  std::vector<std::filesystem::path> out;
  for (auto& n : names) out.push_back(work_ / n);
  return out;
}

MILLRACE_INLINE std::vector<std::uint64_t> near_dedup_out_of_core::read_words(const std::filesystem::path& path, std::uint64_t expect) {
  run_reader<std::uint64_t> r(path);
  std::vector<std::uint64_t> v;
  v.reserve(static_cast<std::size_t>(expect));
  std::uint64_t x = 0;
  while (r.next(x)) v.push_back(x);
  if (v.size() != expect)
    throw std::runtime_error(path.string() + ": " + std::to_string(v.size()) + " values, expected " + std::to_string(expect));
  return v;
}

MILLRACE_INLINE void near_dedup_out_of_core::write_offsets() {
  run_writer<std::uint64_t> w(work_ / "offsets.run");
  for (std::uint64_t off : sets_offsets_) w.write(off);
  w.commit();
}

MILLRACE_INLINE void near_dedup_out_of_core::read_offsets() {
  run_reader<std::uint64_t> r(work_ / "offsets.run");
  sets_offsets_.clear();
  std::uint64_t v = 0;
  while (r.next(v)) sets_offsets_.push_back(v);
  if (sets_offsets_.size() != m_.documents)
    throw std::runtime_error((work_ / "offsets.run").string() + ": " + std::to_string(sets_offsets_.size()) +
                             " offsets for " + std::to_string(m_.documents) + " documents");
}

MILLRACE_INLINE void near_dedup_out_of_core::save_manifest() {
  auto list = [](const std::vector<std::string>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {  // two appends: g++ 12 warns (-Wrestrict, PR 105329) on "," + string&&
      if (i) s += ',';
      s += json::quote(v[i]);
    }
    return s + "]";
  };
  const std::string text = fmt::format(
      "{{\"format\":{},\"key\":{},\"sign\":{},\"link\":{},\"components\":{},\"documents\":{},"
      "\"position_hash\":\"{:016x}\",\"kept\":{},\"candidate_edges\":{},\"verified_edges\":{},\"head_edges\":{},"
      "\"check_dropped\":{},\"verify_dropped\":{},"
      "\"band_runs\":{},\"edge_runs\":{},\"roots\":{}}}\n",
      json::quote(manifest_format), json::quote(x_.resume_key), m_.sign, m_.link, m_.components, m_.documents, m_.position_hash,
      m_.kept, m_.candidate_edges, m_.verified_edges, m_.head_edges, m_.check_dropped, m_.verify_dropped, list(m_.band_runs), list(m_.edge_runs),
      json::quote(m_.roots));
  io::write_file_atomically(work_ / "stages.json", text, x_.fsync ? io::durability::fsync : io::durability::no_fsync);
}

MILLRACE_INLINE void near_dedup_out_of_core::load_manifest() {
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

MILLRACE_INLINE void near_dedup_out_of_core::begin_stage(std::string name) {
  stage_report r;
  r.name = std::move(name);
  sum_.stages.push_back(r);
  reset_peak_rss();
  stage_start_ = std::chrono::steady_clock::now();
  if (x_.on_stage) x_.on_stage(sum_.stages.back());
}

MILLRACE_INLINE void near_dedup_out_of_core::end_stage(std::uint64_t records, std::uint64_t spilled) {
  auto& r = sum_.stages.back();
  r.finished = true;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - stage_start_).count();
  r.records = records;
  r.bytes_spilled = spilled;
  r.peak_rss_bytes = peak_rss_bytes();
  if (x_.on_stage) x_.on_stage(r);
}

}  // namespace millrace::dedup

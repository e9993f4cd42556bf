// millrace-dedup: exact or near (MinHash-LSH) deduplication of JSONL shards. Kept records are
// written unchanged, in input order; optional per-document clusters file and JSON report.
//   millrace-dedup --input data/sample/ --output out/ --threshold 0.8 --clusters clusters.jsonl --report report.json
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <millrace/cli/parameters.hpp>
#include <millrace/core.hpp>
#include <millrace/cuda/device_option.hpp>
#if defined(MILLRACE_HAVE_CUDA_BACKEND)
#include <millrace/cuda/dedup_stages.hpp>
#endif
#include <millrace/dedup/near_out_of_core.hpp>
#include <millrace/dedup/operators.hpp>
#include <millrace/io/atomic_file.hpp>
#include <millrace/io/json.hpp>
#include <millrace/io/output_paths.hpp>
#include <millrace/io/read.hpp>
#include <millrace/io/write.hpp>

namespace mr = millrace;
namespace dd = millrace::dedup;
namespace io = millrace::io;

namespace {

struct job_config {
  std::string device = "cpu";  // --device: cpu (default) or gpu (millrace/cuda/device_option.hpp)
  std::vector<std::string> inputs;
  std::string output, mode = "near", preset, clusters_file, report_file, text_field = "text", id_field = "id";
  std::string on_bad = "fail", rejects;
  std::size_t threads = 0, batch_size = 1024, shard_records = 0;
  std::string memory, tmp, index;
  std::int64_t max_rejects = -1;   // -1: the default limit (io::reject_limit)
  bool in_memory = false, no_resume = false;
  bool no_fsync = false, streaming = false, zstd = false, quiet = false;
};

// The dedup operators' parameters as one module: what --config FILE.json sets
// ({"near": {"threshold": 0.7, "lsh": {"bands": 20, "rows": 10}}, "max_index_docs": 0, "exact": {"normalize": true}})
// and what the near and exact flags set (millrace/cli/parameters.hpp).
struct job_parameters {
  dd::near_streaming_options near_stream;  // .near: near dedup's options; .max_index_docs: --streaming's bound
  dd::exact_options exact;
  auto parameters() {
    return mr::params(mr::param("near", near_stream.near, "near dedup (dd::near_dedup_options)"),
                      mr::param("max_index_docs", near_stream.max_index_docs, "--streaming: kept records in the index (0 = all)"),
                      mr::param("exact", exact, "exact dedup (dd::exact_options)"));
  }
};

const char* family_name(dd::hash_family f) { return f == dd::hash_family::fast32 ? "fast32" : "mersenne61"; }

// A record as the dedup stages see it: the original line (written back unchanged), its text and
// its id as JSON text (a string or a number as given; null when absent).
struct doc {
  std::string raw, text, id_json;
  mr::record_position position;  // where it is in the input: the out-of-core passes check they saw the same records
};

// The reader's decode hook, run in parallel per line with its file:line provenance: a line
// without a string text field is a bad record (fail or reject, per --on-bad). The raw bytes are
// taken, not copied, and written back unchanged.
auto doc_decoder(std::string text_field, std::string id_field) {
  return [text_field = std::move(text_field), id_field = std::move(id_field)](io::json_line& l) {
    auto t = l.get_string(text_field);
    if (!t) throw io::bad_record("no string field \"" + text_field + "\"");
    doc d;
    d.text = std::move(*t);
    d.id_json = l.get_json(id_field).value_or("null");
    d.raw = l.take_text();  // last: fields cannot be read after it
    return d;
  };
}

// "512M", "4G", "1.5G", "65536": bytes (K, M, G, T are powers of 1024; a trailing B or iB is allowed).
std::size_t parse_size(const std::string& text, const char* flag) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  std::string unit = text.substr(used);
  if (!unit.empty() && (unit.back() == 'B' || unit.back() == 'b')) unit.pop_back();
  if (unit.size() == 2 && unit[1] == 'i') unit.pop_back();
  double mult = 1;
  if (unit == "K" || unit == "k") mult = 1024.0;
  else if (unit == "M" || unit == "m") mult = 1024.0 * 1024;
  else if (unit == "G" || unit == "g") mult = 1024.0 * 1024 * 1024;
  else if (unit == "T" || unit == "t") mult = 1024.0 * 1024 * 1024 * 1024;
  else if (!unit.empty()) used = 0;
  if (used == 0 || !(v > 0) || v * mult < 65536.0 || v * mult > 1e18)
    throw std::invalid_argument(std::string(flag) + " '" + text + "': give a size of at least 64K, such as 512M or 4G");
  return static_cast<std::size_t>(v * mult);
}

// A quarter of the machine's RAM: room for the union-find, the page cache and everything else.
std::size_t default_memory_budget() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return std::size_t(1) << 30;
  return std::max<std::size_t>(std::size_t(pages) * std::size_t(page) / 4, std::size_t(64) << 20);
}

// Names the stage outputs of one job: the same inputs (paths, sizes, modification times) and the
// same options that shape the clusters give the same key, so a rerun after a kill resumes.
std::string fingerprint(const job_config& c, const dd::near_dedup_options& no, const std::vector<std::filesystem::path>& files) {
  const auto lsh = no.resolved_lsh();
  std::string s = fmt::format("millrace-dedup/1|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", no.threshold, no.num_perm, no.ngram,
                              mr::json::quote(no.shingle == dd::shingle_kind::word ? "word" : "char"), lsh.bands, lsh.rows, no.verify,
                              no.normalize, no.seed, family_name(no.family), c.text_field, c.id_field, c.on_bad, c.max_rejects);
  for (const auto& f : files) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(f, ec);
    const auto mtime = std::filesystem::last_write_time(f, ec).time_since_epoch().count();
    s += fmt::format("|{}|{}|{}", f.string(), ec ? 0 : size, ec ? 0 : mtime);
  }
  return fmt::format("{:016x}", XXH3_64bits(s.data(), s.size()));
}

// --clusters: one JSON line per input document, in input order, written through an atomic_file
// (renamed into place when the run succeeds; removed when it fails).
class clusters_writer {
 public:
  explicit clusters_writer(const std::string& path) {
    if (!path.empty()) file_ = io::atomic_file(path);
  }
  void add(const doc& d, std::uint64_t cluster, bool kept) {
    ++docs_;
    kept_ += kept;
    bytes_ += d.raw.size() + 1;
    if (!file_.is_open()) return;
    line_ = fmt::format("{{\"id\":{},\"cluster\":{},\"kept\":{}}}\n", d.id_json, cluster, kept ? "true" : "false");
    file_.write(line_);
  }
  void commit() {
    if (file_.is_open()) file_.commit();
  }
  std::uint64_t docs() const { return docs_; }
  std::uint64_t kept() const { return kept_; }
  std::uint64_t bytes() const { return bytes_; }  // JSONL bytes of the documents (uncompressed)

 private:
  io::atomic_file file_;
  std::string line_;
  std::uint64_t docs_ = 0, kept_ = 0, bytes_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  job_config c;
  CLI::App app{"millrace-dedup: exact or near-duplicate removal for JSONL (.jsonl, .jsonl.zst). Near mode: normalize -> "
               "shingles -> MinHash -> LSH bands -> candidate pairs -> (verify) -> connected components; the kept "
               "record of each cluster is its first in input order. Output: the kept records, unchanged, in input "
               "order. Same input and seed give byte-identical output for any thread count."};
  app.add_option("--input,-i", c.inputs, "input files, directories or globs (.jsonl, .jsonl.zst); repeatable")->required();
  app.add_option("--output,-o", c.output, "output directory for the kept records (shards + manifest.json)")->required();
  app.add_option("--mode", c.mode, "exact: identical (optionally normalized) text; near: MinHash-LSH")
      ->check(CLI::IsMember({"exact", "near"}))->capture_default_str();
  // Before the parameters' flags: CLI11 runs option callbacks in the order they were added, so a
  // preset is applied first, then --config, then each flag given.
  job_parameters jp;
  dd::near_dedup_options& no = jp.near_stream.near;
  app.add_option_function<std::string>(
         "--preset",
         [&](const std::string& name) {
           no = dd::near_dedup_options::preset(name);
           c.preset = name;
         },
         "near: datatrove (word 5-grams, 112 perms, 14x8) or nemo (char 24-grams, 260 perms, 20x13); other flags override it")
      ->check(CLI::IsMember({"datatrove", "nemo"}));
  mr::cli::add_config_file(app, jp, "--config",
                           "JSON file of parameters: {\"near\": {...}, \"max_index_docs\": N, \"exact\": {...}} (the names of "
                           "mr::describe; docs/dedup.md), applied after --preset; flags given override it");
  const auto nf = mr::cli::add_parameters(
      app, no,
      {.flags = {{"threshold", "--threshold", "Jaccard similarity threshold (chooses bands x rows unless given)"},
                 {"num_perm", "--num-perm", "MinHash permutations"},
                 {"lsh.bands", "--bands", "LSH bands (with --rows)"},
                 {"lsh.rows", "--rows", "LSH rows per band (with --bands)"},
                 {"ngram", "--ngram", "shingle size (default 5 words, or 24 characters with --shingle char)"},
                 {"check_signatures", "--no-signature-check",
                  "keep every candidate pair of a bucket (datatrove's behaviour); by default a pair whose Jaccard, estimated "
                  "from 4-bit sketches of the signatures (56 bytes per document), is clearly below the threshold does not merge "
                  "clusters (kept with ~90% probability at the threshold, ~99% 0.05 above it; not with --verify, which is exact)"},
                 {"normalize", "--no-normalize", "shingle the raw text (default: lowercase, strip accents, punctuation, digits, spaces)"}},
       .group = "Near dedup (--mode near)"});
  nf["lsh.bands"]->needs(nf["lsh.rows"]);
  nf["lsh.rows"]->needs(nf["lsh.bands"]);
  mr::cli::add_parameters(app, jp, {.skip = {"near", "exact"}, .group = "Near dedup (--mode near)"});  // --max-index-docs
  mr::cli::add_parameters(app, jp.exact, {.prefix = "exact-", .skip = {"normalization"}, .group = "Exact dedup (--mode exact)"});
  app.add_flag("--streaming", c.streaming, "near: streaming mode (online index of kept records, no barrier)");
  app.add_option("--memory", c.memory, "near: memory budget for the sorted exchanges, e.g. 512M, 4G (default: a quarter of "
                 "the RAM); beyond it sorted runs spill to --tmp. The union-find's 8 bytes per document come on top");
  app.add_option("--tmp", c.tmp, "near: directory for spill files and stage outputs (default: the output directory); "
                 "it holds a millrace-near-<fingerprint> directory while the job runs, removed at the end");
  app.add_flag("--no-resume", c.no_resume, "near: do not keep stage outputs for a resumed run (an interrupted run then starts "
               "again from the beginning; stages that fit the budget then never touch the disk)");
  app.add_option("--index", c.index, "near: a reference index directory: documents near-duplicate to an indexed one are "
                 "removed too, and this run's survivors are added to it (created when missing; cross-dataset dedup). "
                 "Clusters then number the indexed documents first");
  app.add_flag("--in-memory", c.in_memory, "near: the in-memory operator (holds every record until the end: about 2x the input "
               "in RAM); same output, for comparison");
  app.add_option("--text-field", c.text_field, "JSON field holding the text")->capture_default_str();
  app.add_option("--id-field", c.id_field, "JSON field holding the id (written to --clusters; null if absent)")->capture_default_str();
  app.add_option("--clusters", c.clusters_file, "write {\"id\",\"cluster\",\"kept\"} per input record, in input order; "
                 "cluster = 0-based input position of the cluster's kept record");
  app.add_option("--report", c.report_file, "write counts, parameters and per-stage times as JSON");
  app.add_option("--threads,-t", c.threads, "worker threads (0 = all cores)")->capture_default_str();
  app.add_option("--batch-size", c.batch_size, "records per batch")->capture_default_str();
  app.add_option("--on-bad", c.on_bad, "bad input line (invalid JSON, no text field): fail with file:line, or reject")
      ->check(CLI::IsMember({"fail", "reject"}))->capture_default_str();
  app.add_option("--rejects", c.rejects, "with --on-bad reject: JSONL file receiving the bad lines and reasons");
  app.add_option("--max-rejects", c.max_rejects, "with --on-bad reject: fail once more than N lines are rejected "
                 "(0 = no limit; default: more than 10000 that are also over half of the lines read)");
  app.add_option("--shard-records", c.shard_records, "records per output shard (0 = one shard)")->capture_default_str();
  app.add_flag("--zstd", c.zstd, "zstd-compress the output shards");
  app.add_flag("--no-fsync", c.no_fsync, "do not flush shards and manifest to the device before renaming them "
               "(faster on scratch disks; a power cut may then lose a run that said it was complete)");
  app.add_flag("--quiet,-q", c.quiet, "no progress bar (it is only drawn when stderr is a terminal anyway)");
  app.add_option("--device", c.device, "cpu, or gpu (CUDA; stops with the reason when no device can be used)")
      ->check(CLI::IsMember({"cpu", "gpu"}))->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (int rc = millrace::cuda::check_device_option("millrace-dedup", c.device); rc != 0) return rc;

  const auto job_start = std::chrono::steady_clock::now();
  try {
    // The near options: the preset, then --config, then the flags given (their callbacks ran in that order).
    if (nf.given("shingle") && !nf.given("ngram") && no.shingle == dd::shingle_kind::character) no.ngram = 24;
    if (!c.preset.empty() && nf.given("num_perm") && !nf.given("lsh.bands"))
      // a preset's bands x rows are never replaced behind the user's back
      throw std::invalid_argument("--preset " + c.preset + " with --num-perm: give --bands and --rows too (the preset's " +
                                  std::to_string(no.lsh->bands) + "x" + std::to_string(no.lsh->rows) + " bands may not fit)");
    // With a preset, --threshold keeps the preset's bands x rows: it sets the threshold of the
    // signature check and of --verify only (the progress line and the report show both).
    if (no.verify) no.check_signatures = false;  // --verify is exact: it decides every pair
    const dd::exact_options& eo = jp.exact;
    const bool near = c.mode == "near";
    if (!c.index.empty() && (!near || c.streaming || c.in_memory))
      throw std::invalid_argument("--index works with --mode near (not --streaming, not --in-memory)");
    const dd::lsh_params lsh = no.resolved_lsh();
    if (near) dd::check_lsh(no.num_perm, lsh);

    io::read_options ro;
    ro.policy = c.on_bad == "reject" ? io::on_bad_record::reject : io::on_bad_record::fail;
    ro.rejects_file = c.rejects;
    if (!c.rejects.empty() && ro.policy == io::on_bad_record::fail)
      throw std::invalid_argument("--rejects needs --on-bad reject");
    if (c.max_rejects >= 0) ro.max_rejects = {.max = std::uint64_t(c.max_rejects), .fraction = 0};
    // Before reading anything: an output that overlaps an input, or that cannot be written, stops here.
    io::check_outputs(c.inputs, {.dir = c.output, .files = {c.report_file, c.clusters_file, c.rejects}});
    const auto files = io::expand_inputs(c.inputs);  // throws if an input matches nothing

    const auto decode = doc_decoder(c.text_field, c.id_field);
    auto make_front = [&](const io::read_options& r) { return io::read_jsonl_as(c.inputs, decode, r); };
    auto front = make_front(ro);
    auto to_record = mr::map(
        [](doc d) {
          io::json_record r;
          r.raw = std::move(d.raw);
          return r;
        },
        "to_record");
    io::write_options wo;
    wo.zstd = c.zstd;
    wo.max_records_per_shard = c.shard_records;
    wo.prefix = "dedup";
    wo.fsync = !c.no_fsync;
    auto sink = io::write_jsonl(c.output, wo);

    clusters_writer clusters(c.clusters_file);
    auto on_cluster = [&clusters](const doc& d, std::uint64_t cl, bool kept) { clusters.add(d, cl, kept); };
    auto text_of = [](const doc& d) { return std::string_view(d.text); };
    const mr::cpu exec{.threads = c.threads, .batch_size = c.batch_size};
    mr::run_options opts;
    if (!c.quiet && ::isatty(STDERR_FILENO)) opts.on_progress = mr::progress_bar("millrace-dedup");

    mr::run_report report;
    dd::near_dedup_result batch_result;
    std::string stages_json;
    std::vector<std::uint64_t> stage_peaks;
    std::size_t budget = 0;
    if (c.device == "gpu") {  // check_device_option let it through: a device is there (docs/gpu.md)
#if defined(MILLRACE_HAVE_CUDA_BACKEND)
      if (near && c.streaming) throw std::invalid_argument("--device gpu: --streaming is not done on the GPU; drop one");
      if (near) {
        millrace::cuda::gpu_near_stage<doc, decltype(text_of)> st(no, text_of, on_cluster);
        report = mr::run(front | mr::stage(std::ref(st), "dedup.near.gpu") | to_record | sink, exec, opts);
        batch_result = st.result();
      } else {
        millrace::cuda::gpu_exact_stage<doc, decltype(text_of)> st(eo, text_of, on_cluster);
        report = mr::run(front | mr::stage(std::ref(st), "dedup.exact.gpu") | to_record | sink, exec, opts);
      }
#endif
    } else if (!near) {
      report = mr::run(front | dd::exact(eo, text_of, on_cluster, "dedup.exact") | to_record | sink, exec, opts);
    } else if (c.streaming) {
      report = mr::run(front | dd::near_streaming(jp.near_stream, text_of, on_cluster) | to_record | sink, exec, opts);
    } else if (c.in_memory) {
      auto st = dd::make_near_stage(no, text_of, on_cluster);
      report = mr::run(front | mr::stage(std::ref(st), "dedup.near") | to_record | sink, exec, opts);
      batch_result = st.result();  // the run worked on st itself (std::ref)
    } else {
      // Out of core: sign -> exchange -> link -> components, then a second pass writes the survivors.
      budget = c.memory.empty() ? default_memory_budget() : parse_size(c.memory, "--memory");
      const std::filesystem::path tmp = c.tmp.empty() ? std::filesystem::path(c.output) : std::filesystem::path(c.tmp);
      if (!c.tmp.empty()) io::check_outputs(c.inputs, {.dir = c.tmp, .files = {}});
      dd::out_of_core_options xo;
      xo.memory_budget = budget;
      xo.tmp_dir = tmp;
      xo.fsync = !c.no_fsync;
      if (!c.no_resume) xo.resume_key = fingerprint(c, no, files);
      if (!c.index.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(c.index, ec);
        io::check_outputs(c.inputs, {.dir = c.index, .files = {}});
        xo.index_dir = c.index;
      }

      const bool tty = !c.quiet && ::isatty(STDERR_FILENO);
      xo.on_stage = [tty](const dd::stage_report& r) {
        if (tty && !r.finished) fmt::print(stderr, "millrace-dedup: stage {}\n", r.name);
      };
      dd::near_dedup_out_of_core nd(no, xo);
      if (!nd.done("sign")) {
        // The sign pass only counts rejects (same policy and limit); the output pass writes the file.
        io::read_options ro1 = ro;
        ro1.rejects_file.clear();
        mr::run_options o1;
        if (tty) o1.on_progress = mr::progress_bar("millrace-dedup [1/4 sign]");
        mr::run(make_front(ro1) | nd.sign(text_of), exec, o1);
        nd.end_sign();
      }
      nd.cluster();
      if (tty) opts.on_progress = mr::progress_bar("millrace-dedup [4/4 output]");
      report = mr::run(front | nd.survivors<doc>(on_cluster) | to_record | sink, exec, opts);
      nd.close();
      const auto& sm = nd.summary();
      batch_result.candidate_edges = sm.candidate_edges;
      batch_result.check_dropped = sm.check_dropped;
      batch_result.verify_dropped = sm.verify_dropped;
      batch_result.verified_edges = sm.verified_edges;
      batch_result.head_edges = sm.head_edges;
      for (const auto& st : sm.stages) stage_peaks.push_back(st.peak_rss_bytes);
      for (const auto& st : sm.stages)
        stages_json += fmt::format("{}{{\"name\":{},\"resumed\":{},\"seconds\":{:.6f},\"records\":{},\"bytes_spilled\":{},"
                                   "\"peak_rss_bytes\":{}}}",
                                   stages_json.empty() ? "" : ",", mr::json::quote(st.name), st.resumed, st.seconds, st.records,
                                   st.bytes_spilled, st.peak_rss_bytes);
    }
    clusters.commit();

    const std::uint64_t lines = report.find("read_jsonl") ? report.find("read_jsonl")->records_out : 0;
    const std::uint64_t rejected = report.rejected(), docs = clusters.docs(), kept = clusters.kept();
    const std::uint64_t written = report.records_out();
    // every pass of the job (the out-of-core mode reads the input twice)
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - job_start).count();
    struct rusage ru {};
    ::getrusage(RUSAGE_SELF, &ru);
    // The out-of-core stages reset the kernel's peak (VmHWM, and with it ru_maxrss) to measure their
    // own: the job's peak is the largest of theirs and of what came after.
    std::uint64_t peak_rss = std::uint64_t(ru.ru_maxrss) * 1024;
    for (auto p : stage_peaks) peak_rss = std::max(peak_rss, p);
    const std::uint64_t input_bytes = clusters.bytes();
    if (lines != docs + rejected || written != kept) {
      fmt::print(stderr, "millrace-dedup: internal error: counts do not add up (lines {}, documents {}, rejected {}, kept {}, written {})\n",
                 lines, docs, rejected, kept, written);
      return 3;
    }
    if (!c.quiet) fmt::print("{}\n", report);
    std::string params;
    if (near)
      params = fmt::format(
          "\"threshold\":{},\"num_perm\":{},\"bands\":{},\"rows\":{},\"shingle\":{},\"ngram\":{},\"normalize\":{},"
          "\"verify\":{},\"streaming\":{},\"in_memory\":{},\"family\":{},\"seed\":{},\"signature_check\":{},\"candidate_edges\":{},\"verified_edges\":{},\"head_edges\":{},"
          "\"check_dropped\":{},\"verify_dropped\":{},"
          "\"memory_budget\":{},\"stages\":[{}],",
          no.threshold, no.num_perm, lsh.bands, lsh.rows, no.shingle == dd::shingle_kind::word ? "word" : "char", no.ngram,
          no.normalize, no.verify, c.streaming, c.in_memory, mr::json::quote(family_name(no.family)), no.seed, no.check_signatures, batch_result.candidate_edges, batch_result.verified_edges,
          batch_result.head_edges, batch_result.check_dropped, batch_result.verify_dropped, budget, stages_json);
    else
      params = fmt::format("\"normalize\":{},", eo.normalize);
    const std::string json = fmt::format(
        "{{\"mode\":{},\"lines\":{},\"documents\":{},\"kept\":{},\"duplicates\":{},\"rejected\":{},\"document_bytes\":{},"
        "\"wall_s\":{:.6f},\"mb_per_s\":{:.3f},\"peak_rss_bytes\":{},\"threads\":{},{}\"run\":{}}}\n",
        mr::json::quote(c.mode), lines, docs, kept, docs - kept, rejected, input_bytes, secs, secs > 0 ? double(input_bytes) / 1e6 / secs : 0.0,
        peak_rss, report.threads, params, report.to_json());
    if (!c.report_file.empty()) io::write_file_atomically(c.report_file, json);
    fmt::print("millrace-dedup ({}{}): {} lines, {} documents, {} kept, {} duplicates, {} rejected; {:.1f} MB in {:.2f} s "
               "({:.1f} MB/s) -> {}\n",
               c.mode, near ? fmt::format(", {}x{} bands, threshold {}{}{}", lsh.bands, lsh.rows, no.threshold, no.check_signatures ? ", signature check" : "", no.verify ? ", verify" : "") : std::string(),
               lines, docs, kept, docs - kept, rejected, double(input_bytes) / 1e6, secs,
               secs > 0 ? double(input_bytes) / 1e6 / secs : 0.0, c.output);
    io::check_stdout();
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "millrace-dedup: {}\n", e.what());
    return 1;
  }
}

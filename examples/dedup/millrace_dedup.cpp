// millrace-dedup: exact or near (MinHash-LSH) deduplication of JSONL shards. Kept records are
// written unchanged, in input order; optional per-document clusters file and JSON report.
//   millrace-dedup --input data/sample/ --output out/ --threshold 0.8 --clusters clusters.jsonl --report report.json
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <millrace/core.hpp>
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
  std::vector<std::string> inputs;
  std::string output, mode = "near", preset, clusters_file, report_file, text_field = "text", id_field = "id";
  std::string family = "mersenne61", shingle = "word", on_bad = "fail", rejects;
  double threshold = 0.8;
  std::size_t num_perm = 0, bands = 0, rows = 0, ngram = 0, threads = 0, batch_size = 1024, shard_records = 0;
  std::size_t max_index_docs = 0;
  std::int64_t max_rejects = -1;   // -1: the default limit (io::reject_limit)
  std::uint64_t seed = 1;
  bool no_fsync = false, verify = false, streaming = false, no_normalize = false, exact_normalize = false, zstd = false, quiet = false;
};

// A record as the dedup stages see it: the original line (written back unchanged), its text and
// its id as JSON text (a string or a number as given; null when absent).
struct doc {
  std::string raw, text, id_json;
};

// Parallel: one JSON parse per line; a line without a string text field is a bad record. As the
// io readers: numbers simdjson cannot hold are kept as text, and of duplicate keys the last wins.
io::checked<doc> parse_doc(io::raw_line&& l, const std::string& text_field, const std::string& id_field) {
  io::checked<doc> r;
  r.input = l.input;
  r.line = l.line;
  if (!l.error.empty()) {
    r.error = std::move(l.error);
    r.raw = std::move(l.text);
    return r;
  }
  io::detail::parsed_object obj;
  std::string err = io::detail::parse_record(l.text, obj);
  if (err.empty() && obj.dom) {
    std::optional<simdjson::dom::element> text, id;
    for (simdjson::dom::key_value_pair kv : obj.obj) {
      if (kv.key == text_field) text = kv.value;
      if (kv.key == id_field) id = kv.value;
    }
    std::string_view t;
    if (!text || text->get_string().get(t)) err = "no string field \"" + text_field + "\"";
    else {
      r.value.text.assign(t);
      r.value.id_json = id ? simdjson::minify(*id) : "null";
    }
  } else if (err.empty()) {   // a number too large for simdjson somewhere: the slower exact path
    io::json_record rec;
    rec.raw = l.text;
    if (auto t = rec.get_string(text_field)) {
      r.value.text = std::move(*t);
      r.value.id_json = rec.get_json(id_field).value_or("null");
    } else {
      err = "no string field \"" + text_field + "\"";
    }
  }
  if (!err.empty()) {
    r.error = std::move(err);
    r.raw = std::move(l.text);
    return r;
  }
  r.value.raw = std::move(l.text);
  return r;
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
  app.add_option("--threshold", c.threshold, "near: Jaccard similarity threshold (chooses bands x rows unless given)")
      ->check(CLI::Range(0.01, 1.0))->capture_default_str();
  app.add_option("--preset", c.preset, "near: datatrove (word 5-grams, 112 perms, 14x8) or nemo (char 24-grams, 260 perms, 20x13); "
                 "other flags override it")->check(CLI::IsMember({"datatrove", "nemo"}));
  app.add_option("--num-perm", c.num_perm, "near: MinHash permutations (default 112)");
  auto* bands = app.add_option("--bands", c.bands, "near: LSH bands (with --rows)");
  auto* rows = app.add_option("--rows", c.rows, "near: LSH rows per band (with --bands)");
  bands->needs(rows);
  rows->needs(bands);
  app.add_option("--ngram", c.ngram, "near: shingle size (default 5 words, or 24 characters with --shingle char)");
  app.add_option("--shingle", c.shingle, "near: word or char shingles")->check(CLI::IsMember({"word", "char"}))->capture_default_str();
  app.add_flag("--verify", c.verify, "near: drop candidate pairs whose exact Jaccard is below the threshold");
  app.add_flag("--streaming", c.streaming, "near: streaming mode (online index of kept records, no barrier)");
  app.add_option("--max-index-docs", c.max_index_docs, "near --streaming: index at most N kept records (0 = all)")->capture_default_str();
  app.add_option("--family", c.family, "near: MinHash family, mersenne61 ((a*x+b) mod 2^61-1) or fast32")
      ->check(CLI::IsMember({"mersenne61", "fast32"}))->capture_default_str();
  app.add_option("--seed", c.seed, "near: MinHash seed")->capture_default_str();
  app.add_flag("--no-normalize", c.no_normalize, "near: shingle the raw text (default: lowercase, strip accents, punctuation, digits, spaces)");
  app.add_flag("--exact-normalize", c.exact_normalize, "exact: compare normalized text instead of raw bytes");
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
  CLI11_PARSE(app, argc, argv);

  try {
    // Near-dedup options: preset first, then explicit flags.
    dd::near_dedup_options no;
    if (!c.preset.empty()) no = dd::near_dedup_options::preset(c.preset);
    if (app.count("--threshold") || c.preset.empty()) no.threshold = c.threshold;
    if (c.num_perm) no.num_perm = c.num_perm;
    if (app.count("--shingle")) no.shingle = c.shingle == "char" ? dd::shingle_kind::character : dd::shingle_kind::word;
    if (c.ngram) no.ngram = c.ngram;
    else if (app.count("--shingle") && no.shingle == dd::shingle_kind::character) no.ngram = 24;
    if (c.bands) no.lsh = dd::lsh_params{c.bands, c.rows};
    else if (app.count("--threshold") || app.count("--num-perm")) no.lsh.reset();  // re-chosen for the new values
    no.verify = c.verify;
    no.normalize = !c.no_normalize;
    no.seed = c.seed;
    no.family = c.family == "fast32" ? dd::hash_family::fast32 : dd::hash_family::mersenne61;
    const bool near = c.mode == "near";
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
    auto in = std::make_shared<const io::detail::input_set>(c.inputs);  // throws if an input matches nothing

    const std::string text_field = c.text_field, id_field = c.id_field;
    auto front = mr::source(io::detail::line_source(in, ro), "read") |
                 mr::batch_map(
                     [text_field, id_field](std::vector<io::raw_line>&& b) {
                       std::vector<io::checked<doc>> out;
                       out.reserve(b.size());
                       for (auto& l : b) out.push_back(parse_doc(std::move(l), text_field, id_field));
                       return out;
                     },
                     "parse") |
                 mr::stage(io::detail::settle_stage<doc>(in, ro), "check");
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
    if (!near) {
      dd::exact_options eo;
      eo.normalize = c.exact_normalize;
      report = mr::run(front | dd::exact(eo, text_of, on_cluster, "dedup.exact") | to_record | sink, exec, opts);
    } else if (c.streaming) {
      report = mr::run(front | dd::near_streaming(no, text_of, c.max_index_docs, on_cluster) | to_record | sink, exec, opts);
    } else {
      auto st = dd::make_near_stage(no, text_of, on_cluster);
      report = mr::run(front | mr::stage(std::ref(st), "dedup.near") | to_record | sink, exec, opts);
      batch_result = st.result();  // the run worked on st itself (std::ref)
    }
    clusters.commit();

    const std::uint64_t lines = report.find("read") ? report.find("read")->records_out : 0;
    const std::uint64_t rejected = report.rejected(), docs = clusters.docs(), kept = clusters.kept();
    const std::uint64_t written = report.records_out();
    const double secs = std::chrono::duration<double>(report.wall).count();
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
          "\"threshold\":{},\"num_perm\":{},\"bands\":{},\"rows\":{},\"shingle\":\"{}\",\"ngram\":{},\"normalize\":{},"
          "\"verify\":{},\"streaming\":{},\"family\":\"{}\",\"seed\":{},\"candidate_edges\":{},\"verified_edges\":{},\"head_edges\":{},",
          no.threshold, no.num_perm, lsh.bands, lsh.rows, no.shingle == dd::shingle_kind::word ? "word" : "char", no.ngram,
          no.normalize, no.verify, c.streaming, c.family, no.seed, batch_result.candidate_edges, batch_result.verified_edges,
          batch_result.head_edges);
    else
      params = fmt::format("\"normalize\":{},", c.exact_normalize);
    const std::string json = fmt::format(
        "{{\"mode\":\"{}\",\"lines\":{},\"documents\":{},\"kept\":{},\"duplicates\":{},\"rejected\":{},\"document_bytes\":{},"
        "\"wall_s\":{:.6f},\"mb_per_s\":{:.3f},\"threads\":{},{}\"run\":{}}}\n",
        c.mode, lines, docs, kept, docs - kept, rejected, input_bytes, secs, secs > 0 ? double(input_bytes) / 1e6 / secs : 0.0,
        report.threads, params, report.to_json());
    if (!c.report_file.empty()) io::write_file_atomically(c.report_file, json);
    fmt::print("millrace-dedup ({}{}): {} lines, {} documents, {} kept, {} duplicates, {} rejected; {:.1f} MB in {:.2f} s "
               "({:.1f} MB/s) -> {}\n",
               c.mode, near ? fmt::format(", {}x{} bands, threshold {}", lsh.bands, lsh.rows, no.threshold) : std::string(),
               lines, docs, kept, docs - kept, rejected, double(input_bytes) / 1e6, secs,
               secs > 0 ? double(input_bytes) / 1e6 / secs : 0.0, c.output);
    io::check_stdout();
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "millrace-dedup: {}\n", e.what());
    return 1;
  }
}

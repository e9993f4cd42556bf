// millrace-augment: seeded text augmentation of JSONL shards (EDA with WordNet synonyms, character
// noise, masking, span corruption) with a MinHash similarity guard and exact dedup.
//   millrace-augment --input data/augment/corpus.jsonl --output out/ --variants 4
//                    --ops synonym,insert,swap,delete --seed 7 --threads 2
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <millrace/augment/module.hpp>
#include <millrace/augment/operators.hpp>
#include <millrace/cli/parameters.hpp>
#include <millrace/core.hpp>
#include <millrace/cuda/device_option.hpp>
#include <millrace/io/atomic_file.hpp>
#include <millrace/io/output_paths.hpp>
#include <millrace/io/read.hpp>
#include <millrace/io/write.hpp>

namespace mr = millrace;
namespace au = millrace::augment;

namespace {

struct job_config {
  std::string device = "cpu";  // --device: cpu (default) or gpu (millrace/cuda/device_option.hpp)
  std::vector<std::string> inputs;
  std::string output;
  std::string text_field = "text", id_field = "id";
  std::string wordnet = au::wordnet::default_path().string();
  std::string on_bad = "fail", rejects, report_file;
  std::int64_t max_rejects = -1;   // -1: the default limit (io::reject_limit)
  std::size_t threads = 0, batch_size = 512, shard_records = 0;
  bool zstd = false, quiet = false, no_fsync = false;
};

// A parsed input line: the source document, or why it has none (serial settle decides).
struct parsed {
  au::source_doc doc;
  std::string error, file;
  std::size_t line = 0;
};

// Serial, in input order: fails on the first record without a text (file:line: reason), or keeps
// it for the rejects file, so the counts add up: records read = sources + records without text.
struct text_reject {
  std::string file;
  std::size_t line;
  std::string reason, raw;
};
// The run works on the job's object (mr::stage(std::ref(settle))), which keeps the rejects.
struct settle_stage {
  mr::io::on_bad_record policy;
  std::vector<text_reject> rejects;
  std::vector<au::source_doc> process(std::vector<parsed>&& batch) {
    std::vector<au::source_doc> out;
    out.reserve(batch.size());
    for (auto& p : batch) {
      if (p.error.empty()) {
        out.push_back(std::move(p.doc));
        continue;
      }
      if (policy == mr::io::on_bad_record::fail) throw mr::io::input_error(p.file, p.line, p.error);
      rejects.push_back({std::move(p.file), p.line, std::move(p.error), std::move(p.doc.raw)});
    }
    return out;
  }
  std::uint64_t rejected_count() const { return rejects.size(); }
};

// Adds records without text to the rejects file after the run, in the reader's format: the file
// the reader committed (if any) is rewritten whole through an atomic_file with them at the end.
void append_rejects(const std::string& path, const std::vector<text_reject>& rejects) {
  if (path.empty() || rejects.empty()) return;
  std::string buf;
  if (std::ifstream in{path, std::ios::binary}) buf.assign(std::istreambuf_iterator<char>(in), {});
  for (const auto& r : rejects) {
    buf += "{\"file\":";
    mr::io::json_append_string(buf, r.file);
    buf += ",\"line\":" + std::to_string(r.line) + ",\"reason\":";
    mr::io::json_append_string(buf, r.reason);
    buf += ",\"raw\":";   // the line parsed as JSON, so it is valid UTF-8
    mr::io::json_append_string(buf, r.raw);
    buf += "}\n";
  }
  mr::io::write_file_atomically(path, buf);
}

// The record's place in the run's total order, when the reader gives one: number() then keys the
// variants by it, so they do not depend on how the input is split, batched or threaded.
template <class R>
void copy_position(const R& r, au::source_doc& d) {
  if constexpr (mr::positioned<R>) d.position = r.position;
}

std::string id_of(const mr::io::json_record& r, const std::string& field) {
  if (auto s = r.get_string(field)) return *s;
  if (auto j = r.get_json(field)) return *j;   // numbers (or other values) as their JSON text
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  job_config c;
  au::augment_module m;  // the augment operators' options as module parameters (augment/module.hpp)
  const au::guard_options& go = m.guard_opts;
  CLI::App app{"millrace-augment: seeded text augmentation of JSONL (EDA with WordNet, character noise, masking, "
               "span corruption) with a MinHash similarity guard and exact dedup. Output: the originals (unchanged "
               "lines) and their kept variants, in input order then variant number; each variant carries id, "
               "source_id, variant, ops, text (and target for span corruption, jaccard when guarded)."};
  app.add_option("--input,-i", c.inputs, "input JSONL files, directories or globs (.zst ok)")->required();
  app.add_option("--output,-o", c.output, "output directory (shards + manifest.json)")->required();
  mr::cli::add_config_file(app, m, "--config",
                           "JSON file of the parameters (ops, variants, seed, mode, the rates, max_senses, pos_aware, guard, "
                           "guard_lo, guard_hi, guard_ngram, guard_perm, with_originals; docs/augment.md); flags given override it");
  // The module's parameters as flags (millrace/cli/parameters.hpp): docs, limits and defaults from
  // augment_module::parameters(); these names keep the job's flags as they were.
  mr::cli::add_parameters(
      app, m,
      {.flags = {{"variants", "--variants,-n", "variants per record"},
                 {"seed", "--seed", "random seed (same seed, same output for any thread count)"},
                 {"mode", "--mode", "cycle: variant k applies op k (mod #ops); chain: every op in turn"},
                 {"typo_rate", "--typo-rate", "P(keyboard typo) per ASCII letter"},
                 {"span_density", "--span-density", "span corruption: fraction of words corrupted"},
                 {"span_mean_length", "--span-mean", "span corruption: mean span length"},
                 {"max_senses", "--max-senses", "WordNet senses used per word, most frequent first (0 = all)"},
                 {"pos_aware", "--no-pos", "synonyms from every part of speech (no POS guess)"},
                 {"guard", "--no-guard", "keep every variant (exact dedup still applies)"},
                 {"guard_ngram", "--guard-ngram", "guard: word n-gram size"},
                 {"guard_perm", "--guard-perm", "guard: MinHash permutations"},
                 {"guard_lo", "--guard-lo", "guard: min estimated Jaccard to the source"},
                 {"guard_hi", "--guard-hi", "guard: max estimated Jaccard to the source"},
                 {"with_originals", "--no-originals", "write only the variants"}}});
  app.add_option("--mask-token", m.augment_opts.mask_token, "mask token")->capture_default_str();
  app.add_option("--threads,-t", c.threads, "worker threads (0 = all cores)")->capture_default_str();
  app.add_option("--batch-size", c.batch_size, "records per batch")->capture_default_str();
  app.add_option("--text-field", c.text_field, "JSON field with the text")->capture_default_str();
  app.add_option("--id-field", c.id_field, "JSON field with the record id (else the input position)")->capture_default_str();
  app.add_option("--wordnet", c.wordnet, "WordNet database directory (env WNSEARCHDIR)")->capture_default_str();
  app.add_option("--on-bad", c.on_bad, "bad input line: fail (file:line error) or reject")
      ->check(CLI::IsMember({"fail", "reject"}))->capture_default_str();
  app.add_option("--rejects", c.rejects, "rejects file (JSONL) for --on-bad reject");
  app.add_option("--max-rejects", c.max_rejects, "with --on-bad reject: fail once more than N lines are rejected "
                 "(0 = no limit; default: more than 10000 that are also over half of the lines read)");
  app.add_option("--shard-records", c.shard_records, "records per output shard (0 = one shard)")->capture_default_str();
  app.add_flag("--zstd", c.zstd, "zstd-compress the output shards");
  app.add_flag("--no-fsync", c.no_fsync, "do not flush shards and manifest to the device before renaming them "
               "(faster on scratch disks; a power cut may then lose a run that said it was complete)");
  app.add_option("--report", c.report_file, "write the run report as JSON to this file");
  app.add_flag("--quiet,-q", c.quiet, "no progress bar");
  app.add_option("--device", c.device, "cpu, or gpu (CUDA; stops with the reason when no device can be used)")
      ->check(CLI::IsMember({"cpu", "gpu"}))->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (int rc = millrace::cuda::check_device_option("millrace-augment", c.device, /*job_has_gpu_path=*/false); rc != 0) return rc;

  try {
    const au::augment_options ao = m.options();  // ops parsed from --ops (an unknown one is named)
    bool needs_wordnet = false;
    for (auto k : ao.ops) needs_wordnet = needs_wordnet || k == au::op_kind::synonym || k == au::op_kind::insert;
    std::unique_ptr<au::wordnet> wn;
    if (needs_wordnet) wn = std::make_unique<au::wordnet>(au::wordnet::load(c.wordnet));
    auto aug = std::make_shared<const au::augmenter>(wn.get(), ao);
    auto guard = std::make_shared<const au::similarity_guard>(go);

    const mr::cpu exec{.threads = c.threads, .batch_size = c.batch_size};
    mr::io::read_options ro;
    ro.policy = c.on_bad == "reject" ? mr::io::on_bad_record::reject : mr::io::on_bad_record::fail;
    ro.rejects_file = c.rejects;
    if (c.max_rejects >= 0) ro.max_rejects = {.max = std::uint64_t(c.max_rejects), .fraction = 0};
    // Before reading anything: an output that overlaps an input, or that cannot be written, stops here.
    mr::io::check_outputs(c.inputs, {.dir = c.output, .files = {c.report_file, c.rejects}});

    // Pass 1: every original's text, so that a variant equal to a later original is dropped too.
    // Bad lines are only counted here (pass 2 reports them), so the rejects file is written once.
    auto seen = std::make_shared<au::exact_seen>();
    std::uint64_t total = 0;
    {
      mr::io::read_options pre = ro;
      pre.rejects_file.clear();
      const std::string field = c.text_field;
      mr::run(mr::io::read_jsonl(c.inputs, pre) |
                  mr::map([field](mr::io::json_record r) { return r.get_string(field); }, "augment.prepass") |
                  mr::sink([&](std::optional<std::string>&& t) {
                    ++total;
                    if (t) seen->insert(*t);
                  }),
              exec);
    }

    // Pass 2: read -> settle -> number -> generate -> guard -> dedup -> flatten -> write.
    if (!c.rejects.empty()) std::filesystem::remove(c.rejects);   // no stale rejects from an earlier run
    settle_stage settle{ro.policy, {}};
    auto tally = std::make_shared<au::augment_tally>();
    const std::string text_field = c.text_field, id_field = c.id_field;
    const bool keep_raw = m.with_originals;
    auto front = mr::io::read_jsonl(c.inputs, ro) |
                 mr::map(
                     [text_field, id_field, keep_raw](mr::io::json_record r) {
                       parsed p;
                       p.file = r.file;
                       p.line = r.line;
                       if (auto t = r.get_string(text_field)) {
                         p.doc.text = std::move(*t);
                         p.doc.id = id_of(r, id_field);
                         copy_position(r, p.doc);
                         if (keep_raw) p.doc.raw = std::move(r.raw);
                       } else {
                         p.error = "no string field \"" + text_field + "\"";
                         p.doc.raw = std::move(r.raw);
                       }
                       return p;
                     },
                     "augment.fields") |
                 mr::stage(std::ref(settle), "augment.settle") | au::number() | au::make_variants(aug);
    auto to_record = mr::map(
        [](au::augmented_doc d) {
          mr::io::json_record r;
          r.raw = d.to_json();
          return r;
        },
        "augment.json");
    mr::io::write_options wo;
    wo.zstd = c.zstd;
    wo.max_records_per_shard = c.shard_records;
    wo.prefix = "augmented";
    wo.fsync = !c.no_fsync;
    auto sink = mr::io::write_jsonl(c.output, wo);
    mr::run_options opts;
    if (!c.quiet) opts.on_progress = mr::progress_bar("augment", total);
    mr::run_report report =
        !m.guard ? mr::run(front | au::dedup_variants(seen) | au::tally(tally) | au::flatten(m.with_originals) | to_record | sink, exec, opts)
                 : mr::run(front | au::guard(guard) | au::dedup_variants(seen) | au::tally(tally) | au::flatten(m.with_originals) | to_record | sink,
                             exec, opts);

    append_rejects(c.rejects, settle.rejects);
    const std::uint64_t no_text = settle.rejects.size();
    const au::augment_counts n = tally->get();
    const std::uint64_t written = n.kept + (m.with_originals ? n.sources : 0);
    const double secs = std::chrono::duration<double>(report.wall).count();
    fmt::print("{}\n", report);
    fmt::print("augment: {} records read, {} invalid lines, {} without text, {} sources; {} variants generated, {} kept, "
               "{} too similar (J > {}), {} too different (J < {}), {} sibling copies, {} exact duplicates; "
               "{} records written to {}; {:.0f} variants/s\n",
               total, report.rejected() - no_text, no_text, n.sources, n.generated, n.kept, n.too_similar, go.hi, n.too_different, go.lo,
               n.sibling_duplicate, n.duplicate, written, c.output, secs > 0 ? double(n.generated) / secs : 0.0);
    if (n.generated != n.kept + n.too_similar + n.too_different + n.sibling_duplicate + n.duplicate ||
        total != n.sources + no_text) {
      fmt::print(stderr, "millrace-augment: internal error: counts do not add up\n");
      return 3;
    }
    if (!c.report_file.empty()) {
      mr::io::write_file_atomically(c.report_file, fmt::format(
          "{{\"records_read\":{},\"invalid_lines\":{},\"no_text\":{},\"sources\":{},\"generated\":{},\"kept\":{},"
          "\"too_similar\":{},\"too_different\":{},\"sibling_duplicate\":{},\"duplicate\":{},\"written\":{},\"seed\":{},"
          "\"run\":{}}}\n",
          total, report.rejected() - no_text, no_text, n.sources, n.generated, n.kept, n.too_similar, n.too_different,
          n.sibling_duplicate, n.duplicate, written, ao.seed, report.to_json()));
    }
    mr::io::check_stdout();
  } catch (const std::exception& e) {
    fmt::print(stderr, "millrace-augment: {}\n", e.what());
    return 1;
  }
  return 0;
}

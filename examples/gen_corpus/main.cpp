// millrace-gen-corpus: writes a seeded synthetic corpus (see millrace/synth/corpus.hpp) as JSONL
// {"id": ..., "text": ...}, zstd-compressed when the output name ends in .zst.
//   millrace-gen-corpus --docs 10000 --seed 1 --output data/sample/sample.jsonl.zst
#include <millrace/core/json_value.hpp>
#include <millrace/io/atomic_file.hpp>
#include <millrace/synth/corpus.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <zstd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace {

// Plain or zstd file writer over an io::atomic_file: close() renames the whole file into place.
class writer {
 public:
  writer(const std::string& path, bool zstd, int level) : file_(path) {
    if (zstd) {
      cctx_ = ZSTD_createCCtx();
      ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level);
      ZSTD_CCtx_setParameter(cctx_, ZSTD_c_enableLongDistanceMatching, 1);  // duplicates are far apart
      ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1);
      out_.resize(ZSTD_CStreamOutSize());
    }
    path_ = path;
  }
  ~writer() {
    if (cctx_) ZSTD_freeCCtx(cctx_);
  }
  void write(std::string_view data) {
    if (!cctx_) return raw(data.data(), data.size());
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    while (in.pos < in.size) step(in, ZSTD_e_continue);
  }
  void close() {
    if (cctx_) {
      ZSTD_inBuffer in{nullptr, 0, 0};
      while (step(in, ZSTD_e_end) != 0) {
      }
    }
    file_.commit();
  }

 private:
  std::size_t step(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer out{out_.data(), out_.size(), 0};
    const std::size_t left = ZSTD_compressStream2(cctx_, &out, &in, mode);
    if (ZSTD_isError(left)) throw std::runtime_error(path_ + ": zstd: " + ZSTD_getErrorName(left));
    raw(out_.data(), out.pos);
    return left;
  }
  void raw(const void* p, std::size_t n) {
    file_.write(std::string_view(static_cast<const char*>(p), n));
  }
  millrace::io::atomic_file file_;
  ZSTD_CCtx* cctx_ = nullptr;
  std::string out_;
  std::string path_;
};

}  // namespace

int main(int argc, char** argv) {
  millrace::synth::corpus_options o;
  std::string output;
  int level = 19;
  bool labels = false;
  CLI::App app{"Write a seeded synthetic corpus for dedup tests and benchmarks as JSONL {\"id\",\"text\"}.\n"
               "Same flags and seed -> byte-identical output. Near-duplicate clusters come from random edits;\n"
               "hard negatives share boilerplate. The ground truth is the exact Jaccard, not these labels."};
  app.add_option("--docs", o.docs, "number of documents")->capture_default_str();
  app.add_option("--seed", o.seed, "random seed")->capture_default_str();
  app.add_option("--output", output, "output file; .zst suffix -> zstd-compressed")->required();
  app.add_option("--min-words", o.min_words, "shortest original, in words")->capture_default_str();
  app.add_option("--max-words", o.max_words, "longest original, in words")->capture_default_str();
  app.add_option("--vocabulary", o.vocabulary, "distinct words (Zipf ranks)")->capture_default_str();
  app.add_option("--zipf", o.zipf_exponent, "Zipf exponent of word frequencies")->capture_default_str();
  app.add_option("--duplicate-rate", o.duplicate_rate, "probability that a document is an edited copy")->capture_default_str();
  app.add_option("--max-copies", o.max_copies, "copies of one original at most")->capture_default_str();
  app.add_option("--min-similarity", o.min_similarity, "lowest target Jaccard of a copy (calibrated edits)")->capture_default_str();
  app.add_option("--max-similarity", o.max_similarity, "highest target Jaccard of a copy")->capture_default_str();
  app.add_option("--non-ascii", o.non_ascii_words, "share of vocabulary words that are accented, Cyrillic, CJK or emoji")->capture_default_str();
  app.add_option("--noise-rate", o.noise_rate, "share of copies with case / punctuation / Unicode noise")->capture_default_str();
  app.add_option("--hard-negative-rate", o.hard_negative_rate, "share of originals built around shared boilerplate")->capture_default_str();
  app.add_option("--zstd-level", level, "zstd level for .zst output")->capture_default_str();
  app.add_flag("--labels", labels, "also write the generator's labels: \"source\" (index of the original, -1) and \"edit\"");
  CLI11_PARSE(app, argc, argv);

  try {
    namespace fs = std::filesystem;
    const bool zstd = output.size() >= 4 && output.compare(output.size() - 4, 4, ".zst") == 0;
    const fs::path final_path(output);
    if (final_path.has_parent_path()) fs::create_directories(final_path.parent_path());
    millrace::io::remove_stale_temps(final_path);   // a killed run's
    writer w(output, zstd, level);
    millrace::synth::corpus_generator g(o);
    std::string line;
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < o.docs; ++i) {
      const auto d = g.next();
      line.clear();
      line += "{\"id\":";
      millrace::json::append_quoted(line, d.id);
      line += ",\"text\":";
      millrace::json::append_quoted(line, d.text);
      if (labels) line += fmt::format(",\"source\":{},\"edit\":{:.4f}", d.source, d.edit);
      line += "}\n";
      bytes += d.text.size();
      w.write(line);
    }
    w.close();
    fmt::print(stderr, "millrace-gen-corpus: {} documents, {:.1f} MB of text -> {}\n", o.docs, static_cast<double>(bytes) / 1e6, output);
  } catch (const std::exception& e) {
    fmt::print(stderr, "millrace-gen-corpus: {}\n", e.what());
    return 1;
  }
  return 0;
}

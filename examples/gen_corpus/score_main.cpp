// millrace-dedup-score: scores a dedup run's clusters file against the exact ground truth (all-pairs
// Jaccard on the same normalization and shingling): pair precision, strict precision and recall.
//   millrace-dedup-score --input data/sample/sample.jsonl.zst --clusters out/demo/clusters.jsonl --threshold 0.8
#include <millrace/core.hpp>
#include <millrace/dedup/all_pairs_jaccard.hpp>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/io/atomic_file.hpp>
#include <millrace/io/byte_source.hpp>
#include <millrace/io/inputs.hpp>
#include <millrace/synth/score.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <simdjson.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace {

// Calls f(line, lineno) for every line of a plain or .zst file (the last line may lack '\n').
void for_each_line(const std::filesystem::path& file, const std::function<void(std::string_view, std::size_t)>& f) {
  millrace::io::byte_source in(file);
  std::string buf, chunk(1 << 16, '\0');
  std::size_t lineno = 0;
  while (std::size_t n = in.read(chunk.data(), chunk.size())) {
    buf.append(chunk.data(), n);
    std::size_t start = 0;
    for (std::size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1) f(std::string_view(buf).substr(start, nl - start), ++lineno);
    buf.erase(0, start);
  }
  if (!buf.empty()) f(buf, ++lineno);
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r") == std::string_view::npos; }

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> inputs;
  std::string clusters_file, text_field = "text", preset, shingle = "word", report_file;
  double threshold = 0.8;
  std::optional<double> recall_from;
  std::optional<std::size_t> ngram;
  bool no_normalize = false;
  CLI::App app{"Score a dedup clustering against exact ground truth (docs/quality.md):\n"
               "  precision: share of co-clustered pairs connected by pairs with exact J >= threshold (transitive)\n"
               "  strict precision: share of co-clustered pairs whose own J >= threshold\n"
               "  recall: share of pairs with J >= recall-from that share a cluster\n"
               "Shingles as near_dedup makes them (same normalization, n-grams and hashes). Prints JSON."};
  app.add_option("--input,-i", inputs, "the job's inputs (files, directories, globs; .jsonl or .jsonl.zst), same order")->required();
  app.add_option("--clusters", clusters_file, "the job's --clusters file: one {\"cluster\": ...} line per document")->required();
  app.add_option("--threshold", threshold, "Jaccard threshold of the ground truth")->capture_default_str();
  app.add_option("--recall-from", recall_from, "recall over pairs with J >= this (default threshold + 0.05)");
  app.add_option("--preset", preset, "shingling of a preset: datatrove or nemo (its threshold is not used)");
  app.add_option("--shingle", shingle, "word or char")->check(CLI::IsMember({"word", "char"}))->capture_default_str();
  app.add_option("--ngram", ngram, "shingle size (default 5 words / 24 characters)");
  app.add_flag("--no-normalize", no_normalize, "shingle the raw text");
  app.add_option("--text-field", text_field, "JSON field holding the text")->capture_default_str();
  app.add_option("--report", report_file, "also write the JSON here");
  CLI11_PARSE(app, argc, argv);

  try {
    namespace dd = millrace::dedup;
    dd::near_dedup_options o = preset.empty() ? dd::near_dedup_options{} : dd::near_dedup_options::preset(preset);
    if (preset.empty()) {
      o.shingle = shingle == "char" ? dd::shingle_kind::character : dd::shingle_kind::word;
      o.ngram = ngram.value_or(shingle == "char" ? 24 : 5);
    } else if (ngram) {
      o.ngram = *ngram;
    }
    o.normalize = !no_normalize;

    std::vector<std::vector<std::uint64_t>> sets;
    simdjson::ondemand::parser parser;
    for (const auto& file : millrace::io::expand_inputs(inputs))
      for_each_line(file, [&](std::string_view line, std::size_t lineno) {
        if (blank(line)) return;
        simdjson::padded_string p(line);
        std::string_view text;
        auto doc = parser.iterate(p);
        if (doc.get_object()[text_field].get_string().get(text))
          throw std::runtime_error(fmt::format("{}:{}: no string field \"{}\"", file.string(), lineno, text_field));
        sets.push_back(dd::shingle_set(text, o));
      });

    std::vector<std::uint64_t> cluster;
    for_each_line(clusters_file, [&](std::string_view line, std::size_t lineno) {
      if (blank(line)) return;
      simdjson::padded_string p(line);
      std::uint64_t c = 0;
      auto doc = parser.iterate(p);
      if (doc.get_object()["cluster"].get_uint64().get(c))
        throw std::runtime_error(fmt::format("{}:{}: no unsigned integer field \"cluster\"", clusters_file, lineno));
      cluster.push_back(c);
    });
    if (cluster.size() != sets.size())
      throw std::runtime_error(fmt::format("{}: {} clusters for {} input documents", clusters_file, cluster.size(), sets.size()));

    const double from = recall_from.value_or(threshold + 0.05);
    const auto truth = millrace::with_executor(millrace::cpu{}, [&] { return dd::all_pairs_jaccard(sets, std::min(threshold, from)); });
    const auto s = millrace::synth::score_clustering(cluster, sets, truth, threshold, from);
    std::size_t removed = 0;
    for (std::size_t i = 0; i < cluster.size(); ++i) removed += cluster[i] != i;
    // The ideal removal at this threshold: documents outside the smallest index of their ground-truth component.
    std::vector<std::uint64_t> ideal(sets.size());
    for (std::size_t i = 0; i < ideal.size(); ++i) ideal[i] = i;
    std::function<std::uint64_t(std::uint64_t)> root = [&](std::uint64_t x) { return ideal[x] == x ? x : ideal[x] = root(ideal[x]); };
    for (const auto& p : truth)
      if (p.jaccard >= threshold) {
        const auto a = root(p.a), b = root(p.b);
        ideal[std::max(a, b)] = std::min(a, b);
      }
    std::size_t ideal_removed = 0;
    for (std::size_t i = 0; i < ideal.size(); ++i) ideal_removed += root(i) != i;

    const std::string json = fmt::format(
        "{{\"documents\":{},\"threshold\":{:.4g},\"recall_from\":{:.4g},\"removed\":{},\"ground_truth_removed\":{},"
        "\"predicted_pairs\":{},\"precision\":{:.6f},\"strict_precision\":{:.6f},\"recall_pairs\":{},\"recall\":{:.6f}}}",
        sets.size(), threshold, from, removed, ideal_removed, s.predicted_pairs, s.precision(), s.strict_precision(),
        s.recall_pairs, s.recall());
    fmt::print("{}\n", json);
    if (!report_file.empty()) millrace::io::write_file_atomically(report_file, json + "\n");
  } catch (const std::exception& e) {
    fmt::print(stderr, "millrace-dedup-score: {}\n", e.what());
    return 1;
  }
  return 0;
}

// Word count as MapReduce over JSONL shards: map (record -> (word, 1) pairs), a combiner per batch
// (pairs -> one partial count table), and a reduce that merges the tables with the k-ary grouping
// of ops::tree_reduce. Prints the most frequent words.
//   wordcount shards/*.jsonl [--field text] [--top 20] [--threads 0] [--verify]
//   wordcount --make-sample DIR [--shards 4] [--docs 2000]       (writes a seeded sample corpus)
#include <millrace/core.hpp>
#include <millrace/core/random.hpp>
#include <millrace/io/atomic_file.hpp>
#include <millrace/io/output_paths.hpp>
#include <millrace/io/read.hpp>
#include <millrace/ops/operators.hpp>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mr = millrace;
namespace ops = millrace::ops;

namespace {

using word_count = std::pair<std::string, std::uint64_t>;
using count_table = std::unordered_map<std::string, std::uint64_t>;

// Words: runs of ASCII letters/digits (lowercased) and of UTF-8 bytes >= 0x80, kept as they are.
template <class F>
void for_each_word(std::string_view s, F&& f) {
  std::string w;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
      w += ch;
    } else if (c >= 'A' && c <= 'Z') {
      w += static_cast<char>(c - 'A' + 'a');
    } else if (!w.empty()) {
      f(w);
      w.clear();
    }
  }
  if (!w.empty()) f(w);
}

// Merges the smaller table into the larger: associative and commutative.
count_table merge(count_table a, count_table b) {
  if (a.size() < b.size()) std::swap(a, b);
  for (auto& [w, n] : b) a[w] += n;
  return a;
}

std::vector<word_count> sorted_counts(const count_table& t) {
  std::vector<word_count> v(t.begin(), t.end());
  std::sort(v.begin(), v.end(), [](const auto& x, const auto& y) { return x.second != y.second ? x.second > y.second : x.first < y.first; });
  return v;
}

int make_sample(const std::filesystem::path& dir, int shards, int docs) {
  std::filesystem::create_directories(dir);
  mr::splitmix64 rng{2026};  // the project's one seeded generator (core/random.hpp)
  static const char* const words[] = {"the", "mill", "race", "water", "wheel", "grain", "flour", "stone", "river",
                                      "channel", "gate", "miller", "turns", "flows", "Data", "Flows", "through",
                                      "pipeline", "stage", "batch", "record", "token", "caf\u00e9", "na\u00efve"};
  constexpr std::size_t nwords = sizeof(words) / sizeof(words[0]);
  for (int s = 0; s < shards; ++s) {
    const auto path = dir / fmt::format("shard-{:03}.jsonl", s);
    mr::io::remove_stale_temps(path);   // a killed run's
    mr::io::atomic_file out(path);      // complete shards only, every write checked
    {
      for (int d = 0; d < docs; ++d) {
        std::string text;
        const int n = 5 + static_cast<int>(rng.next() % 60);
        for (int i = 0; i < n; ++i) {
          // skewed: low indices are frequent
          const std::size_t k = std::min<std::size_t>(nwords - 1, static_cast<std::size_t>(rng.next() % nwords) * (rng.next() % 2));
          text += words[k];
          text += (i % 9 == 8) ? ". " : " ";
        }
        out.write(fmt::format("{{\"id\": \"s{}-{}\", \"text\": {}}}\n", s, d, mr::json::quote(text)));
      }
    }
    out.commit();
  }
  fmt::print("wrote {} shards x {} documents to {}\n", shards, docs, dir.string());
  return 0;
}

}  // namespace

namespace {
int run_main(int argc, char** argv) {
  CLI::App app{"Word count: MapReduce over JSONL shards with a combiner"};
  std::vector<std::string> inputs;
  std::string field = "text", sample_dir;
  std::size_t top = 20, threads = 0, fan_in = 8, batch = 1024;
  int shards = 4, docs = 2000;
  bool verify = false;
  app.add_option("inputs", inputs, "JSONL files, directories or globs (.zst ok)");
  app.add_option("--field", field, "string field holding the text");
  app.add_option("--top", top, "how many words to print");
  app.add_option("--threads", threads, "worker threads (0 = all cores)");
  app.add_option("--fan-in", fan_in, "reduce fan-in");
  app.add_option("--batch", batch, "records per batch (the combiner's scope)");
  app.add_flag("--verify", verify, "recount serially with a plain std::map and compare");
  app.add_option("--make-sample", sample_dir, "write a seeded sample corpus into this directory and exit");
  app.add_option("--shards", shards, "sample: number of shards");
  app.add_option("--docs", docs, "sample: documents per shard");
  CLI11_PARSE(app, argc, argv);
  if (!sample_dir.empty()) return make_sample(sample_dir, shards, docs);
  if (inputs.empty()) {
    fmt::print(stderr, "wordcount: no inputs (try --make-sample DIR first)\n");
    return 2;
  }

  // map: record -> (word, 1) pairs; a record without the field is an error naming file:line.
  auto map = mr::flat_map(
      [field](const mr::io::json_record& r) {
        std::vector<word_count> pairs;
        const auto text = r.get_string(field);
        if (!text) throw std::runtime_error(fmt::format("{}:{}: no string field '{}'", r.file, r.line, field));
        for_each_word(*text, [&](const std::string& w) { pairs.emplace_back(w, 1); });
        return pairs;
      },
      "map");
  // combiner: one partial table per batch, so the reducer sees tables, not single pairs.
  auto combine = mr::batch_map(
      [](std::vector<word_count>&& pairs) {
        count_table t;
        for (auto& [w, n] : pairs) t[std::move(w)] += n;
        return std::vector<count_table>{std::move(t)};
      },
      "combine");
  std::vector<count_table> result;
  const auto report = mr::run(mr::io::read_jsonl(inputs) | map | combine |
                                  ops::tree_reduce<count_table>(ops::associative(merge), fan_in, "reduce") |
                                  mr::collect(result),
                              mr::cpu{.threads = threads, .batch_size = batch});
  const count_table total = result.empty() ? count_table{} : std::move(result.front());
  const auto counts = sorted_counts(total);
  std::uint64_t words = 0;
  for (const auto& [w, n] : counts) words += n;
  fmt::print("{}\n", report);
  fmt::print("{} words, {} distinct\n", words, counts.size());
  for (std::size_t i = 0; i < std::min(top, counts.size()); ++i)
    fmt::print("{:>10}  {}\n", counts[i].second, counts[i].first);

  if (verify) {
    std::map<std::string, std::uint64_t> plain;
    mr::run(mr::io::read_jsonl(inputs) | mr::sink([&](mr::io::json_record&& r) {
              for_each_word(*r.get_string(field), [&](const std::string& w) { ++plain[w]; });
            }),
            mr::serial_executor{});
    std::map<std::string, std::uint64_t> got(total.begin(), total.end());
    const bool same = got == plain;
    fmt::print("verify against a serial std::map count: {}\n", same ? "ok" : "MISMATCH");
    if (!same) return 1;
  }
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  try {
    const int rc = run_main(argc, argv);
    mr::io::check_stdout();
    return rc;
  } catch (const std::exception& e) {  // bad input or a failed operator: say why, no core dump
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
}

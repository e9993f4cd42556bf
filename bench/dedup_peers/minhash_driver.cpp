// millrace-minhash-driver: MinHash signatures of the "text" fields of a JSONL file, timed, for the
// peer comparison in bench/dedup_peers/run_peers.py (same documents, same parameters as the peers).
//   millrace-minhash-driver --input docs.jsonl --num-perm 112 --ngram 5 --family m61 --normalize --threads 1
#include <millrace/dedup/minhash.hpp>
#include <millrace/text/normalize.hpp>
#include <millrace/text/shingle.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <simdjson.h>
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> read_texts(const std::string& path, std::size_t limit) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  simdjson::ondemand::parser parser;
  std::vector<std::string> texts;
  std::string line;
  std::size_t lineno = 0;
  while (std::getline(in, line) && texts.size() < limit) {
    ++lineno;
    if (line.empty()) continue;
    simdjson::padded_string p(line);
    std::string_view text;
    auto doc = parser.iterate(p);
    if (doc.get_object()["text"].get_string().get(text))
      throw std::runtime_error(fmt::format("{}:{}: no string field \"text\"", path, lineno));
    texts.emplace_back(text);
  }
  return texts;
}

}  // namespace

int main(int argc, char** argv) {
  std::string input, family = "m61";
  std::size_t num_perm = 112, ngram = 5, threads = 1, limit = ~std::size_t{0}, repeat = 3;
  std::uint64_t seed = 1;
  bool normalize = false;
  CLI::App app{"Time millrace MinHash signatures (word n-gram shingles) over the \"text\" fields of a JSONL file.\n"
               "Prints one JSON line: documents, bytes, best seconds of --repeat runs, MB/s."};
  app.add_option("--input", input, "JSONL file with a \"text\" field")->required();
  app.add_option("--num-perm", num_perm, "permutations")->capture_default_str();
  app.add_option("--ngram", ngram, "words per shingle")->capture_default_str();
  app.add_option("--family", family, "hash family: m61 ((a x + b) mod 2^61-1) or f32 (fast 32-bit)")->capture_default_str();
  app.add_option("--seed", seed, "hash seed")->capture_default_str();
  app.add_flag("--normalize", normalize, "text::normalize before shingling (lowercase, accents, punctuation, ...)");
  app.add_option("--threads", threads, "TBB threads")->capture_default_str();
  app.add_option("--limit", limit, "first N documents only");
  app.add_option("--repeat", repeat, "timed runs; the best is reported")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (family != "m61" && family != "f32") {
    fmt::print(stderr, "--family must be m61 or f32\n");
    return 2;
  }
  try {
    const auto texts = read_texts(input, limit);
    std::size_t bytes = 0;
    for (const auto& t : texts) bytes += t.size();
    namespace dd = millrace::dedup;
    const dd::minhasher mh({num_perm, seed, family == "m61" ? dd::hash_family::mersenne61 : dd::hash_family::fast32});
    std::vector<std::uint64_t> sigs(texts.size() * num_perm);
    struct scratch {
      std::string norm;
      std::vector<std::uint64_t> hashes;
    };
    tbb::enumerable_thread_specific<scratch> local;
    tbb::task_arena arena(static_cast<int>(threads));
    double best = 1e300;
    for (std::size_t r = 0; r < std::max<std::size_t>(repeat, 1); ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      arena.execute([&] {
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, texts.size(), 64), [&](const auto& range) {
          auto& s = local.local();
          for (std::size_t i = range.begin(); i != range.end(); ++i) {
            std::string_view t = texts[i];
            if (normalize) {
              millrace::text::normalize_into(t, s.norm);
              t = s.norm;
            }
            millrace::text::word_shingle_hashes(t, ngram, s.hashes);
            mh.sign(s.hashes, std::span<std::uint64_t>(sigs.data() + i * num_perm, num_perm));
          }
        });
      });
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::uint64_t check = 0;  // keeps the work observable
    for (auto v : sigs) check ^= v;
    fmt::print("{{\"peer\":\"millrace\",\"family\":\"{}\",\"normalize\":{},\"threads\":{},\"docs\":{},\"bytes\":{},"
               "\"seconds\":{:.6f},\"mb_per_s\":{:.3f},\"checksum\":\"{:016x}\"}}\n",
               family, normalize, threads, texts.size(), bytes, best, static_cast<double>(bytes) / 1e6 / best, check);
  } catch (const std::exception& e) {
    fmt::print(stderr, "millrace-minhash-driver: {}\n", e.what());
    return 1;
  }
  return 0;
}

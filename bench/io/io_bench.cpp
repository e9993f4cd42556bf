// bench_io: read + parse JSONL into Doc{id, text} (MB/s per core) against `cat file > /dev/null`
// and a Python json.loads loop over the same file in the same run; .zst reading against
// `zstd -d -c > /dev/null`; write throughput of write_jsonl (plain and zstd).
//   bench_io --mb 200 --reps 3
#include <millrace/io.hpp>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <unistd.h>

namespace mr = millrace;
namespace io = millrace::io;
namespace fs = std::filesystem;

struct Doc {
  std::string id;
  std::string text;
};
constexpr auto doc_fields = io::fields(io::field("id", &Doc::id), io::field("text", &Doc::text));

template <class F>
static double best_seconds(int reps, F&& f) {
  double best = 1e30;
  for (int i = 0; i < reps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

static void shell(const std::string& cmd) {
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("command failed: " + cmd);
}

int main(int argc, char** argv) {
  CLI::App app{"millrace I/O benchmark"};
  double mb = 100;
  int reps = 3;
  bool python = true;
  std::string dir = (fs::temp_directory_path() / ("millrace-bench-io-" + std::to_string(::getpid()))).string();
  app.add_option("--mb", mb, "size of the generated JSONL file in MB");
  app.add_option("--reps", reps, "repetitions (best time is kept)");
  app.add_option("--dir", dir, "scratch directory");
  app.add_flag("!--no-python", python, "skip the Python json.loads baseline");
  CLI11_PARSE(app, argc, argv);

  fs::create_directories(dir);
  const fs::path file = fs::path(dir) / "docs.jsonl";
  {
    // Web-like documents: ids, ~1-3 KB of words with some escapes and non-ASCII, a metadata object.
    std::mt19937_64 rng(7);
    static const char* words[] = {"the", "mill", "race", "water", "wheel", "data", "pipeline", "caf\\u00e9",
                                  "na\xC3\xAFve", "\\\"quoted\\\"", "line\\nbreak", "token", "corpus", "shard"};
    std::ofstream f(file, std::ios::binary);
    std::size_t bytes = 0, i = 0;
    std::string line;
    while (bytes < std::size_t(mb * 1e6)) {
      line = "{\"id\":\"doc-" + std::to_string(i++) + "\",\"url\":\"https://example.org/" + std::to_string(rng() % 100000) +
             "\",\"text\":\"";
      std::size_t n = 150 + rng() % 300;
      for (std::size_t w = 0; w < n; ++w) {
        line += words[rng() % (sizeof words / sizeof *words)];
        line += ' ';
      }
      line += "\",\"meta\":{\"lang\":\"en\",\"score\":" + std::to_string(rng() % 1000 / 1000.0) + "}}\n";
      f << line;
      bytes += line.size();
    }
  }
  const double size_mb = double(fs::file_size(file)) / 1e6;
  shell("zstd -q -3 -f -k " + file.string() + " -o " + file.string() + ".zst");
  const double zsize_mb = double(fs::file_size(file.string() + ".zst")) / 1e6;
  fmt::print("input: {:.1f} MB JSONL ({:.1f} MB .zst), best of {} rep(s), machine: {} hardware threads\n", size_mb,
             zsize_mb, reps, std::thread::hardware_concurrency());

  auto rate = [&](double s) { return size_mb / s; };
  const double t_cat = best_seconds(reps, [&] { shell("cat " + file.string() + " > /dev/null"); });
  const double t_zstd = best_seconds(reps, [&] { shell("zstd -q -d -c " + file.string() + ".zst > /dev/null"); });

  std::uint64_t count = 0;
  auto read_typed = [&](const std::string& f, std::size_t threads, bool prefetch = true) {
    count = 0;
    mr::run(io::read_jsonl<Doc>({f}, doc_fields, {.prefetch = prefetch}) | mr::sink([&](Doc&& d) { count += d.text.size() > 0; }),
            mr::cpu{.threads = threads});
  };
  auto read_raw = [&](const std::string& f, std::size_t threads) {
    count = 0;
    mr::run(io::read_jsonl({f}) | mr::sink([&](io::json_record&& r) { count += r.raw.size() > 0; }),
            mr::cpu{.threads = threads});
  };
  const double t_doc1 = best_seconds(reps, [&] { read_typed(file.string(), 1); });
  const std::uint64_t docs = count;
  const double t_doc2 = best_seconds(reps, [&] { read_typed(file.string(), 2); });
  const double t_raw1 = best_seconds(reps, [&] { read_raw(file.string(), 1); });
  const double t_zdoc1 = best_seconds(reps, [&] { read_typed(file.string() + ".zst", 1); });
  const double t_zdoc2 = best_seconds(reps, [&] { read_typed(file.string() + ".zst", 2); });
  const double t_zdoc1_np = best_seconds(reps, [&] { read_typed(file.string() + ".zst", 1, false); });
  const double t_doc1_np = best_seconds(reps, [&] { read_typed(file.string(), 1, false); });

  double t_py = 0;
  if (python) {
    const std::string py = "import json,sys\nn=0\nfor l in open(sys.argv[1],'rb'):\n d=json.loads(l); n+=len(d['text'])>0\n";
    std::ofstream(fs::path(dir) / "loads.py") << py;
    t_py = best_seconds(reps, [&] { shell("python3 " + (fs::path(dir) / "loads.py").string() + " " + file.string()); });
  }

  // Writing: records already in memory, so the figure is the sink's.
  std::vector<io::json_record> recs = mr::to_vector(io::read_jsonl({file.string()}), mr::cpu{.threads = 2});
  auto write = [&](bool z, bool sync = true) {
    mr::run(mr::from_range(recs) |
                io::write_jsonl(fs::path(dir) / "out", {.max_bytes_per_shard = 64u << 20, .zstd = z, .fsync = sync}),
            mr::cpu{.threads = 1});
  };
  const double t_w = best_seconds(reps, [&] { write(false); });
  const double t_w_nosync = best_seconds(reps, [&] { write(false, false); });
  const double t_wz = best_seconds(reps, [&] { write(true); });

  fmt::print("{:<52} {:>10} {:>14}\n", "what", "MB/s", "ratio");
  auto row = [&](const char* what, double s, const char* base, double base_s) {
    fmt::print("{:<52} {:>10.1f}   {}\n", what, rate(s), base ? fmt::format("{:.2f}x {}", base_s / s, base) : "");
  };
  row("cat file > /dev/null", t_cat, nullptr, 0);
  row("millrace read_jsonl<Doc>, 1 thread", t_doc1, "of cat", t_cat);
  row("millrace read_jsonl<Doc>, 2 threads", t_doc2, "of 1 thread", t_doc1);
  row("millrace read_jsonl<Doc>, 1 thread, no prefetch", t_doc1_np, "of cat", t_cat);
  row("millrace read_jsonl (json_record), 1 thread", t_raw1, "of cat", t_cat);
  if (python) {
    row("python3 json.loads loop", t_py, nullptr, 0);
    fmt::print("{:<52} {:>10}   {:.1f}x faster than python\n", "  millrace <Doc> 1 thread vs python", "", t_py / t_doc1);
  }
  row("zstd -d -c file.zst > /dev/null (uncompressed MB/s)", t_zstd, nullptr, 0);
  row("millrace read_jsonl<Doc> .zst, 1 thread", t_zdoc1, "of zstd -d", t_zstd);
  row("millrace read_jsonl<Doc> .zst, 2 threads", t_zdoc2, "of zstd -d", t_zstd);
  row("millrace read_jsonl<Doc> .zst, 1 thread, no prefetch", t_zdoc1_np, "of zstd -d", t_zstd);
  row("millrace write_jsonl plain, 1 thread (fsync, default)", t_w, "of cat", t_cat);
  row("millrace write_jsonl plain, 1 thread, fsync off", t_w_nosync, "of fsync on", t_w);
  row("millrace write_jsonl zstd -3, 1 thread", t_wz, nullptr, 0);
  fmt::print("documents: {}\n", docs);
  fs::remove_all(dir);
  return docs > 0 ? 0 : 1;
}

// bench_io_parallel: read + parse N .jsonl.zst shards into Doc{id, text} on 1 and 2 threads, with
// parallel file reading (read_options::parallel_files) off and on, against `zstd -d` over the same
// shards in the same run (one process, and one process per core through xargs -P).
//   bench_io_parallel --shards 16 --mb 100 --reps 3
#include <millrace/io.hpp>

#include <CLI/CLI.hpp>
#include <zstd.h>
#include <fmt/core.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <sys/resource.h>
#include <unistd.h>

namespace mr = millrace;
namespace io = millrace::io;
namespace fs = std::filesystem;

namespace {

struct Doc {
  std::string id;
  std::string text;
};
constexpr auto doc_fields = io::fields(io::field("id", &Doc::id), io::field("text", &Doc::text));

double cpu_seconds() {   // this process's threads and its finished children, user + system
  double s = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage u{};
    getrusage(who, &u);
    s += double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
  }
  return s;
}

struct timing {
  double wall = 1e30, cpu = 0;   // best wall time, and the CPU time of that repetition
};

// On a shared machine wall time depends on the load; CPU time shows the work done.
template <class F>
timing best_of(int reps, F&& f) {
  timing best;
  for (int i = 0; i < reps; ++i) {
    const double c0 = cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    f();
    const double w = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (w < best.wall) best = {w, cpu_seconds() - c0};
  }
  return best;
}

void shell(const std::string& cmd) {
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("command failed: " + cmd);
}

// Web-like documents (as bench_io): ids, 150-450 words with escapes and non-ASCII, metadata.
std::string make_docs(std::mt19937_64& rng, std::size_t bytes, std::size_t& next_id) {
  static const char* words[] = {"the", "mill", "race", "water", "wheel", "data", "pipeline", "caf\\u00e9",
                                "na\xC3\xAFve", "\\\"quoted\\\"", "line\\nbreak", "token", "corpus", "shard"};
  std::string s, line;
  while (s.size() < bytes) {
    line = "{\"id\":\"doc-" + std::to_string(next_id++) + "\",\"url\":\"https://example.org/" +
           std::to_string(rng() % 100000) + "\",\"text\":\"";
    const std::size_t n = 150 + rng() % 300;
    for (std::size_t w = 0; w < n; ++w) {
      line += words[rng() % (sizeof words / sizeof *words)];
      line += ' ';
    }
    line += "\",\"meta\":{\"lang\":\"en\",\"score\":" + std::to_string(rng() % 1000 / 1000.0) + "}}\n";
    s += line;
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"millrace parallel shard reading benchmark"};
  double mb = 100;
  int reps = 3, shards = 16, level = 3;
  std::string dir = (fs::temp_directory_path() / ("millrace-bench-iopar-" + std::to_string(::getpid()))).string();
  app.add_option("--mb", mb, "total uncompressed size in MB");
  app.add_option("--shards", shards, "number of .jsonl.zst shards");
  app.add_option("--level", level, "zstd level of the shards");
  app.add_option("--reps", reps, "repetitions (best time is kept)");
  app.add_option("--dir", dir, "scratch directory");
  CLI11_PARSE(app, argc, argv);
  shards = std::max(shards, 1);

  const fs::path in = fs::path(dir) / "shards";
  fs::create_directories(in);
  std::uint64_t plain_bytes = 0, zst_bytes = 0;
  {
    std::mt19937_64 rng(7);
    std::size_t id = 0;
    for (int f = 0; f < shards; ++f) {
      const std::string text = make_docs(rng, std::size_t(mb * 1e6 / shards), id);
      std::string z(ZSTD_compressBound(text.size()), '\0');
      const std::size_t n = ZSTD_compress(z.data(), z.size(), text.data(), text.size(), level);
      if (ZSTD_isError(n)) throw std::runtime_error("zstd compress failed");
      z.resize(n);
      std::ofstream(in / fmt::format("part-{:05}.jsonl.zst", f), std::ios::binary).write(z.data(), std::streamsize(n));
      plain_bytes += text.size();
      zst_bytes += n;
    }
  }
  const double size_mb = double(plain_bytes) / 1e6;
  fmt::print("input: {} shards, {:.1f} MB JSONL ({:.1f} MB .zst, level {}), best of {} rep(s), {} hardware threads\n",
             shards, size_mb, double(zst_bytes) / 1e6, level, reps, std::thread::hardware_concurrency());

  const std::string glob = (in / "*.zst").string();
  const timing t_zstd = best_of(reps, [&] { shell("zstd -q -d -c " + glob + " > /dev/null"); });
  const timing t_zstd_p2 = best_of(reps, [&] {
    shell("ls " + glob + " | xargs -P 2 -n 1 zstd -q -d -c > /dev/null");
  });

  std::uint64_t count = 0;
  auto read = [&](std::size_t threads, std::size_t files, bool prefetch) {
    io::read_options ro{.prefetch = prefetch};
    ro.parallel_files = files;
    count = 0;
    mr::run(io::read_jsonl<Doc>({in.string()}, doc_fields, ro) | mr::sink([&](Doc&& d) { count += !d.id.empty(); }),
            mr::cpu{.threads = threads});
  };
  struct row_t {
    const char* what;
    std::size_t threads, files;
    bool prefetch;
    timing t{};
  };
  std::vector<row_t> rows = {
      {"read_jsonl<Doc>, 1 thread, no prefetch", 1, 1, false},
      {"read_jsonl<Doc>, 1 thread, parallel_files=1 (auto)", 1, 0, true},
      {"read_jsonl<Doc>, 1 thread, parallel_files=2", 1, 2, true},
      {"read_jsonl<Doc>, 2 threads, parallel_files=1 (auto)", 2, 0, true},
      {"read_jsonl<Doc>, 2 threads, parallel_files=2", 2, 2, true},
      {"read_jsonl<Doc>, 2 threads, parallel_files=4", 2, 4, true},
  };
  std::uint64_t docs = 0;
  for (auto& r : rows) {
    r.t = best_of(reps, [&] { read(r.threads, r.files, r.prefetch); });
    if (docs && count != docs) throw std::runtime_error("record counts differ between configurations");
    docs = count;
  }

  // The reading part alone (I/O + zstd + cutting chunks at line ends), no parsing.
  std::vector<fs::path> files = io::expand_inputs({in.string()});
  std::uint64_t chunk_bytes_seen = 0;
  auto drain = [&](auto& r) {
    io::text_chunk c;
    chunk_bytes_seen = 0;
    while (r.next(c)) chunk_bytes_seen += c.data.size();
  };
  const timing t_chunks = best_of(reps, [&] {
    io::chunk_reader r(files);
    drain(r);
  });
  const timing t_chunks_pre = best_of(reps, [&] {
    io::prefetching_chunk_reader r(files);
    drain(r);
  });
  const timing t_chunks_par2 = best_of(reps, [&] {
    io::parallel_chunk_reader r(files, {}, {}, {.files = 2});
    drain(r);
  });
  const timing t_chunks_par4 = best_of(reps, [&] {
    io::parallel_chunk_reader r(files, {}, {}, {.files = 4});
    drain(r);
  });
  if (chunk_bytes_seen != plain_bytes) throw std::runtime_error("chunk bytes differ from the input");

  auto rate = [&](double s) { return size_mb / s; };
  fmt::print("{:<58} {:>8} {:>8}   {}\n", "what", "MB/s", "cpu s", "ratio (time)");
  fmt::print("{:<58} {:>8.1f} {:>8.2f}\n", "zstd -d -c shards > /dev/null (1 process)", rate(t_zstd.wall), t_zstd.cpu);
  fmt::print("{:<58} {:>8.1f} {:>8.2f}   {:.2f}x of zstd -d\n", "xargs -P 2 zstd -d -c (2 processes)",
             rate(t_zstd_p2.wall), t_zstd_p2.cpu, t_zstd.wall / t_zstd_p2.wall);
  auto chunk_row = [&](const char* what, const timing& t) {
    fmt::print("{:<58} {:>8.1f} {:>8.2f}   {:.2f}x of zstd -d, {:.2f}x of chunk_reader\n", what, rate(t.wall), t.cpu,
               t_zstd.wall / t.wall, t_chunks.wall / t.wall);
  };
  chunk_row("chunk_reader (read+zstd+cut, no parse), 1 thread", t_chunks);
  chunk_row("prefetching_chunk_reader (1 helper thread)", t_chunks_pre);
  chunk_row("parallel_chunk_reader, 2 files at once", t_chunks_par2);
  chunk_row("parallel_chunk_reader, 4 files at once", t_chunks_par4);
  const double before = rows[3].t.wall, one = rows[1].t.wall;
  for (auto& r : rows)
    fmt::print("{:<58} {:>8.1f} {:>8.2f}   {:.2f}x of zstd -d, {:.2f}x of 1T/pf=1, {:.2f}x of 2T/pf=1\n", r.what,
               rate(r.t.wall), r.t.cpu, t_zstd.wall / r.t.wall, one / r.t.wall, before / r.t.wall);
  fmt::print("documents: {}\n", docs);
  fs::remove_all(dir);
  return docs > 0 ? 0 : 1;
}

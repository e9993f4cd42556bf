// bench_formats: MB (decompressed) per CPU-second of reading a generated text corpus as plain,
// .gz and .zst lines (read_lines) and as WET records (read_warc on a .warc.wet.gz with one gzip
// member per record, as Common Crawl ships them), and of writing gzip and zstd shards
// (write_lines), against `cat`, `gzip -dc`, `gzip -6 -c` and `zstd -dc` on the same files in the
// same run (their CPU time from getrusage(RUSAGE_CHILDREN)).
//   bench_formats [--mb 64] [--reps 3]
// g++ 12 warns -Wrestrict on `"x" + std::string` chains at -O3, a false positive (GCC PR 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <millrace/core.hpp>
#include <millrace/io.hpp>
#include <millrace/synth/corpus.hpp>

namespace mr = millrace;
namespace io = millrace::io;
namespace fs = std::filesystem;

namespace {

double self_cpu() { return double(std::clock()) / CLOCKS_PER_SEC; }
double children_cpu() {
  rusage u{};
  ::getrusage(RUSAGE_CHILDREN, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

template <class F>
double best_cpu_s(int reps, F&& f) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    const double t0 = self_cpu();
    f();
    best = std::min(best, self_cpu() - t0);
  }
  return best;
}
double best_command_s(int reps, const std::string& cmd) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    const double t0 = children_cpu();
    if (std::system(cmd.c_str()) != 0) {
      fmt::print(stderr, "bench_formats: '{}' failed\n", cmd);
      return 0;
    }
    best = std::min(best, children_cpu() - t0);
  }
  return best;
}

std::string wet_record(std::size_t i, const std::string& text) {
  return fmt::format("WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: https://example.org/{}\r\n"
                     "WARC-Date: 2024-02-20T10:11:12Z\r\nWARC-Record-ID: <urn:uuid:{:08x}>\r\n"
                     "Content-Type: text/plain\r\nContent-Length: {}\r\n\r\n{}\r\n\r\n",
                     i, i, text.size(), text);
}

// One gzip member (level 6, as gzip(1)), by zlib.
std::string gzip_member(const std::string& data) {
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

void write_all(const fs::path& p, const std::string& bytes) {
  std::FILE* f = std::fopen(p.c_str(), "wb");
  if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) std::abort();
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mb = 64;
  int reps = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--mb")) mb = std::strtoul(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(argv[i + 1]);
  }
  const fs::path dir = fs::temp_directory_path() / ("millrace-bench-formats-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::vector<std::string> lines;
  std::size_t bytes = 0;
  for (std::uint64_t seed = 1; bytes < mb << 20; ++seed)
    for (auto& d : mr::synth::generate_corpus({.docs = 2000, .seed = seed})) {
      bytes += d.text.size() + 1;
      lines.push_back(std::move(d.text));
      if (bytes >= mb << 20) break;
    }
  auto write = [&](const std::string& name, io::write_options o) {
    o.fsync = false;
    o.prefix = name;
    mr::run(mr::from_range(lines) | io::write_lines(dir / name, o), mr::serial_executor{});
  };
  const double w_plain = best_cpu_s(reps, [&] { write("plain", {}); });
  const double w_gz = best_cpu_s(reps, [&] { write("gz", {.gzip = true}); });
  const double w_zst = best_cpu_s(reps, [&] { write("zst", {.zstd = true}); });
  const fs::path plain = dir / "plain" / "plain-00000.txt", gz = dir / "gz" / "gz-00000.txt.gz",
                 zst = dir / "zst" / "zst-00000.txt.zst";
  // The WET file, plain and with one gzip member per record (Common Crawl's layout), by zlib.
  {
    std::string all, members;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const std::string rec = wet_record(i, lines[i]);
      all += rec;
      members += gzip_member(rec);
    }
    write_all(dir / "c.warc.wet", all);
    write_all(dir / "c.warc.wet.gz", members);
  }
  const fs::path wet = dir / "c.warc.wet.gz";
  std::size_t sink = 0;
  auto read = [&](const fs::path& p) {
    return best_cpu_s(reps, [&] {
      std::vector<std::string> got;
      mr::run(io::read_lines({p.string()}) | mr::collect(got), mr::serial_executor{});
      sink += got.size();
    });
  };
  const double r_plain = read(plain), r_gz = read(gz), r_zst = read(zst);
  std::size_t wet_bytes = 0;
  const double r_wet = best_cpu_s(reps, [&] {
    std::vector<io::warc_record> got;
    mr::run(io::read_warc({wet.string()}) | mr::collect(got), mr::serial_executor{});
    wet_bytes = 0;
    for (auto& r : got) wet_bytes += r.content.size();
    sink += got.size();
  });
  const std::size_t wet_file_bytes = fs::file_size(dir / "c.warc.wet");
  const double c_cat = best_command_s(reps, "cat " + plain.string() + " > /dev/null");
  const double c_gunzip = best_command_s(reps, "gzip -dc " + gz.string() + " > /dev/null");
  const double c_gzip = best_command_s(reps, "gzip -6 -c " + plain.string() + " > /dev/null");
  const double c_unzstd = best_command_s(reps, "zstd -q -dc " + zst.string() + " > /dev/null");
  const double c_wet = best_command_s(reps, "gzip -dc " + wet.string() + " > /dev/null");
  const double mbytes = double(bytes) / 1e6;
  fmt::print("corpus: {} lines, {:.1f} MB; .gz {:.1f} MB, .zst {:.1f} MB; WET {:.1f} MB ({:.1f} MB .gz, {} records)\n",
             lines.size(), mbytes, double(fs::file_size(gz)) / 1e6, double(fs::file_size(zst)) / 1e6,
             double(wet_file_bytes) / 1e6, double(fs::file_size(wet)) / 1e6, lines.size());
  auto rate = [](double mb_, double s) { return s > 0 ? mb_ / s : 0.0; };
  // ratio: millrace's rate over the baseline's (above 1: millrace uses less CPU per MB).
  fmt::print("{:<40} {:>12} {:>14} {:>8}\n", "MB (uncompressed) per CPU-second", "millrace", "baseline", "ratio");
  auto row = [&](const char* what, double mb_, double ours, const char* base, double theirs) {
    fmt::print("{:<40} {:>12.1f} {:>14.1f} {:>8.2f}   ({})\n", what, rate(mb_, ours), rate(mb_, theirs),
               theirs > 0 ? theirs / ours : 0.0, base);
  };
  row("read_lines plain", mbytes, r_plain, "cat", c_cat);
  row("read_lines .gz", mbytes, r_gz, "gzip -dc", c_gunzip);
  row("read_lines .zst", mbytes, r_zst, "zstd -dc", c_unzstd);
  row("read_warc .warc.wet.gz (file bytes)", double(wet_file_bytes) / 1e6, r_wet, "gzip -dc", c_wet);
  row("write_lines gzip (level 6)", mbytes, w_gz, "gzip -6 -c", c_gzip);
  row("write_lines zstd (level 3)", mbytes, w_zst, "write_lines plain", w_plain);
  fmt::print("WET content read: {:.1f} MB\n", double(wet_bytes) / 1e6);
  std::error_code ec;
  fs::remove_all(dir, ec);
  return sink == 42 ? 1 : 0;
}

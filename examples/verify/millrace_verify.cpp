// millrace-verify: checks what an output directory's manifest.json claims against the disk: every
// listed shard exists with the listed size and xxh3-128 digests (file bytes, and content after
// zstd). Exit 0: every claim holds (prints "complete" or "incomplete"); 1: a claim is false; 2: no
// manifest or a usage error.
//   millrace-verify out/            # complete: 12 shards, 8000 records verified
#include <millrace/io/digest.hpp>
#include <millrace/io/manifest.hpp>

#include <CLI/CLI.hpp>
#include <zstd.h>
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace io = millrace::io;

namespace {

// Digests of a shard's bytes on disk and of its content (decompressed when it is .zst).
struct shard_digests {
  std::uint64_t file_bytes = 0, bytes = 0;
  std::string file_hex, content_hex;
};

// Decompresses with libzstd directly, not through the readers: the check does not share their code.
shard_digests digest_shard(const std::filesystem::path& p) {
  shard_digests d;
  io::digest128_hasher file, content;
  std::FILE* f = std::fopen(p.c_str(), "rb");
  if (!f) throw std::runtime_error(p.string() + ": cannot open");
  const bool zst = p.extension() == ".zst";
  ZSTD_DStream* ds = zst ? ZSTD_createDStream() : nullptr;
  std::vector<char> in(1 << 20), out(ZSTD_DStreamOutSize());
  std::size_t last = 0;
  for (std::size_t n; (n = std::fread(in.data(), 1, in.size(), f)) > 0;) {
    file.update(std::string_view(in.data(), n));
    d.file_bytes += n;
    if (!zst) {
      content.update(std::string_view(in.data(), n));
      d.bytes += n;
      continue;
    }
    ZSTD_inBuffer ib{in.data(), n, 0};
    while (ib.pos < ib.size) {
      ZSTD_outBuffer ob{out.data(), out.size(), 0};
      last = ZSTD_decompressStream(ds, &ob, &ib);
      if (ZSTD_isError(last)) {
        std::fclose(f);
        ZSTD_freeDStream(ds);
        throw std::runtime_error(p.string() + ": corrupt zstd data: " + ZSTD_getErrorName(last));
      }
      content.update(std::string_view(out.data(), ob.pos));
      d.bytes += ob.pos;
    }
  }
  std::fclose(f);
  if (ds) ZSTD_freeDStream(ds);
  if (zst && last != 0) throw std::runtime_error(p.string() + ": truncated zstd stream");
  d.file_hex = file.hex();
  d.content_hex = content.hex();
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  bool quiet = false;
  CLI::App app{"millrace-verify: check an output directory's manifest.json against the files on disk"};
  app.add_option("dir", dir, "output directory holding manifest.json")->required();
  app.add_flag("--quiet,-q", quiet, "print only problems");
  CLI11_PARSE(app, argc, argv);
  try {
    const auto m = io::manifest::load(std::filesystem::path(dir) / "manifest.json");
    if (!m) {
      fmt::print(stderr, "millrace-verify: {}: no manifest.json\n", dir);
      return 2;
    }
    int bad = 0;
    for (const auto& s : m->shards) {
      const auto p = std::filesystem::path(dir) / s.file;
      std::error_code ec;
      if (!std::filesystem::is_regular_file(p, ec)) {
        fmt::print(stderr, "millrace-verify: {}: listed in the manifest but missing\n", p.string());
        ++bad;
        continue;
      }
      const auto d = digest_shard(p);
      if (d.file_bytes != s.file_bytes || d.file_hex != s.xxh3_128 || d.bytes != s.bytes ||
          d.content_hex != s.content_xxh3_128) {
        fmt::print(stderr, "millrace-verify: {}: does not match the manifest (size {} vs {}, digest {} vs {})\n",
                   p.string(), d.file_bytes, s.file_bytes, d.file_hex, s.xxh3_128);
        ++bad;
      }
    }
    if (bad) return 1;
    if (!quiet)
      fmt::print("{}: {} shards, {} records verified\n", m->complete ? "complete" : "incomplete", m->shards.size(),
                 m->records());
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "millrace-verify: {}\n", e.what());
    return 1;
  }
}

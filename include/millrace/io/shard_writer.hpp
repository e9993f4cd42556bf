// millrace/io/shard_writer.hpp — millrace::io::shard_writer: writes records (already formatted, one
// per line) into numbered shards of at most N records / M bytes, optionally zstd- or
// gzip-compressed; each shard is written through an atomic_file (unpredictable temporary name,
// renamed when complete); a manifest lists the shards with counts and digests. The directory "-" is
// standard output: one stream, no shards, no manifest, no rename (a reader of the pipe sees records
// as they are written).
//   millrace::io::shard_writer w("out", {.max_records_per_shard = 100000}, ".jsonl"); w.append(line); w.finish();
//
// What it may touch in the output directory: the manifest, and the files an earlier manifest of
// this directory lists (its shards, or the names an interrupted run listed as "owned"). Before the
// first of those is deleted or replaced, the manifest is rewritten as incomplete, so it never
// claims shards that are gone. A file with a shard's name that no manifest lists is never replaced:
// the writer stops with an error naming it. Temporary files of a killed run (hidden
// ".<shard>.<16 hex>.tmp" names owned by this user) are removed.
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/atomic_file.hpp>
#include <millrace/io/digest.hpp>
#include <millrace/io/manifest.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

// zstd's compression context and zlib's stream, declared so that this header does not include
// <zstd.h> or <zlib.h> (detail/shard_writer_impl.hpp does).
struct ZSTD_CCtx_s;
struct z_stream_s;

namespace millrace::io {

/// Options of every writer: shard bounds, compression (zstd or gzip), names, resumable layout, fsync.
struct write_options {
  std::size_t max_records_per_shard = 0;   ///< 0: no limit
  std::size_t max_bytes_per_shard = 0;     ///< uncompressed bytes; 0: no limit (a record never splits)
  bool zstd = false;                       ///< shards end in .zst
  int zstd_level = 3;  ///< zstd's compression level, with zstd (3 is zstd's own default)
  bool gzip = false;                       ///< shards end in .gz (one gzip member each); not with zstd
  int gzip_level = 6;                      ///< zlib's 1 (fast) .. 9 (small); 6 is gzip(1)'s default
  std::string prefix = "part";             ///< shard names: <prefix>-00000.jsonl[.zst]
  /// Resumable layout: shards are grouped by input (<prefix>-<input>-<part>), the manifest records
  /// completed inputs, and a rerun keeps them (read with read_options::resume_from = this dir).
  bool resume = false;
  /// fsync each shard and the manifest before renaming them into place (a "complete" manifest then
  /// survives a power cut). Costs one device flush per shard; turn off for scratch outputs.
  bool fsync = true;
};

/// Writes formatted records into shards and a manifest, or to standard output (dir "-").
class shard_writer {
 public:
  shard_writer(std::filesystem::path dir, write_options opt, std::string extension);
  shard_writer(const shard_writer&) = delete;
  shard_writer& operator=(const shard_writer&) = delete;
  ~shard_writer();

  /// The output directory ("-": standard output).
  const std::filesystem::path& dir() const { return dir_; }
  /// Where the manifest goes: dir() / "manifest.json" (none is written for standard output).
  std::filesystem::path manifest_path() const { return dir_ / "manifest.json"; }
  /// The manifest as built so far: the shards finished so far (with resume, those of the inputs kept
  /// from earlier runs too); "complete" only after finish().
  const manifest& current_manifest() const { return man_; }
  /// Records appended by this writer (not those of inputs kept from an earlier run).
  std::uint64_t records() const { return records_; }
  /// Writing to standard output (dir "-"): no shards, no manifest.
  bool to_stdout() const { return stdout_; }

  /// Inputs already complete in the manifest (resume): the reader skips them.
  bool input_done(std::uint32_t input) const;

  /// Starts the records of input `input` (resume layout); completes the inputs before it.
  void begin_input(std::uint32_t input, std::string_view path);

  /// One record: its bytes including the final newline.
  void append(std::string_view rec);

  /// Completes the last shard and the manifest (complete: true).
  void finish();

  /// Drops the shard in progress (its temporary file): used when the run failed. The manifest
  /// stays incomplete.
  void abandon() noexcept;

 private:
  std::string shard_name() const;

  durability sync() const { return opt_.fsync ? durability::fsync : durability::no_fsync; }

  void save_manifest();

  // Files an earlier run listed that this run does not keep, and this user's temporary files of
  // ours left by a killed run. Nothing else: unlink never follows a symlink, and a name no
  // manifest listed is not ours to delete.
  void remove_stale();

  static void unlink_entry(const std::filesystem::path& p);

  void put(const char* p, std::size_t n);

  void open_shard();

  void start_compression();   // a fresh zstd frame or gzip member for the shard (or stream) opening

  void close_shard();

  void end_input();

  std::filesystem::path dir_;
  write_options opt_;
  std::string ext_;
  manifest man_;
  std::set<std::string> owned_;   // names this directory's manifests have listed
  atomic_file file_;
  shard_info cur_;
  digest128_hasher file_digest_, content_;
  ZSTD_CCtx_s* cctx_ = nullptr;   // a ZSTD_CCtx
  z_stream_s* gz_ = nullptr;      // zlib's deflate state, one gzip member per shard
  bool stdout_ = false;
  bool stdout_open_ = false;
  std::vector<char> zbuf_;
  std::size_t part_ = 0;
  std::uint64_t records_ = 0, group_records_ = 0;
  bool has_group_ = false;
  std::uint32_t group_ = 0;
  std::string group_path_;
  std::vector<shard_info> group_shards_;
};

}  // namespace millrace::io

#if MILLRACE_HEADER_ONLY
#include <millrace/io/detail/shard_writer_impl.hpp>
#endif

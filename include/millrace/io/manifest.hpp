// millrace/io/manifest.hpp — millrace::io::manifest: the JSON file next to sharded outputs that
// lists each shard with its record count and digests, and (for resumable jobs) which inputs are
// complete.
//   auto m = millrace::io::manifest::load("out/manifest.json"); m.save("out/manifest.json");
//
// What it claims is true at every instant: "complete": true only once every listed shard is on
// disk with the listed digests; while a run is in progress (or after it failed or was killed) it
// says "complete": false, lists only the shards it has finished, and under "owned" every file name
// a run may have placed in the directory: the only files a later run may delete or replace.
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/atomic_file.hpp>
#include <millrace/io/error.hpp>
#include <millrace/io/json.hpp>


#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace millrace::io {

/// One output shard in the manifest: file, records, bytes and xxh3-128 digests.
struct shard_info {
  std::string file;              ///< name inside the output directory
  std::uint64_t records = 0;  ///< records in the shard
  std::uint64_t bytes = 0;       ///< uncompressed content bytes
  std::uint64_t file_bytes = 0;  ///< bytes on disk
  std::string xxh3_128;          ///< digest of the file's bytes (xxhsum -H2 <file>)
  std::string content_xxh3_128;  ///< digest of the uncompressed content
};

/// One input of a resumable job: done once all its records have reached the sink.
struct input_info {
  std::uint32_t index = 0;  ///< the input's index in the expanded input list (record_position::input)
  std::string path;              ///< empty when no record of it reached the sink
  std::uint64_t records = 0;     ///< records written for it
  std::vector<shard_info> shards;  ///< its shards, in the order they were written
};

/// An output directory's manifest.json: whether the run completed, its shards, and per input when resumable.
struct manifest {
  bool complete = false;         ///< the run finished
  bool per_input = false;        ///< resumable layout: shards grouped by input
  std::vector<shard_info> shards;    ///< every shard in order (for per_input: flattened)
  std::vector<input_info> inputs;    ///< per_input only: completed inputs, by index
  /// Incomplete manifests only: names a run may have written here (listed before the file is
  /// created), so that clean-up never touches a file no millrace run wrote.
  std::vector<std::string> owned;

  /// Records of all shards (the sum of their records).
  std::uint64_t records() const;

  /// Deterministic text (no time stamps): a resumed run writes the same bytes as an uninterrupted one.
  std::string to_json() const;

  /// Written atomically (atomic_file): readers see the old manifest or the new one, never a part.
  void save(const std::filesystem::path& file, durability d = durability::fsync) const;

  /// Reads a manifest; nullopt when the file does not exist. Throws input_error when it is not a
  /// millrace manifest ("format": "millrace-manifest-1") or is malformed.
  static std::optional<manifest> load(const std::filesystem::path& file);

 private:
  static void append_shards(std::string& o, const std::vector<shard_info>& v, const char* indent);
};

}  // namespace millrace::io

#if MILLRACE_HEADER_ONLY
#include <millrace/io/detail/manifest_impl.hpp>
#endif

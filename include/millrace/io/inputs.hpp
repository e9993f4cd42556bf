// millrace/io/inputs.hpp — millrace::io::expand_inputs: turns files, directories and globs into a
// sorted list of files.
//   auto files = millrace::io::expand_inputs({"shards/*.jsonl.zst", "extra/"});
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/error.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace millrace::io {

/// What one reader reads of one input: the lines whose first byte lies in [begin, end) of the
/// file's decompressed bytes. A whole file is {begin 0, end whole_file}; partition_inputs hands
/// out sub-ranges of uncompressed files only (a zstd stream cannot start mid-file).
struct input_range {
  /// The end of a whole-file range: no upper bound.
  static constexpr std::uint64_t whole_file = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t input = 0;          ///< index of the file in the sorted, expanded input list (record_position::input)
  std::filesystem::path file;  ///< the file's path
  std::uint64_t begin = 0;          ///< first byte (a line starting before it belongs to the range before)
  std::uint64_t end = whole_file;   ///< one past the last byte a line of this range may start at
  /// True for a whole file: begin 0 and end whole_file.
  bool whole() const { return begin == 0 && end == whole_file; }
  friend bool operator==(const input_range&, const input_range&) = default;
};

namespace detail {

// Why a directory entry (or glob match) that is not a regular file cannot be read as data; empty
// for a regular file (or a link to one). Found without opening it: opening a FIFO blocks.
std::string not_regular_reason(const std::filesystem::path& p);

// The shards a millrace writer's manifest.json in dir lists, in its order; nullopt when dir has
// no manifest.json or it is not a millrace manifest (then it is an ordinary directory). A
// manifest of an incomplete run, or one listing a shard that is missing, is an error.
std::optional<std::vector<std::filesystem::path>> manifest_shards(const std::filesystem::path& dir);

}  // namespace detail

/// Each entry expands in sorted (byte-wise) order; entries keep the order they are given in.
/// A directory contributes every regular file below it (recursively) except hidden ones (".*"),
/// in-progress outputs ("*.tmp", and the atomic writer's ".<name>.<hex>.tmp") and "manifest.json".
/// An entry below a directory that is not a regular file (FIFO, socket, device, dangling symbolic
/// link, link to a directory) is an error naming it: never skipped silently, never opened (a FIFO
/// would block). A directory (at any depth) holding a millrace writer's manifest.json (format
/// "millrace-manifest-1") is that job's output: with "complete": true it contributes exactly the
/// shards listed there, in that order (nothing else from it or below it: a report or leftovers
/// are not data; a listed shard that is missing is an error); with "complete": false it is an
/// error (the output of an unfinished run). A file named explicitly may be a FIFO or a character
/// device (/dev/stdin): it is read as a stream; the entry "-" is standard input. An entry that matches nothing is an error: a typo
/// must not produce an empty, successful run.
std::vector<std::filesystem::path> expand_inputs(const std::vector<std::string>& entries);

}  // namespace millrace::io

#if MILLRACE_HEADER_ONLY
#include <millrace/io/detail/inputs_impl.hpp>
#endif

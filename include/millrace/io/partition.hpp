// millrace/io/partition.hpp — millrace::io::partition_inputs: splits inputs into P parts of about
// equal bytes, by whole file and by byte range inside large uncompressed files, for P readers
// (threads, processes, ranks). Reading every part, in any order, gives exactly the records of
// reading the whole input, with the same record positions; a line belongs to the part that holds
// its first byte.
//   auto parts = mr::io::partition_inputs({"shards/"}, 8);
//   mr::run(mr::io::read_jsonl(parts[rank]) | ... );
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/error.hpp>
#include <millrace/io/inputs.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace millrace::io {

/// How inputs are split into partitions: whether files are cut into byte ranges, and the smallest range.
struct partition_options {
  /// Cut uncompressed files into byte ranges (false: whole files only, e.g. for CSV, whose quoted
  /// fields may hold newlines).
  bool split_files = true;
  /// A cut file's ranges are at least this long (a boundary closer than this to the file's start,
  /// its end or the previous cut is dropped), so tiny ranges do not cost a file open each.
  std::uint64_t min_range_bytes = std::uint64_t(1) << 20;
};

/// The ranges one reader reads, in input order (at most one range per file). Pass it to
/// read_jsonl / read_jsonl_as / read_lines / read_csv in place of the input list.
struct input_part {
  input_part() = default;   // not an aggregate: read_jsonl({"a.jsonl"}) stays the input-list overload
  std::vector<input_range> ranges;  ///< what this part reads, in input order (at most one range per file)
  std::uint64_t bytes = 0;   ///< file bytes of the ranges (compressed bytes for .zst)
  std::size_t index = 0;     ///< this part's number, 0 .. parts-1
};

namespace detail {
__extension__ typedef unsigned __int128 u128;   // k * total bytes does not fit 64 bits

// Whether a file can be cut: a regular, non-empty file that is not zstd (by the same rule as
// byte_source: the .zst extension or the zstd magic number).
bool splittable(const std::filesystem::path& f, std::uint64_t size);

std::size_t part_of(u128 twice_mid, std::uint64_t total, std::size_t parts);
}  // namespace detail

/// Splits the expanded inputs (expand_inputs order: record_position::input is the index there)
/// into exactly `parts` parts of about equal bytes; some may be empty when there is little input
/// or a few large .zst files. Part k holds input in order after part k-1: concatenating the
/// parts' records in part order gives the whole input's records in order. A file that is not a
/// regular file (FIFO, /dev/stdin) or is zstd is never cut. Sizes are taken now: the files must
/// not change before they are read.
std::vector<input_part> partition_inputs(const std::vector<std::string>& entries, std::size_t parts,
                                         const partition_options& opt = {});

}  // namespace millrace::io

#if MILLRACE_HEADER_ONLY
#include <millrace/io/detail/partition_impl.hpp>
#endif

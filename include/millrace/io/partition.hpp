// millrace::io::partition_inputs: splits inputs into P parts of about equal bytes, by whole file
// and by byte range inside large uncompressed files, for P readers (threads, processes, ranks).
// Reading every part, in any order, gives exactly the records of reading the whole input, with
// the same record positions; a line belongs to the part that holds its first byte.
//   auto parts = mr::io::partition_inputs({"shards/"}, 8);
//   mr::run(mr::io::read_jsonl(parts[rank]) | ... );
#pragma once

#include <millrace/io/byte_source.hpp>
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

struct partition_options {
  // Cut uncompressed files into byte ranges (false: whole files only, e.g. for CSV, whose quoted
  // fields may hold newlines).
  bool split_files = true;
  // A cut file's ranges are at least this long (a boundary closer than this to the file's start,
  // its end or the previous cut is dropped), so tiny ranges do not cost a file open each.
  std::uint64_t min_range_bytes = std::uint64_t(1) << 20;
};

/// The ranges one reader reads, in input order (at most one range per file). Pass it to
/// read_jsonl / read_jsonl_as / read_lines / read_csv in place of the input list.
struct input_part {
  input_part() = default;   // not an aggregate: read_jsonl({"a.jsonl"}) stays the input-list overload
  std::vector<input_range> ranges;
  std::uint64_t bytes = 0;   ///< file bytes of the ranges (compressed bytes for .zst)
  std::size_t index = 0;     ///< this part's number, 0 .. parts-1
};

namespace detail {
__extension__ typedef unsigned __int128 u128;   // k * total bytes does not fit 64 bits

// Whether a file can be cut: a regular, non-empty file that is not zstd (by the same rule as
// byte_source: the .zst extension or the zstd magic number).
inline bool splittable(const std::filesystem::path& f, std::uint64_t size) {
  if (size == 0 || f.extension() == ".zst") return false;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(f, ec)) return false;
  return !byte_source(f).compressed();
}

inline std::size_t part_of(u128 twice_mid, std::uint64_t total, std::size_t parts) {
  // The part whose share of [0, total) holds the midpoint (given doubled, to stay integral).
  const auto p = static_cast<std::size_t>(twice_mid * parts / (detail::u128)(2 * (detail::u128)total));
  return std::min(p, parts - 1);
}
}  // namespace detail

/// Splits the expanded inputs (expand_inputs order: record_position::input is the index there)
/// into exactly `parts` parts of about equal bytes; some may be empty when there is little input
/// or a few large .zst files. Part k holds input in order after part k-1: concatenating the
/// parts' records in part order gives the whole input's records in order. A file that is not a
/// regular file (FIFO, /dev/stdin) or is zstd is never cut. Sizes are taken now: the files must
/// not change before they are read.
inline std::vector<input_part> partition_inputs(const std::vector<std::string>& entries, std::size_t parts,
                                                const partition_options& opt = {}) {
  namespace fs = std::filesystem;
  if (parts == 0) throw std::invalid_argument("millrace::io::partition_inputs: parts must be at least 1");
  const auto files = expand_inputs(entries);
  std::vector<std::uint64_t> size(files.size(), 0);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::error_code ec;
    if (fs::is_regular_file(files[i], ec)) {
      const auto n = fs::file_size(files[i], ec);
      if (!ec) size[i] = n;
    }
    total += size[i];
  }
  std::vector<input_part> out(parts);
  for (std::size_t k = 0; k < parts; ++k) out[k].index = k;
  auto add = [&](std::size_t part, std::size_t i, std::uint64_t a, std::uint64_t b, bool last) {
    auto& p = out[part];
    p.bytes += b - a;
    if (!p.ranges.empty() && p.ranges.back().input == i) {   // the same file's next range: one range
      p.ranges.back().end = last ? input_range::whole_file : b;
      return;
    }
    input_range r;
    r.input = i;
    r.file = files[i];
    r.begin = a;
    r.end = last ? input_range::whole_file : b;
    p.ranges.push_back(std::move(r));
  };
  std::uint64_t start = 0;   // of file i in the concatenation of all files
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::uint64_t n = size[i];
    if (total == 0 || parts == 1 || !opt.split_files || !detail::splittable(files[i], n)) {
      add(total == 0 ? 0 : detail::part_of((detail::u128)start * 2 + n, total, parts), i, 0, n, true);
      start += n;
      continue;
    }
    // Cuts where the part boundaries ceil(k * total / parts) fall inside the file.
    std::vector<std::uint64_t> cuts{0};
    for (std::size_t k = 1; k < parts; ++k) {
      const auto b = static_cast<std::uint64_t>(((detail::u128)k * total + parts - 1) / parts);
      if (b <= start || b >= start + n) continue;
      const std::uint64_t c = b - start;
      if (c - cuts.back() < opt.min_range_bytes || n - c < opt.min_range_bytes) continue;
      cuts.push_back(c);
    }
    cuts.push_back(n);
    for (std::size_t j = 0; j + 1 < cuts.size(); ++j) {
      const std::uint64_t a = cuts[j], b = cuts[j + 1];
      add(detail::part_of((detail::u128)start * 2 + a + b, total, parts), i, a, b, j + 2 == cuts.size());
    }
    start += n;
  }
  return out;
}

}  // namespace millrace::io

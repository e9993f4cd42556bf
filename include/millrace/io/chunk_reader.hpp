// millrace/io/chunk_reader.hpp — millrace::io::chunk_reader: reads files (plain or .zst) as ~1 MB
// chunks that end on a line boundary, so that splitting and parsing lines can run in parallel on
// chunks. Problems that the reader sees (empty file, truncated stream, over-long line) come out as
// error chunks, in place.
//   millrace::io::chunk_reader r(files, {}); millrace::io::text_chunk c; while (r.next(c)) use(c);
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/byte_source.hpp>
#include <millrace/io/error.hpp>
#include <millrace/io/inputs.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace millrace::io {

/// How a file is cut into chunks of whole lines: chunk size, the longest line, empty files, skip bounds.
struct chunk_options {
  std::size_t chunk_bytes = std::size_t(1) << 20;       ///< target chunk size
  std::size_t max_line_bytes = std::size_t(64) << 20;   ///< a longer line is a bad record
  bool empty_file_is_error = true;                      ///< an empty input is bad input by default
  std::size_t reject_prefix_bytes = 4096;               ///< kept of an over-long line for the rejects file
  /// After an over-long line, how far to look for its end: past this many bytes without a newline
  /// the rest of the file is an error and is not read, so an endless stream without newlines
  /// (/dev/zero) still ends, in bounded memory.
  std::uint64_t max_skip_bytes = std::uint64_t(1) << 30;
};

/// A chunk of whole lines of one input file, with the file, first line number and byte offset.
struct text_chunk {
  /// Whole lines, each ending with '\n' (the last line of a file gets one if it lacked it), with
  /// at least SIMDJSON_PADDING bytes of capacity to spare so simdjson can parse lines in place.
  std::string data;
  std::uint32_t input = 0;        ///< index of the file in the expanded input list (input_range::input)
  std::size_t first_line = 1;     ///< line number of the first line in data; 0: not known (a range that starts mid-file)
  std::uint64_t first_offset = 0; ///< byte offset of data[0] in the file's decompressed bytes
  std::size_t lines = 0;          ///< number of lines in data
  /// Non-empty for an error chunk: data then holds (a prefix of) the offending bytes, first_line
  /// and first_offset are where the problem is, and lines is 1 if it stands for a line (0 if for
  /// the whole file).
  std::string error;
  std::uint64_t file_bytes = 0;   ///< bytes taken from the file for this chunk (progress)
  /// Limits the parsers apply to lines that fit in a chunk (the reader handles longer ones).
  std::size_t max_line_bytes = std::size_t(64) << 20;
  std::size_t reject_prefix_bytes = 4096;  ///< bytes of a bad line kept for the rejects file
};

/// Reads a list of input ranges (whole files, or the byte ranges partition_inputs makes) in order.
/// A range that starts at byte b > 0 skips the line that byte b-1 belongs to (it is the previous
/// range's: a line belongs to the range holding its first byte) and reads on past its end to
/// finish its last line, so that the ranges of a file together give each line exactly once.
class chunk_reader {
 public:
  chunk_reader(std::vector<std::filesystem::path> files, chunk_options opt = {}, std::vector<bool> skip = {})
      : chunk_reader(whole_files(files), opt, std::move(skip)) {}
  chunk_reader(std::vector<input_range> ranges, chunk_options opt, std::vector<bool> skip = {});

  /// The file of each range, in range order (a file cut into several ranges repeats).
  const std::vector<std::filesystem::path>& files() const { return files_; }
  /// The ranges read, in order.
  const std::vector<input_range>& ranges() const { return ranges_; }
  /// Bytes taken from the files so far (compressed bytes for .zst): the sum of the chunks' file_bytes.
  std::uint64_t file_bytes() const { return total_file_bytes_; }

  /// Reads range i of the list alone from now on (next() returns false at its end), keeping the
  /// buffers: parallel_chunk_reader's workers take one file at a time.
  void start_file(std::size_t i);

  /// Next chunk; false when every file is done.
  bool next(text_chunk& c);

  /// One whole-file range per path, its input index the path's index in the list.
  static std::vector<input_range> whole_files(const std::vector<std::filesystem::path>& files);

 private:
  void open(std::size_t i);
  void start_chunk(text_chunk& c);
  void count_lines_done(std::size_t n) {
    if (line_) line_ += n;
  }
  // Reads up to chunk_bytes more into carry_ (room kept for simdjson's padding); sets eof_.
  void read_more();
  // Fills c from the current range; false when it has nothing more.
  bool produce(text_chunk& c);
  bool emit(text_chunk& c, std::size_t cut);
  // memchr is vectorized in libc; lines are usually far longer than its call overhead.
  static std::size_t count_lines(const char* p, std::size_t n);
  // The partial line at the end of a cut stream: an error chunk with its bytes.
  bool emit_error(text_chunk& c, const std::string& why, std::size_t take, bool is_line);

  std::vector<input_range> ranges_;
  std::vector<std::filesystem::path> files_;
  std::vector<bool> skip_;
  chunk_options opt_;
  std::unique_ptr<byte_source> cur_;
  std::size_t next_file_ = 0;
  std::uint32_t input_ = 0;
  std::size_t line_ = 1;          // 0: not known (the range started mid-file)
  std::uint64_t offset_ = 0;      // offset of carry_[0] in the decompressed file
  std::uint64_t end_ = input_range::whole_file;
  std::string carry_;
  bool eof_ = false, skipping_ = false, gave_up_ = false, emitted_any_ = false, error_reported_ = false;
  bool seeking_ = false, done_ = false;
  std::size_t skip_line_ = 0;
  std::uint64_t skip_offset_ = 0;
  std::uint64_t skipped_ = 0;   // bytes of the over-long line seen so far
  std::uint64_t last_bytes_ = 0, total_file_bytes_ = 0;
};

}  // namespace millrace::io

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

namespace millrace::io {

/// A chunk_reader running on its own thread a few chunks ahead (bounded queue), so that reading
/// and zstd decompression overlap with line splitting and parsing. Same chunks, same order.
class prefetching_chunk_reader {
 public:
  prefetching_chunk_reader(std::vector<std::filesystem::path> files, chunk_options opt = {},
                           std::vector<bool> skip = {}, std::size_t depth = 4)
      : prefetching_chunk_reader(chunk_reader::whole_files(files), opt, std::move(skip), depth) {}
  prefetching_chunk_reader(std::vector<input_range> ranges, chunk_options opt, std::vector<bool> skip = {},
                           std::size_t depth = 4);
  prefetching_chunk_reader(const prefetching_chunk_reader&) = delete;
  prefetching_chunk_reader& operator=(const prefetching_chunk_reader&) = delete;
  ~prefetching_chunk_reader();

  /// Next chunk, the same as chunk_reader::next would give; false when every file is done. An error
  /// of the reading thread is rethrown here, after the chunks read before it.
  bool next(text_chunk& c);

 private:
  void run();

  chunk_reader inner_;
  std::size_t depth_;
  std::mutex m_;
  std::condition_variable cv_;
  std::size_t chunk_bytes_;
  std::deque<text_chunk> q_;
  std::vector<std::string> spare_;   // emptied chunk buffers for the helper thread to reuse
  bool stop_ = false, done_ = false;
  std::exception_ptr error_;
  std::thread worker_;
};

}  // namespace millrace::io

#if MILLRACE_HEADER_ONLY
#include <millrace/io/detail/chunk_reader_impl.hpp>
#endif

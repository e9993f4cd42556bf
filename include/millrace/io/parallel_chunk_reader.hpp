// millrace/io/parallel_chunk_reader.hpp — millrace::io::parallel_chunk_reader: reads several files
// at once (I/O + zstd on a few worker threads) and hands out their chunks strictly in input order
// (file order, then chunk order), with the read-ahead bounded in bytes per file and in total. Same
// chunks as chunk_reader, same order; with split_lines the workers also split chunks into lines
// (next_lines), as split_chunk does.
//   millrace::io::parallel_chunk_reader r(files, {}, {}, {.files = 4}); millrace::io::text_chunk c; while (r.next(c)) use(c);
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/chunk_reader.hpp>
#include <millrace/io/parse.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace millrace::io {

/// Options of the parallel reader: files read at once and the read-ahead bounds.
struct parallel_read_options {
  std::size_t files = 2;                                             ///< files read at once (worker threads)
  std::size_t max_buffered_bytes = std::size_t(64) << 20;            ///< read-ahead, all files together
  std::size_t max_buffered_bytes_per_file = std::size_t(16) << 20;   ///< read-ahead of one file
  std::size_t max_files_ahead = 0;   ///< files started beyond the one being consumed; 0: 4 x files
  bool split_lines = false;          ///< workers split chunks into lines: use next_lines(), not next()
};

/// Buffered bytes are the bytes of chunks read and not yet taken by next() (text_chunk::data; with
/// split_lines, the size of the chunk the lines came from).
/// They stay within max_buffered_bytes and, per file, max_buffered_bytes_per_file. Files other than
/// the one next() is waiting on keep 2 x chunk_bytes of the total free, so that the next chunk of
/// that file always fits; only a chunk longer than that (a line longer than chunk_bytes) may
/// overshoot, and only when its file has nothing else buffered (otherwise the run could stall).
/// Not counted: each worker's own read buffer (about 2 x chunk_bytes, more while a long line is
/// assembled: at most max_line_bytes + chunk_bytes). An exception while reading a file (cannot
/// open it, say) is thrown by next() at that file's place in the order, after every chunk of the
/// files before it.
class parallel_chunk_reader {
 public:
  parallel_chunk_reader(std::vector<std::filesystem::path> files, chunk_options copt = {},
                        std::vector<bool> skip = {}, parallel_read_options popt = {})
      : parallel_chunk_reader(chunk_reader::whole_files(files), copt, std::move(skip), popt) {}
  // The ranges of a partitioned input (input_part::ranges), or whole files; skip by range index.
  parallel_chunk_reader(std::vector<input_range> ranges, chunk_options copt, std::vector<bool> skip,
                        parallel_read_options popt);
  parallel_chunk_reader(const parallel_chunk_reader&) = delete;
  parallel_chunk_reader& operator=(const parallel_chunk_reader&) = delete;
  ~parallel_chunk_reader();

  /// The file of each range, in range order.
  const std::vector<std::filesystem::path>& files() const { return files_; }
  /// Reader threads: parallel_read_options::files, at most the number of ranges not skipped.
  std::size_t worker_count() const { return workers_.size(); }
  /// Bytes read ahead now, and the most there ever were (for tests and tuning).
  std::size_t buffered_bytes() const {
    std::lock_guard<std::mutex> lk(m_);
    return total_;
  }
  /// The most bytes ever read ahead at once.
  std::size_t peak_buffered_bytes() const {
    std::lock_guard<std::mutex> lk(m_);
    return peak_;
  }
  /// Bytes taken from the files (compressed bytes for .zst) for the chunks next() has handed out.
  std::uint64_t file_bytes() const {
    std::lock_guard<std::mutex> lk(m_);
    return file_bytes_;
  }

  /// Next chunk in input order; false when every file is done. Rethrows a file's read error at
  /// its place; a later call goes on with the next file (as chunk_reader does).
  bool next(text_chunk& c);

  /// With split_lines: the lines of the next chunk (replacing `lines`), as split_chunk gives them.
  bool next_lines(std::vector<raw_line>& lines);

 private:
  struct item {
    text_chunk chunk;               // without split_lines
    std::vector<raw_line> lines;    // with split_lines
    std::size_t bytes = 0;          // the chunk's data size: what the limits count
    std::uint64_t file_bytes = 0;
  };
  struct slot {
    std::deque<item> q;
    std::size_t bytes = 0;
    bool done = false;
    std::exception_ptr error;
  };

  // The head file's first item, waiting for it; null at the end. A file that is done gives way
  // to the next one, or its error is thrown here, at its place in the order.
  item* front(std::unique_lock<std::mutex>& lk);
  void pop(std::unique_lock<std::mutex>&);

  // May a chunk of `size` bytes join s now? The head file (the one next() waits on) may always
  // add a chunk to an empty queue; other files leave headroom_ for it.
  bool admit(const slot& s, std::size_t size) const;

  void work();

  std::vector<input_range> ranges_;
  std::vector<std::filesystem::path> files_;
  chunk_options copt_;
  parallel_read_options popt_;
  std::vector<std::size_t> order_;   // files to read (not skipped), in input order
  std::size_t headroom_ = 0;

  mutable std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<slot>> slots_;   // files order_[head_ .. assigned_)
  std::vector<std::string> spare_;             // emptied chunk buffers, reused by the workers
  std::size_t head_ = 0, assigned_ = 0;
  std::size_t total_ = 0, peak_ = 0;
  std::uint64_t file_bytes_ = 0;
  bool stop_ = false;
  std::vector<std::thread> workers_;   // last: started after everything above exists
};

}  // namespace millrace::io

#if MILLRACE_HEADER_ONLY
#include <millrace/io/detail/parallel_chunk_reader_impl.hpp>
#endif

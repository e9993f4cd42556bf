// millrace::io::chunk_reader: reads files (plain or .zst) as ~1 MB chunks that end on a line
// boundary, so that splitting and parsing lines can run in parallel on chunks. Problems that the
// reader sees (empty file, truncated stream, over-long line) come out as error chunks, in place.
//   millrace::io::chunk_reader r(files, {}); millrace::io::text_chunk c; while (r.next(c)) use(c);
#pragma once

#include <millrace/io/byte_source.hpp>
#include <millrace/io/error.hpp>
#include <millrace/io/inputs.hpp>

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace millrace::io {

struct chunk_options {
  std::size_t chunk_bytes = std::size_t(1) << 20;       // target chunk size
  std::size_t max_line_bytes = std::size_t(64) << 20;   // a longer line is a bad record
  bool empty_file_is_error = true;                      // an empty input is bad input by default
  std::size_t reject_prefix_bytes = 4096;               // kept of an over-long line for the rejects file
  // After an over-long line, how far to look for its end: past this many bytes without a newline
  // the rest of the file is an error and is not read, so an endless stream without newlines
  // (/dev/zero) still ends, in bounded memory.
  std::uint64_t max_skip_bytes = std::uint64_t(1) << 30;
};

struct text_chunk {
  // Whole lines, each ending with '\n' (the last line of a file gets one if it lacked it), with
  // at least SIMDJSON_PADDING bytes of capacity to spare so simdjson can parse lines in place.
  std::string data;
  std::uint32_t input = 0;        // index of the file in the expanded input list (input_range::input)
  std::size_t first_line = 1;     // line number of the first line in data; 0: not known (a range that starts mid-file)
  std::uint64_t first_offset = 0; // byte offset of data[0] in the file's decompressed bytes
  std::size_t lines = 0;          // number of lines in data
  // Non-empty for an error chunk: data then holds (a prefix of) the offending bytes, first_line
  // and first_offset are where the problem is, and lines is 1 if it stands for a line (0 if for
  // the whole file).
  std::string error;
  std::uint64_t file_bytes = 0;   // bytes taken from the file for this chunk (progress)
  // Limits the parsers apply to lines that fit in a chunk (the reader handles longer ones).
  std::size_t max_line_bytes = std::size_t(64) << 20;
  std::size_t reject_prefix_bytes = 4096;
};

// Reads a list of input ranges (whole files, or the byte ranges partition_inputs makes) in order.
// A range that starts at byte b > 0 skips the line that byte b-1 belongs to (it is the previous
// range's: a line belongs to the range holding its first byte) and reads on past its end to
// finish its last line, so that the ranges of a file together give each line exactly once.
class chunk_reader {
 public:
  chunk_reader(std::vector<std::filesystem::path> files, chunk_options opt = {}, std::vector<bool> skip = {})
      : chunk_reader(whole_files(files), opt, std::move(skip)) {}
  chunk_reader(std::vector<input_range> ranges, chunk_options opt, std::vector<bool> skip = {})
      : ranges_(std::move(ranges)), skip_(std::move(skip)), opt_(opt) {
    for (auto& r : ranges_) files_.push_back(r.file);
    skip_.resize(ranges_.size(), false);
    opt_.chunk_bytes = std::max<std::size_t>(opt_.chunk_bytes, 4096);
    opt_.max_line_bytes = std::max<std::size_t>(opt_.max_line_bytes, 1);
  }

  const std::vector<std::filesystem::path>& files() const { return files_; }
  const std::vector<input_range>& ranges() const { return ranges_; }
  std::uint64_t file_bytes() const { return total_file_bytes_; }

  // Reads range i of the list alone from now on (next() returns false at its end), keeping the
  // buffers: parallel_chunk_reader's workers take one file at a time.
  void start_file(std::size_t i) {
    open(i);
    next_file_ = ranges_.size();
  }

  // Next chunk; false when every file is done.
  bool next(text_chunk& c) {
    for (;;) {
      if (!cur_) {
        while (next_file_ < ranges_.size() && skip_[next_file_]) ++next_file_;
        if (next_file_ >= ranges_.size()) return false;
        open(next_file_++);
      }
      if (produce(c)) return true;
      cur_.reset();
    }
  }

  static std::vector<input_range> whole_files(const std::vector<std::filesystem::path>& files) {
    std::vector<input_range> r(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
      r[i].input = i;
      r[i].file = files[i];
    }
    return r;
  }

 private:
  void open(std::size_t i) {
    const input_range& r = ranges_[i];
    // From byte begin-1 on: if it is a newline, the line at begin is this range's first.
    const std::uint64_t from = r.begin > 0 ? r.begin - 1 : 0;
    cur_ = std::make_unique<byte_source>(r.file, from);
    input_ = static_cast<std::uint32_t>(r.input);
    line_ = r.begin == 0 ? 1 : 0;   // mid-file: the lines before are not counted
    offset_ = from;
    end_ = r.end;
    seeking_ = r.begin > 0;
    done_ = false;
    carry_.clear();
    eof_ = false;
    skipping_ = false;
    gave_up_ = false;
    emitted_any_ = false;
    error_reported_ = false;
    last_bytes_ = cur_->file_bytes_read();
  }

  void start_chunk(text_chunk& c) {
    c.data.clear();
    c.error.clear();
    c.input = input_;
    c.first_line = line_;
    c.first_offset = offset_;
    c.lines = 0;
    c.max_line_bytes = opt_.max_line_bytes;
    c.reject_prefix_bytes = opt_.reject_prefix_bytes;
    std::uint64_t now = cur_->file_bytes_read();
    c.file_bytes = now - last_bytes_;
    total_file_bytes_ += c.file_bytes;
    last_bytes_ = now;
  }

  void count_lines_done(std::size_t n) {
    if (line_) line_ += n;
  }

  // Reads up to chunk_bytes more into carry_ (room kept for simdjson's padding); sets eof_.
  void read_more() {
    const std::size_t want = opt_.chunk_bytes;
    const std::size_t old = carry_.size();
    carry_.reserve(old + want + simdjson::SIMDJSON_PADDING);   // emit() hands this buffer out
    carry_.resize(old + want);
    std::size_t got = cur_->read(carry_.data() + old, want);
    carry_.resize(old + got);
    if (got == 0) eof_ = true;
  }

  // Fills c from the current range; false when it has nothing more.
  bool produce(text_chunk& c) {
    if (gave_up_ || done_) return false;
    for (;;) {
      if (seeking_) {
        // Dropping the previous range's last line (up to its newline, or past our end: then this
        // range holds no line start at all).
        if (!carry_.empty()) {
          const char* nl = static_cast<const char*>(std::memchr(carry_.data(), '\n', carry_.size()));
          const std::size_t n = nl ? std::size_t(nl - carry_.data()) + 1 : carry_.size();
          carry_.erase(0, n);
          offset_ += n;
          if (nl) seeking_ = false;
          if (offset_ >= end_) {
            done_ = true;
            return false;
          }
          if (nl) continue;
        }
        if (eof_) {
          if (!cur_->error().empty() && !error_reported_) {
            error_reported_ = true;
            return emit_error(c, cur_->error(), 0, false);
          }
          return false;
        }
        read_more();
        continue;
      }
      // carry_ holds bytes after the last complete line. Emit complete lines once past the target.
      if (!skipping_) {
        if (end_ != input_range::whole_file && !carry_.empty()) {
          // The line holding byte end-1 is this range's last: once its newline is in, emit up to it.
          const std::uint64_t limit = end_ - offset_;   // > 0: carry_ starts at a line of ours
          if (carry_.size() >= limit) {
            const std::size_t from = std::size_t(limit - 1);
            const char* nl = static_cast<const char*>(std::memchr(carry_.data() + from, '\n', carry_.size() - from));
            if (nl) return emit(c, std::size_t(nl - carry_.data()) + 1);
          }
        }
        if (carry_.size() >= opt_.chunk_bytes || (eof_ && !carry_.empty())) {
          const char* base = carry_.data();
          const char* nl = static_cast<const char*>(memrchr(base, '\n', carry_.size()));
          std::size_t cut = nl ? std::size_t(nl - base) + 1 : 0;
          if (eof_ && cut < carry_.size()) {
            if (!cur_->error().empty()) {
              // Stream cut short: complete lines go out first, then the cut line as an error.
              if (cut > 0) return emit(c, cut);
              return emit_error(c, cur_->error(), carry_.size(), true);
            }
            carry_.push_back('\n');   // last line without a newline is still a line
            cut = carry_.size();
          }
          if (cut > 0) return emit(c, cut);
          if (carry_.size() > opt_.max_line_bytes) {
            // Over-long line: reported now, when the limit is reached, not when (if ever) its
            // newline arrives; its remaining bytes are dropped up to the next newline.
            skipping_ = true;
            skip_line_ = line_;
            skip_offset_ = offset_;
            skipped_ = carry_.size();
            std::string prefix(carry_.data(), std::min(carry_.size(), opt_.reject_prefix_bytes));
            start_chunk(c);
            offset_ += carry_.size();
            carry_.clear();
            c.lines = 1;
            c.data = std::move(prefix);
            c.error = "line longer than " + std::to_string(opt_.max_line_bytes) + " bytes";
            count_lines_done(1);
            emitted_any_ = true;
            return true;
          }
        }
      } else if (!carry_.empty()) {
        const char* nl = static_cast<const char*>(std::memchr(carry_.data(), '\n', carry_.size()));
        if (nl) {
          const std::size_t n = std::size_t(nl - carry_.data()) + 1;
          carry_.erase(0, n);
          offset_ += n;
          skipping_ = false;
          if (offset_ >= end_) {   // the over-long line was this range's last
            done_ = true;
            return false;
          }
          continue;
        }
        skipped_ += carry_.size();
        offset_ += carry_.size();
        carry_.clear();
        if (skipped_ > opt_.max_skip_bytes) {
          // No line end in sight (an endless stream without newlines, such as /dev/zero): give
          // up on the rest of this file rather than read forever.
          start_chunk(c);
          c.first_line = skip_line_;
          c.first_offset = skip_offset_;
          c.error = "no newline within " + std::to_string(skipped_) + " bytes after the over-long line " +
                    (skip_line_ ? std::to_string(skip_line_) : "at byte " + std::to_string(skip_offset_)) +
                    "; rest of the file not read";
          emitted_any_ = true;
          gave_up_ = true;
          return true;
        }
      } else if (eof_) {
        skipping_ = false;   // the over-long line was the last one
      }
      if (eof_) {
        if (!cur_->error().empty() && !error_reported_) {
          error_reported_ = true;
          return emit_error(c, cur_->error(), 0, false);
        }
        if (!emitted_any_ && opt_.empty_file_is_error && cur_->empty_file()) {
          emitted_any_ = true;
          start_chunk(c);
          c.first_line = 0;
          c.first_offset = 0;
          c.error = "empty file";
          return true;
        }
        error_reported_ = false;
        return false;
      }
      read_more();
    }
  }

  bool emit(text_chunk& c, std::size_t cut) {
    start_chunk(c);
    // Hand carry_'s buffer to the chunk and keep the few bytes after the cut in the chunk's old
    // buffer: swapping instead of copying the ~1 MiB chunk (buffers alternate, no allocation).
    c.data.assign(carry_.data() + cut, carry_.size() - cut);
    c.data.swap(carry_);
    c.data.resize(cut);
    c.data.reserve(cut + simdjson::SIMDJSON_PADDING);
    c.lines = count_lines(c.data.data(), cut);
    count_lines_done(c.lines);
    offset_ += cut;
    if (offset_ >= end_) done_ = true;   // the rest is the next range's
    emitted_any_ = true;
    return true;
  }

  // memchr is vectorized in libc; lines are usually far longer than its call overhead.
  static std::size_t count_lines(const char* p, std::size_t n) {
    std::size_t lines = 0;
    const char* end = p + n;
    while (p < end) {
      const void* nl = std::memchr(p, '\n', std::size_t(end - p));
      if (!nl) break;
      ++lines;
      p = static_cast<const char*>(nl) + 1;
    }
    return lines;
  }

  // The partial line at the end of a cut stream: an error chunk with its bytes.
  bool emit_error(text_chunk& c, const std::string& why, std::size_t take, bool is_line) {
    start_chunk(c);
    c.data.assign(carry_.data(), std::min(take, opt_.reject_prefix_bytes));
    carry_.erase(0, take);
    offset_ += take;
    c.error = why;
    c.lines = is_line ? 1 : 0;
    if (is_line) {
      count_lines_done(1);
      error_reported_ = true;
    }
    emitted_any_ = true;
    return true;
  }

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

// A chunk_reader running on its own thread a few chunks ahead (bounded queue), so that reading
// and zstd decompression overlap with line splitting and parsing. Same chunks, same order.
class prefetching_chunk_reader {
 public:
  prefetching_chunk_reader(std::vector<std::filesystem::path> files, chunk_options opt = {},
                           std::vector<bool> skip = {}, std::size_t depth = 4)
      : prefetching_chunk_reader(chunk_reader::whole_files(files), opt, std::move(skip), depth) {}
  prefetching_chunk_reader(std::vector<input_range> ranges, chunk_options opt, std::vector<bool> skip = {},
                           std::size_t depth = 4)
      : inner_(std::move(ranges), opt, std::move(skip)), depth_(std::max<std::size_t>(depth, 1)),
        chunk_bytes_(opt.chunk_bytes) {
    worker_ = std::thread([this] { run(); });
  }
  prefetching_chunk_reader(const prefetching_chunk_reader&) = delete;
  prefetching_chunk_reader& operator=(const prefetching_chunk_reader&) = delete;
  ~prefetching_chunk_reader() {
    {
      std::lock_guard<std::mutex> lk(m_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }

  bool next(text_chunk& c) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return !q_.empty() || done_; });
    if (q_.empty()) {
      if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
      return false;
    }
    // The caller's previous buffer goes back to the helper thread: a fresh ~1 MiB buffer per
    // chunk, allocated on one thread and freed on another, costs page faults every time.
    if (c.data.capacity() >= chunk_bytes_ && spare_.size() < depth_ + 2) spare_.push_back(std::move(c.data));
    c = std::move(q_.front());
    q_.pop_front();
    cv_.notify_all();
    return true;
  }

 private:
  void run() {
    try {
      text_chunk c;
      for (;;) {
        if (c.data.capacity() < chunk_bytes_) {
          std::lock_guard<std::mutex> lk(m_);
          if (!spare_.empty()) {
            c.data = std::move(spare_.back());
            spare_.pop_back();
          }
        }
        const bool more = inner_.next(c);
        std::unique_lock<std::mutex> lk(m_);
        if (!more) break;
        cv_.wait(lk, [&] { return q_.size() < depth_ || stop_; });
        if (stop_) break;
        q_.push_back(std::move(c));
        cv_.notify_all();
      }
    } catch (...) {
      std::lock_guard<std::mutex> lk(m_);
      error_ = std::current_exception();
    }
    std::lock_guard<std::mutex> lk(m_);
    done_ = true;
    cv_.notify_all();
  }

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

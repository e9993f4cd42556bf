// millrace/io/detail/chunk_reader_impl.hpp — the definitions behind io/chunk_reader.hpp.
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/chunk_reader.hpp>

#include <simdjson.h>

namespace millrace::io {

MILLRACE_INLINE chunk_reader::chunk_reader(std::vector<input_range> ranges, chunk_options opt, std::vector<bool> skip)
    : ranges_(std::move(ranges)), skip_(std::move(skip)), opt_(opt) {
  for (auto& r : ranges_) files_.push_back(r.file);
  skip_.resize(ranges_.size(), false);
  opt_.chunk_bytes = std::max<std::size_t>(opt_.chunk_bytes, 4096);
  opt_.max_line_bytes = std::max<std::size_t>(opt_.max_line_bytes, 1);
}

MILLRACE_INLINE void chunk_reader::start_file(std::size_t i) {
  open(i);
  next_file_ = ranges_.size();
}

MILLRACE_INLINE bool chunk_reader::next(text_chunk& c) {
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

MILLRACE_INLINE std::vector<input_range> chunk_reader::whole_files(const std::vector<std::filesystem::path>& files) {
  std::vector<input_range> r(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    r[i].input = i;
    r[i].file = files[i];
  }
  return r;
}

MILLRACE_INLINE void chunk_reader::open(std::size_t i) {
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

MILLRACE_INLINE void chunk_reader::start_chunk(text_chunk& c) {
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

MILLRACE_INLINE void chunk_reader::read_more() {
  const std::size_t want = opt_.chunk_bytes;
  const std::size_t old = carry_.size();
  carry_.reserve(old + want + simdjson::SIMDJSON_PADDING);   // emit() hands this buffer out
  carry_.resize(old + want);
  std::size_t got = cur_->read(carry_.data() + old, want);
  carry_.resize(old + got);
  if (got == 0) eof_ = true;
}

MILLRACE_INLINE bool chunk_reader::produce(text_chunk& c) {
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

MILLRACE_INLINE bool chunk_reader::emit(text_chunk& c, std::size_t cut) {
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

MILLRACE_INLINE std::size_t chunk_reader::count_lines(const char* p, std::size_t n) {
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

MILLRACE_INLINE bool chunk_reader::emit_error(text_chunk& c, const std::string& why, std::size_t take, bool is_line) {
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

MILLRACE_INLINE prefetching_chunk_reader::prefetching_chunk_reader(std::vector<input_range> ranges, chunk_options opt, std::vector<bool> skip,
                                                                   std::size_t depth)
    : inner_(std::move(ranges), opt, std::move(skip)), depth_(std::max<std::size_t>(depth, 1)),
      chunk_bytes_(opt.chunk_bytes) {
  worker_ = std::thread([this] { run(); });
}

MILLRACE_INLINE prefetching_chunk_reader::~prefetching_chunk_reader() {
  {
    std::lock_guard<std::mutex> lk(m_);
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

MILLRACE_INLINE bool prefetching_chunk_reader::next(text_chunk& c) {
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

MILLRACE_INLINE void prefetching_chunk_reader::run() {
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

}  // namespace millrace::io

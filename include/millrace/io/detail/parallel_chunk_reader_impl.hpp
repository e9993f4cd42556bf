// millrace/io/detail/parallel_chunk_reader_impl.hpp — the definitions behind io/parallel_chunk_reader.hpp.
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/parallel_chunk_reader.hpp>

namespace millrace::io {

MILLRACE_INLINE parallel_chunk_reader::parallel_chunk_reader(std::vector<input_range> ranges, chunk_options copt,
                                                             std::vector<bool> skip, parallel_read_options popt)
    : ranges_(std::move(ranges)), copt_(copt), popt_(popt) {
  for (auto& r : ranges_) files_.push_back(r.file);
  skip.resize(files_.size(), false);
  for (std::size_t i = 0; i < files_.size(); ++i)
    if (!skip[i]) order_.push_back(i);
  copt_.chunk_bytes = std::max<std::size_t>(copt_.chunk_bytes, 4096);   // as chunk_reader does
  popt_.files = std::max<std::size_t>(popt_.files, 1);
  if (popt_.max_files_ahead == 0) popt_.max_files_ahead = 4 * popt_.files;
  popt_.max_files_ahead = std::max(popt_.max_files_ahead, popt_.files);
  headroom_ = 2 * copt_.chunk_bytes;
  const std::size_t n = std::min(popt_.files, order_.size());
  workers_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) workers_.emplace_back([this] { work(); });
}

MILLRACE_INLINE parallel_chunk_reader::~parallel_chunk_reader() {
  {
    std::lock_guard<std::mutex> lk(m_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

MILLRACE_INLINE bool parallel_chunk_reader::next(text_chunk& c) {
  if (popt_.split_lines) throw std::logic_error("parallel_chunk_reader: split_lines is set, call next_lines()");
  std::unique_lock<std::mutex> lk(m_);
  item* it = front(lk);
  if (!it) return false;
  // The caller's previous buffer goes back to the workers: fresh 1 MiB buffers cost page
  // faults on every chunk (memory freed on another thread is trimmed and faulted in again).
  if (c.data.capacity() >= copt_.chunk_bytes && spare_.size() < workers_.size() + 2)
    spare_.push_back(std::move(c.data));
  c = std::move(it->chunk);
  pop(lk);
  return true;
}

MILLRACE_INLINE bool parallel_chunk_reader::next_lines(std::vector<raw_line>& lines) {
  if (!popt_.split_lines) throw std::logic_error("parallel_chunk_reader: split_lines is not set, call next()");
  std::unique_lock<std::mutex> lk(m_);
  item* it = front(lk);
  if (!it) return false;
  lines = std::move(it->lines);
  pop(lk);
  return true;
}

MILLRACE_INLINE parallel_chunk_reader::item* parallel_chunk_reader::front(std::unique_lock<std::mutex>& lk) {
  for (;;) {
    if (head_ >= order_.size()) return nullptr;
    cv_.wait(lk, [&] { return !slots_.empty() && (!slots_.front()->q.empty() || slots_.front()->done); });
    slot& s = *slots_.front();
    if (!s.q.empty()) return &s.q.front();
    std::exception_ptr err = std::move(s.error);
    slots_.pop_front();
    ++head_;
    cv_.notify_all();   // a new head file, and room for one more file ahead
    if (err) std::rethrow_exception(err);
  }
}

MILLRACE_INLINE void parallel_chunk_reader::pop(std::unique_lock<std::mutex>&) {
  slot& s = *slots_.front();
  s.bytes -= s.q.front().bytes;
  total_ -= s.q.front().bytes;
  file_bytes_ += s.q.front().file_bytes;
  s.q.pop_front();
  cv_.notify_all();
}

MILLRACE_INLINE bool parallel_chunk_reader::admit(const slot& s, std::size_t size) const {
  const bool head = &s == slots_.front().get();
  if (head && s.q.empty()) return true;
  const std::size_t reserve = head ? 0 : headroom_;
  return s.bytes + size <= popt_.max_buffered_bytes_per_file &&
         total_ + size + reserve <= popt_.max_buffered_bytes;
}

MILLRACE_INLINE void parallel_chunk_reader::work() {
  // This worker's reader and chunk, kept across files so that their buffers are reused.
  std::unique_ptr<chunk_reader> r;
  text_chunk c;
  std::unique_lock<std::mutex> lk(m_);
  for (;;) {
    cv_.wait(lk, [&] {
      return stop_ || assigned_ >= order_.size() || assigned_ < head_ + popt_.max_files_ahead;
    });
    if (stop_ || assigned_ >= order_.size()) return;
    const std::size_t file = order_[assigned_++];
    slots_.push_back(std::make_unique<slot>());
    slot* s = slots_.back().get();   // stays valid: only next() pops it, after done
    lk.unlock();
    std::exception_ptr err;
    try {
      if (!r) r = std::make_unique<chunk_reader>(ranges_, copt_);
      r->start_file(file);
      for (;;) {
        if (c.data.capacity() < copt_.chunk_bytes) {
          lk.lock();
          if (!spare_.empty()) {
            c.data = std::move(spare_.back());
            spare_.pop_back();
          }
          lk.unlock();
        }
        if (!r->next(c)) break;
        item it;
        it.bytes = c.data.size();
        it.file_bytes = c.file_bytes;
        if (popt_.split_lines) split_chunk(c, it.lines);   // c keeps its buffer for the next chunk
        else it.chunk = std::move(c);
        lk.lock();
        cv_.wait(lk, [&] { return stop_ || admit(*s, it.bytes); });
        if (stop_) return;
        s->bytes += it.bytes;
        total_ += it.bytes;
        peak_ = std::max(peak_, total_);
        s->q.push_back(std::move(it));
        cv_.notify_all();
        lk.unlock();
      }
    } catch (...) {
      err = std::current_exception();
    }
    if (!lk.owns_lock()) lk.lock();
    s->error = std::move(err);
    s->done = true;
    cv_.notify_all();
  }
}

}  // namespace millrace::io

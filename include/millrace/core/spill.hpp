// millrace/core/spill.hpp — records on disk: run files (blocks with checksums and a footer),
// and the external sorter that sorts more records than fit a memory budget by spilling sorted runs
// to a private temporary directory and merging them. Needs xxHash's header (xxhash.h).
//   mr::external_sorter<std::uint64_t> s({.memory_budget = 64 << 20});
//   for (auto x : input) s.push(std::move(x));
//   auto r = s.finish();                              // sorted, stable
//   for (std::uint64_t x; r.next(x);) use(x);         // the temporary files go with r
//
//   mr::run_writer<doc> w("out/docs.mrrun"); w.write(d); w.commit();   // a file the caller keeps
//   mr::run_reader<doc> rd("out/docs.mrrun"); for (doc d; rd.next(d);) ...
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include <millrace/core/detail/spill_file.hpp>
#include <millrace/core/parallel.hpp>
#include <millrace/core/serialize.hpp>

namespace millrace {

/// Where and how much to spill.
struct spill_options {
  /// Bytes of records held in memory before a sorted run is written (see external_sorter for the
  /// accounting); also bounds the merge's buffers.
  std::size_t memory_budget = std::size_t(256) << 20;
  /// Parent of the private spill directory; empty: std::filesystem::temp_directory_path().
  std::filesystem::path tmp_dir{};
  /// fsync spill files (off: they are scratch, removed at the end anyway).
  bool fsync = false;
};

/// What a sorter (or an exchange) did.
struct spill_stats {
  std::uint64_t records = 0;              ///< records pushed
  std::uint64_t runs = 0;                 ///< sorted runs written from memory (0: all stayed in memory)
  std::uint64_t bytes_spilled = 0;        ///< bytes written to disk, runs and merge passes together
  std::uint64_t peak_buffered_bytes = 0;  ///< the most bytes buffered at once (the budget's accounting)
  std::uint64_t merge_passes = 0;         ///< merges over files: 0 nothing on disk, 1 one streaming merge, more: multi-pass
};

/// How a run file is written.
struct run_file_options {
  bool fsync = false;                          ///< commit() fsyncs the file and its directory
  std::size_t block_bytes = std::size_t(64) << 10;  ///< payload bytes per block (a block holds >= 1 record)
};

// ---------------------------------------------------------------------------------------------
/// run_writer: records into one file, in checksummed blocks, with a footer counting them
/// (format: docs/exchange.md). The file appears at `path` only on commit() (a rename from a
/// hidden temporary name next to it); a writer destroyed uncommitted removes its temporary file.
/// Every write is checked: a full disk throws spill_error naming the file.
namespace detail::spill {
// Appends up to max records of a reader with next(T&) to out; returns how many (0 at the end).
template <class Reader, class T>
std::size_t read_into(Reader& r, std::vector<T>& out, std::size_t max) {
  std::size_t k = 0;
  while (k < max) {
    out.emplace_back();
    if (!r.next(out.back())) {
      out.pop_back();
      break;
    }
    ++k;
  }
  return k;
}
}  // namespace detail::spill

/// Writes one run file of serialized records in checksummed blocks; commit() writes the footer.
template <serializable T>
class run_writer {
 public:
  run_writer() = default;
  explicit run_writer(std::filesystem::path path, run_file_options o = {})
      : file_(std::move(path), o.fsync), block_bytes_(std::max<std::size_t>(o.block_bytes, 1)) {
    char h[detail::spill::file_header_bytes] = {};
    std::memcpy(h, detail::spill::file_magic, 8);
    detail::spill::put<std::uint32_t>(h + 8, detail::spill::version);
    file_.write(h, sizeof h);
    start_block();
  }
  run_writer(run_writer&&) noexcept = default;
  run_writer& operator=(run_writer&&) noexcept = default;
  run_writer(const run_writer&) = delete;
  run_writer& operator=(const run_writer&) = delete;
  ~run_writer() = default;  // out_file removes an uncommitted temporary

  /// Appends v to the current block (before commit() only); a block full (block_bytes of payload or
  /// 2^32 - 1 records) is checksummed and written out. A failed write throws spill_error.
  void write(const T& v) {
    serializer<T>::write(block_, v);
    ++block_records_;
    ++records_;
    if (block_.size() - detail::spill::block_header_bytes >= block_bytes_ ||
        block_records_ == std::numeric_limits<std::uint32_t>::max())
      flush_block();
  }
  /// Writes every record of v, in order (as write() each).
  void write_all(const std::vector<T>& v) {
    for (const auto& x : v) write(x);
  }

  /// Writes the last block and the footer, fsyncs when asked, renames the file into place.
  void commit() {
    if (block_records_) flush_block();
    char f[detail::spill::footer_bytes] = {};
    detail::spill::put<std::uint32_t>(f, detail::spill::footer_magic);
    detail::spill::put<std::uint32_t>(f + 4, detail::spill::version);
    detail::spill::put<std::uint64_t>(f + 8, records_);
    detail::spill::put<std::uint64_t>(f + 16, blocks_);
    detail::spill::put<std::uint64_t>(f + 24, XXH3_64bits(f, 24));
    file_.write(f, sizeof f);
    file_.commit();
    block_.clear();
    block_.shrink_to_fit();
  }
  /// Drops the file (no-op after commit).
  void discard() noexcept { file_.discard(); }

  /// Where the file appears on commit() (the final name, not the temporary one).
  const std::filesystem::path& path() const { return file_.path(); }
  /// Records written so far (the footer's count once committed).
  std::uint64_t records() const { return records_; }
  /// Bytes in the file so far (headers included; the pending block not yet).
  std::uint64_t bytes_written() const { return file_.bytes_written(); }
  /// Memory this writer holds: its block buffer.
  std::size_t buffer_bytes() const { return block_.capacity(); }

 private:
  void start_block() {
    block_.assign(detail::spill::block_header_bytes, '\0');
    block_records_ = 0;
  }
  void flush_block() {
    char* h = block_.data();
    const std::uint64_t payload = block_.size() - detail::spill::block_header_bytes;
    detail::spill::put<std::uint32_t>(h, detail::spill::block_magic);
    detail::spill::put<std::uint32_t>(h + 4, block_records_);
    detail::spill::put<std::uint64_t>(h + 8, payload);
    const std::uint64_t seed = XXH3_64bits(h, 16);
    detail::spill::put<std::uint64_t>(h + 16, XXH3_64bits_withSeed(h + detail::spill::block_header_bytes, payload, seed));
    file_.write(block_.data(), block_.size());
    ++blocks_;
    start_block();
  }

  detail::spill::out_file file_;
  std::string block_;
  std::size_t block_bytes_ = std::size_t(64) << 10;
  std::uint32_t block_records_ = 0;
  std::uint64_t records_ = 0, blocks_ = 0;
};

// ---------------------------------------------------------------------------------------------
/// run_reader: the records of a run file, in order. The footer is checked when the file is opened
/// (a truncated or unfinished file has none), every block's checksum when it is loaded, and the
/// record count at the end: anything wrong throws spill_error naming the file, the offset and what
/// is wrong, never silently wrong data. Holds one block in memory.
template <serializable T>
class run_reader {
  static_assert(std::default_initializable<T>, "millrace: run_reader<T> reads into default-constructed records");

 public:
  explicit run_reader(std::filesystem::path path) : file_(std::move(path)) {
    namespace s = detail::spill;
    const std::uint64_t n = file_.size();
    if (n < s::file_header_bytes + s::footer_bytes)
      fail("truncated: " + std::to_string(n) + " bytes, shorter than an empty run file");
    char h[s::file_header_bytes];
    file_.read_at(0, h, sizeof h);
    if (std::memcmp(h, s::file_magic, 8) != 0) fail("not a millrace run file (bad magic)");
    if (s::get<std::uint32_t>(h + 8) != s::version)
      fail("unsupported run-file version " + std::to_string(s::get<std::uint32_t>(h + 8)));
    if (s::get<std::uint32_t>(h + 12) != 0) fail("corrupt file header (reserved bytes are not zero)");
    char f[s::footer_bytes];
    end_ = n - s::footer_bytes;
    file_.read_at(end_, f, sizeof f);
    if (s::get<std::uint32_t>(f) != s::footer_magic)
      fail("truncated or unfinished: no footer at the end (the writer was not committed, or the file was cut)");
    if (s::get<std::uint64_t>(f + 24) != XXH3_64bits(f, 24)) fail("corrupt footer: checksum mismatch");
    total_ = s::get<std::uint64_t>(f + 8);
    total_blocks_ = s::get<std::uint64_t>(f + 16);
    off_ = s::file_header_bytes;
  }
  run_reader(run_reader&&) noexcept = default;
  run_reader& operator=(run_reader&&) noexcept = default;

  /// The next record into out; false at the end of the file.
  bool next(T& out) {
    while (left_in_block_ == 0)
      if (!load_block()) return false;
    try {
      serializer<T>::read(view_, out);
    } catch (const format_error& e) {
      fail("corrupt record in the block at offset " + std::to_string(block_off_) + ": " + e.what());
    }
    if (--left_in_block_ == 0 && !view_.empty())
      fail("corrupt block at offset " + std::to_string(block_off_) + ": " + std::to_string(view_.size()) +
           " bytes left after its last record");
    ++read_;
    return true;
  }
  /// Appends up to max records to out; returns how many (0 at the end).
  std::size_t read(std::vector<T>& out, std::size_t max) { return detail::spill::read_into(*this, out, max); }

  /// The run file being read.
  const std::filesystem::path& path() const { return file_.path(); }
  /// Records in the file (from the footer).
  std::uint64_t size() const { return total_; }
  /// Records next() has returned so far (size() once all are read).
  std::uint64_t records_read() const { return read_; }
  /// Memory this reader holds: its block buffer.
  std::size_t buffer_bytes() const { return block_.capacity(); }

 private:
  [[noreturn]] void fail(const std::string& why) const { throw spill_error(file_.path(), why); }

  bool load_block() {
    namespace s = detail::spill;
    if (off_ == end_) {
      if (read_ != total_ || blocks_ != total_blocks_)
        fail("corrupt: the footer counts " + std::to_string(total_) + " records in " + std::to_string(total_blocks_) +
             " blocks, the file holds " + std::to_string(read_) + " in " + std::to_string(blocks_));
      block_.clear();
      block_.shrink_to_fit();
      view_ = {};
      return false;
    }
    block_off_ = off_;
    if (end_ - off_ < s::block_header_bytes)
      fail("truncated block header at offset " + std::to_string(off_));
    char h[s::block_header_bytes];
    file_.read_at(off_, h, sizeof h);
    if (s::get<std::uint32_t>(h) != s::block_magic) fail("corrupt block header at offset " + std::to_string(off_) + " (bad magic)");
    const std::uint32_t count = s::get<std::uint32_t>(h + 4);
    const std::uint64_t payload = s::get<std::uint64_t>(h + 8);
    const std::uint64_t room = end_ - off_ - s::block_header_bytes;
    if (payload > room)
      fail("corrupt or truncated: the block at offset " + std::to_string(off_) + " claims " + std::to_string(payload) +
           " payload bytes, " + std::to_string(room) + " are left");
    if (count == 0) fail("corrupt block header at offset " + std::to_string(off_) + " (no records)");
    block_.resize(std::size_t(payload));
    if (payload) file_.read_at(off_ + s::block_header_bytes, block_.data(), block_.size());
    const std::uint64_t seed = XXH3_64bits(h, 16);
    if (XXH3_64bits_withSeed(block_.data(), block_.size(), seed) != s::get<std::uint64_t>(h + 16))
      fail("checksum mismatch in the block at offset " + std::to_string(off_) + " (the file is corrupt)");
    off_ += s::block_header_bytes + payload;
    ++blocks_;
    view_ = std::string_view(block_);
    left_in_block_ = count;
    return true;
  }

  detail::spill::in_file file_;
  std::uint64_t off_ = 0, end_ = 0, block_off_ = 0;
  std::uint64_t total_ = 0, total_blocks_ = 0, read_ = 0, blocks_ = 0;
  std::string block_;
  std::string_view view_;
  std::uint32_t left_in_block_ = 0;
};

namespace detail::spill {

// The merge's arithmetic: a block is a 16th of the budget (256 B .. 1 MiB); the readers of one
// merge together hold half the budget, so fan-in = budget / (2 x block), at least 2.
inline std::size_t block_bytes_for(std::size_t budget) {
  return std::clamp<std::size_t>(budget / 16, 256, std::size_t(1) << 20);
}
inline std::size_t fan_in_for(std::size_t budget) {
  return std::max<std::size_t>(2, budget / (2 * block_bytes_for(budget)));
}

/// The k-way merge of sorted runs (files) and a sorted in-memory tail, stable: equal records come
/// in source order (run 0 first, the in-memory tail last).
template <class T, class Less>
class kway_merge {
 public:
  kway_merge(std::vector<run_reader<T>> runs, std::vector<T> tail, Less less)
      : runs_(std::move(runs)), tail_(std::move(tail)), less_(std::move(less)) {
    if (runs_.empty()) return;  // only the tail: no heap
    cur_.resize(runs_.size() + 1);
    for (std::size_t s = 0; s <= runs_.size(); ++s)
      if (advance(s)) heap_.push_back(s);
    std::make_heap(heap_.begin(), heap_.end(), after());
  }

  bool next(T& out) {
    if (runs_.empty()) {
      if (tail_pos_ == tail_.size()) return release_tail();
      out = std::move(tail_[tail_pos_++]);
      return true;
    }
    if (heap_.empty()) return false;
    std::pop_heap(heap_.begin(), heap_.end(), after());
    const std::size_t s = heap_.back();
    out = std::move(cur_[s]);
    if (advance(s))
      std::push_heap(heap_.begin(), heap_.end(), after());
    else
      heap_.pop_back();
    return true;
  }

 private:
  // "a comes after b": the heap's front is the smallest record, the lower source on ties.
  auto after() {
    return [this](std::size_t a, std::size_t b) {
      if (less_(cur_[b], cur_[a])) return true;
      if (less_(cur_[a], cur_[b])) return false;
      return a > b;
    };
  }
  bool advance(std::size_t s) {
    if (s < runs_.size()) {
      if (runs_[s].next(cur_[s])) return true;
      return false;
    }
    if (tail_pos_ == tail_.size()) return release_tail();
    cur_[s] = std::move(tail_[tail_pos_++]);
    return true;
  }
  bool release_tail() {
    tail_.clear();
    tail_.shrink_to_fit();
    tail_pos_ = 0;
    return false;
  }

  std::vector<run_reader<T>> runs_;
  std::vector<T> tail_;
  std::size_t tail_pos_ = 0;
  Less less_;
  std::vector<T> cur_;
  std::vector<std::size_t> heap_;
};

// Removes files (the runs a merge consumed) when it goes out of scope.
struct file_list_guard {
  std::vector<std::filesystem::path> files;
  file_list_guard() = default;
  file_list_guard(file_list_guard&& o) noexcept : files(std::exchange(o.files, {})) {}
  file_list_guard& operator=(file_list_guard&& o) noexcept {
    if (this != &o) {
      clear();
      files = std::exchange(o.files, {});
    }
    return *this;
  }
  ~file_list_guard() { clear(); }
  void clear() noexcept {
    for (const auto& f : files) ::unlink(f.c_str());
    files.clear();
  }
};

}  // namespace detail::spill

template <serializable T, class Less = std::less<T>>
class external_sorter;

// ---------------------------------------------------------------------------------------------
/// The records of a sorter (or of merged run files) in sorted order. Its temporary files and the
/// private directory are removed when it is exhausted or destroyed, whichever comes first.
template <serializable T, class Less = std::less<T>>
class sorted_reader {
 public:
  sorted_reader() = default;
  sorted_reader(sorted_reader&&) noexcept = default;
  sorted_reader& operator=(sorted_reader&&) noexcept = default;
  ~sorted_reader() { release(); }

  /// The next record; false once all are read (and the temporary files are gone).
  bool next(T& out) {
    if (!merge_) return false;
    if (merge_->next(out)) return true;
    release();
    return false;
  }
  /// Appends up to max records to out; returns how many (0 at the end).
  std::size_t read(std::vector<T>& out, std::size_t max) { return detail::spill::read_into(*this, out, max); }
  /// The sorter's counters as of finish() (for merge(): the merge passes and bytes written).
  const spill_stats& stats() const { return stats_; }

 private:
  template <serializable, class>
  friend class external_sorter;

  void release() noexcept {
    merge_.reset();  // closes the run files
    owned_.clear();  // removes them
    dir_.reset();    // the last owner removes the directory
  }

  std::unique_ptr<detail::spill::kway_merge<T, Less>> merge_;
  detail::spill::file_list_guard owned_;
  std::shared_ptr<detail::spill::spill_dir> dir_;
  spill_stats stats_;
};

// ---------------------------------------------------------------------------------------------
/// external_sorter: push records, then finish() gives them back sorted by Less, stably (equal
/// records in push order). Memory accounting: each buffered record counts
/// serializer<T>::size(record) + sizeof(T) bytes (its bytes as spilled plus its slot in the
/// buffer; the vector's growth slack and std::stable_sort's scratch are not counted). When a push
/// takes the count over memory_budget the buffer is sorted (parallel_stable_sort, on the run's
/// backend) and written as a run into a private directory mkdtemp'd under tmp_dir
/// ("millrace-spill-XXXXXX"), made only when the first run is. finish() merges the runs and the
/// in-memory remainder; more runs than the budget's fan-in (budget / (2 x block), block = budget/16
/// clamped to 256 B..1 MiB) are first merged in passes of fan-in consecutive runs. Nothing fits:
/// nothing touches the disk. On any error the sorter removes what it wrote and its directory.
template <serializable T, class Less>
class external_sorter {
  static_assert(std::default_initializable<T>, "millrace: external_sorter<T> needs a default-constructible T");

 public:
  using sorted_reader = millrace::sorted_reader<T, Less>;

  explicit external_sorter(spill_options o = {}, Less less = {})
      : external_sorter(o, std::move(less), std::make_shared<detail::spill::spill_dir>(o.tmp_dir)) {}
  /// Shares `dir` (made lazily, removed by its last owner) with other sorters: an exchange's
  /// partitions spill into one directory.
  external_sorter(spill_options o, Less less, std::shared_ptr<detail::spill::spill_dir> dir, std::string prefix = "run")
      : opts_(std::move(o)), less_(std::move(less)), dir_(std::move(dir)), prefix_(std::move(prefix)) {}

  external_sorter(external_sorter&&) noexcept = default;
  external_sorter& operator=(external_sorter&&) noexcept = default;
  ~external_sorter() = default;  // runs_ removes the run files, dir_ the directory (last owner)

  /// Buffers a record, moved in (the overloads copy one, or move a whole vector in and leave it
  /// empty); a push that takes the buffer over memory_budget spills it as a sorted run. Throws
  /// std::logic_error after finish() or a failure, spill_error when the disk fails.
  void push(T&& v) {
    check_usable();
    const std::size_t b = record_bytes(v);
    buffer_.push_back(std::move(v));
    account(b);
  }
  void push(const T& v) { push(T(v)); }
  void push(std::vector<T>&& vs) {
    check_usable();
    for (auto& v : vs) {
      const std::size_t b = record_bytes(v);
      buffer_.push_back(std::move(v));
      account(b);
    }
    vs.clear();
  }

  /// Sorts the buffer and writes it as a run now (no-op when empty). The exchange calls it to keep
  /// several sorters under one shared budget.
  void spill() {
    check_usable();
    spill_buffer();
  }

  /// All records, sorted. The sorter is used up.
  sorted_reader finish() {
    check_usable();
    finished_ = true;
    sorted_reader r;
    try {
      if (!runs_.files.empty() && buffered_ > opts_.memory_budget / 2) spill_buffer();  // keep merge memory in budget
      sort_buffer();
      const std::size_t fan = detail::spill::fan_in_for(opts_.memory_budget);
      // the in-memory tail takes one of the merge's inputs
      reduce_runs(runs_, buffer_.empty() ? fan : std::max<std::size_t>(fan - 1, 1), opts_, less_, *dir_, prefix_, stats_);
      if (!runs_.files.empty()) ++stats_.merge_passes;
      std::vector<run_reader<T>> readers;
      readers.reserve(runs_.files.size());
      for (const auto& f : runs_.files) readers.emplace_back(f);
      r.merge_ = std::make_unique<detail::spill::kway_merge<T, Less>>(std::move(readers), std::move(buffer_), less_);
      r.owned_ = std::move(runs_);
      r.dir_ = dir_;
      r.stats_ = stats_;
    } catch (...) {
      fail_cleanup();
      throw;
    }
    buffer_ = {};
    buffered_ = 0;
    dir_.reset();
    return r;
  }

  /// Everything as sorted run files in `dir` (which must exist), in push order: the caller owns
  /// them (merge() reads them back stably). The sorter is used up.
  std::vector<std::filesystem::path> finish_to_runs(std::filesystem::path dir) {
    check_usable();
    finished_ = true;
    detail::spill::file_list_guard made;  // removed again if anything fails
    try {
      char tag[20];
      std::snprintf(tag, sizeof tag, "%016llx", static_cast<unsigned long long>(detail::spill::unpredictable_u64()));
      std::size_t n = 0;
      auto name = [&] {
        char num[24];
        std::snprintf(num, sizeof num, "-%06zu.mrrun", ++n);
        return dir / (std::string("run-") + tag + num);
      };
      for (const auto& f : runs_.files) {
        auto to = name();
        move_file(f, to);
        made.files.push_back(to);
      }
      runs_.files.clear();
      if (!buffer_.empty()) {
        sort_buffer();
        auto to = name();
        write_run(to, buffer_);
        made.files.push_back(to);
        ++stats_.runs;
      }
      if (opts_.fsync) detail::spill::sync_directory(dir);
    } catch (...) {
      made.clear();
      fail_cleanup();
      throw;
    }
    buffer_ = {};
    buffered_ = 0;
    dir_.reset();
    return std::exchange(made.files, {});
  }

  /// The stable merge of sorted run files (finish_to_runs's, in that order): ties go to the earlier
  /// file. The files stay (the caller owns them); intermediate passes, when there are more files
  /// than the budget's fan-in, go to a private directory under opts.tmp_dir, removed at the end.
  static sorted_reader merge(std::vector<std::filesystem::path> runs, spill_options opts, Less less = {}) {
    sorted_reader r;
    auto dir = std::make_shared<detail::spill::spill_dir>(opts.tmp_dir);
    detail::spill::file_list_guard temps;  // intermediates only
    std::vector<std::filesystem::path> inputs = std::move(runs);
    const std::size_t fan = detail::spill::fan_in_for(opts.memory_budget);
    while (inputs.size() > fan) {
      std::vector<std::filesystem::path> next;
      for (std::size_t i = 0; i < inputs.size(); i += fan) {
        const std::size_t e = std::min(inputs.size(), i + fan);
        if (e - i == 1) {
          next.push_back(inputs[i]);
          continue;
        }
        auto out = dir->next_file("merge");
        merge_files({inputs.begin() + std::ptrdiff_t(i), inputs.begin() + std::ptrdiff_t(e)}, out, opts, less, r.stats_);
        for (std::size_t k = i; k < e; ++k) remove_if_listed(temps, inputs[k]);
        temps.files.push_back(out);
        next.push_back(std::move(out));
      }
      inputs = std::move(next);
      ++r.stats_.merge_passes;
    }
    if (!inputs.empty()) ++r.stats_.merge_passes;
    std::vector<run_reader<T>> readers;
    readers.reserve(inputs.size());
    for (const auto& f : inputs) readers.emplace_back(f);
    for (const auto& rd : readers) r.stats_.records += rd.size();
    r.merge_ = std::make_unique<detail::spill::kway_merge<T, Less>>(std::move(readers), std::vector<T>{}, std::move(less));
    r.owned_ = std::move(temps);
    r.dir_ = std::move(dir);
    return r;
  }

  /// The counters so far (records pushed, runs, bytes spilled, peak buffered bytes, merge passes).
  const spill_stats& stats() const { return stats_; }
  /// Bytes buffered now, by the accounting above.
  std::size_t buffered_bytes() const { return buffered_; }
  /// Records in the in-memory buffer now, not yet spilled.
  std::size_t buffered_records() const { return buffer_.size(); }
  /// Runs on disk now.
  std::size_t runs_on_disk() const { return runs_.files.size(); }
  /// The budget, tmp_dir and fsync it was made with.
  const spill_options& options() const { return opts_; }

 private:
  void spill_buffer() {
    if (buffer_.empty()) return;
    try {
      sort_buffer();
      auto path = dir_->next_file(prefix_);
      write_run(path, buffer_);
      runs_.files.push_back(std::move(path));
      ++stats_.runs;
      buffer_.clear();
      buffered_ = 0;
    } catch (...) {
      fail_cleanup();
      throw;
    }
  }

  static std::size_t record_bytes(const T& v) { return serializer<T>::size(v) + sizeof(T); }

  void check_usable() const {
    if (failed_) throw std::logic_error("millrace: external_sorter used after an error (its files are removed)");
    if (finished_) throw std::logic_error("millrace: external_sorter used after finish()");
  }
  void account(std::size_t b) {
    ++stats_.records;
    buffered_ += b;
    stats_.peak_buffered_bytes = std::max<std::uint64_t>(stats_.peak_buffered_bytes, buffered_);
    if (buffered_ > opts_.memory_budget) spill_buffer();
  }
  void sort_buffer() { parallel_stable_sort(buffer_.begin(), buffer_.end(), less_); }

  // Everything written so far goes, the directory with it (when no one else shares it).
  void fail_cleanup() noexcept {
    failed_ = true;
    runs_.clear();
    buffer_ = {};
    buffered_ = 0;
    dir_.reset();
  }

  void write_run(const std::filesystem::path& path, const std::vector<T>& recs) {
    run_writer<T> w(path, {opts_.fsync, detail::spill::block_bytes_for(opts_.memory_budget)});
    w.write_all(recs);
    w.commit();
    stats_.bytes_spilled += w.bytes_written();
  }

  static void move_file(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (::rename(from.c_str(), to.c_str()) == 0) return;
    const int e = errno;
    if (e != EXDEV) throw spill_error(to, "cannot move a run here from " + from.string() + ": " + detail::spill::errno_text(e));
    std::error_code ec;  // another filesystem: copy, then drop the original
    std::filesystem::copy_file(from, to, ec);
    if (ec) {
      std::filesystem::remove(to, ec);
      throw spill_error(to, "cannot copy a run here from " + from.string() + ": " + ec.message());
    }
    ::unlink(from.c_str());
  }

  static void remove_if_listed(detail::spill::file_list_guard& g, const std::filesystem::path& p) {
    auto it = std::find(g.files.begin(), g.files.end(), p);
    if (it == g.files.end()) return;
    ::unlink(p.c_str());
    g.files.erase(it);
  }

  static void merge_files(std::vector<std::filesystem::path> in, const std::filesystem::path& out, const spill_options& o,
                          const Less& less, spill_stats& st) {
    std::vector<run_reader<T>> readers;
    readers.reserve(in.size());
    for (const auto& f : in) readers.emplace_back(f);
    detail::spill::kway_merge<T, Less> m(std::move(readers), {}, less);
    run_writer<T> w(out, {o.fsync, detail::spill::block_bytes_for(o.memory_budget)});
    T v{};
    while (m.next(v)) w.write(v);
    w.commit();
    st.bytes_spilled += w.bytes_written();
  }

  // Merges runs in passes of `fan` consecutive ones until at most `fan` are left (consecutive
  // groups, each replaced by its merge in place, keep the ties in push order).
  static void reduce_runs(detail::spill::file_list_guard& runs, std::size_t fan, const spill_options& o, const Less& less,
                          detail::spill::spill_dir& dir, const std::string& prefix, spill_stats& st) {
    fan = std::max<std::size_t>(fan, 2);
    while (runs.files.size() > fan) {
      detail::spill::file_list_guard next;
      for (std::size_t i = 0; i < runs.files.size(); i += fan) {
        const std::size_t e = std::min(runs.files.size(), i + fan);
        if (e - i == 1) {
          next.files.push_back(std::exchange(runs.files[i], {}));
          continue;
        }
        auto out = dir.next_file(prefix + "-merge");
        next.files.push_back(out);  // listed first: removed if the merge fails
        merge_files({runs.files.begin() + std::ptrdiff_t(i), runs.files.begin() + std::ptrdiff_t(e)}, out, o, less, st);
        for (std::size_t k = i; k < e; ++k) {
          ::unlink(runs.files[k].c_str());
          runs.files[k].clear();
        }
      }
      runs.files.clear();
      runs = std::move(next);
      ++st.merge_passes;
    }
  }

  spill_options opts_;
  Less less_;
  std::shared_ptr<detail::spill::spill_dir> dir_;
  std::string prefix_;
  std::vector<T> buffer_;
  std::size_t buffered_ = 0;
  detail::spill::file_list_guard runs_;
  spill_stats stats_;
  bool finished_ = false, failed_ = false;
};

}  // namespace millrace

// millrace/dedup/detail/shingle_set_store.hpp — a file of sorted shingle sets, one per document
// ordinal, for exact verification of candidate pairs without holding the sets in memory: appended
// in ordinal order while signing, read back by ordinal (pread) while clustering. Each entry carries
// an xxh3 checksum; a truncated or damaged file is an error naming the file and the entry, never a
// wrong answer. Memory: 8 bytes per document (the offsets). This header declares;
// detail/shingle_set_store_impl.hpp defines (and includes xxhash.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <millrace/detail/config.hpp>
#include <millrace/io/atomic_file.hpp>

namespace millrace::dedup::detail {

class shingle_set_writer {
 public:
  shingle_set_writer() = default;
  shingle_set_writer(const std::filesystem::path& path, bool fsync)
      : file_(path, fsync ? io::durability::fsync : io::durability::no_fsync) {}

  bool is_open() const { return file_.is_open(); }

  // Entry layout: u64 count, count x u64 (sorted, unique), u64 xxh3(values, seed = count).
  void append(std::span<const std::uint64_t> set);
  void commit() { file_.commit(); }
  std::uint64_t bytes() const { return bytes_; }
  std::vector<std::uint64_t>& offsets() { return offsets_; }

 private:
  io::atomic_file file_;
  std::vector<std::uint64_t> offsets_;
  std::uint64_t bytes_ = 0;
};

class shingle_set_reader {
 public:
  shingle_set_reader(std::filesystem::path path, std::vector<std::uint64_t> offsets);
  shingle_set_reader(const shingle_set_reader&) = delete;
  shingle_set_reader& operator=(const shingle_set_reader&) = delete;
  ~shingle_set_reader();

  std::uint64_t size() const { return offsets_.size(); }

  // Thread-safe (pread); `out` receives document d's sorted set.
  void get(std::uint64_t d, std::vector<std::uint64_t>& out) const;

 private:
  [[noreturn]] void fail(std::uint64_t d, const char* what) const;
  void read_at(std::uint64_t off, void* dst, std::size_t n, std::uint64_t d) const;

  std::filesystem::path path_;
  std::vector<std::uint64_t> offsets_;
  int fd_ = -1;
};

}  // namespace millrace::dedup::detail

#if MILLRACE_HEADER_ONLY
#include <millrace/dedup/detail/shingle_set_store_impl.hpp>
#endif

// A file of sorted shingle sets, one per document ordinal, for exact verification of candidate
// pairs without holding the sets in memory: appended in ordinal order while signing, read back by
// ordinal (pread) while clustering. Each entry carries an xxh3 checksum; a truncated or damaged
// file is an error naming the file and the entry, never a wrong answer. Memory: 8 bytes per
// document (the offsets).
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include <millrace/io/atomic_file.hpp>

namespace millrace::dedup::detail {

class shingle_set_writer {
 public:
  shingle_set_writer() = default;
  shingle_set_writer(const std::filesystem::path& path, bool fsync)
      : file_(path, fsync ? io::durability::fsync : io::durability::no_fsync) {}

  bool is_open() const { return file_.is_open(); }

  // Entry layout: u64 count, count x u64 (sorted, unique), u64 xxh3(values, seed = count).
  void append(std::span<const std::uint64_t> set) {
    offsets_.push_back(bytes_);
    const std::uint64_t count = set.size();
    const std::uint64_t sum = XXH3_64bits_withSeed(set.data(), set.size_bytes(), count);
    file_.write(std::string_view(reinterpret_cast<const char*>(&count), sizeof count));
    file_.write(std::string_view(reinterpret_cast<const char*>(set.data()), set.size_bytes()));
    file_.write(std::string_view(reinterpret_cast<const char*>(&sum), sizeof sum));
    bytes_ += 2 * sizeof(std::uint64_t) + set.size_bytes();
  }
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
  shingle_set_reader(std::filesystem::path path, std::vector<std::uint64_t> offsets)
      : path_(std::move(path)), offsets_(std::move(offsets)) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error(path_.string() + ": cannot open the shingle sets: " + std::strerror(errno));
  }
  shingle_set_reader(const shingle_set_reader&) = delete;
  shingle_set_reader& operator=(const shingle_set_reader&) = delete;
  ~shingle_set_reader() {
    if (fd_ >= 0) ::close(fd_);
  }

  std::uint64_t size() const { return offsets_.size(); }

  // Thread-safe (pread); `out` receives document d's sorted set.
  void get(std::uint64_t d, std::vector<std::uint64_t>& out) const {
    if (d >= offsets_.size()) fail(d, "no such document");
    std::uint64_t count = 0;
    read_at(offsets_[d], &count, sizeof count, d);
    const std::uint64_t limit = 1ull << 40;
    if (count > limit) fail(d, "implausible entry size (damaged file)");
    out.resize(count);
    read_at(offsets_[d] + sizeof count, out.data(), count * sizeof(std::uint64_t), d);
    std::uint64_t sum = 0;
    read_at(offsets_[d] + sizeof count + count * sizeof(std::uint64_t), &sum, sizeof sum, d);
    if (sum != XXH3_64bits_withSeed(out.data(), count * sizeof(std::uint64_t), count)) fail(d, "checksum mismatch (damaged file)");
  }

 private:
  [[noreturn]] void fail(std::uint64_t d, const char* what) const {
    throw std::runtime_error(path_.string() + ": shingle set of document " + std::to_string(d) + ": " + what);
  }
  void read_at(std::uint64_t off, void* dst, std::size_t n, std::uint64_t d) const {
    auto* p = static_cast<char*>(dst);
    while (n > 0) {
      const ssize_t r = ::pread(fd_, p, n, static_cast<off_t>(off));
      if (r < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(path_.string() + ": read: " + std::strerror(errno));
      }
      if (r == 0) fail(d, "file is truncated");
      p += r;
      n -= static_cast<std::size_t>(r);
      off += static_cast<std::uint64_t>(r);
    }
  }

  std::filesystem::path path_;
  std::vector<std::uint64_t> offsets_;
  int fd_ = -1;
};

}  // namespace millrace::dedup::detail

// millrace/dedup/detail/shingle_set_store_impl.hpp — the shingle-set file's definitions
// (detail/shingle_set_store.hpp declares). Included by it in header-only mode, compiled once into
// millrace::compiled (src/dedup.cpp) otherwise.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include <millrace/dedup/detail/shingle_set_store.hpp>
#include <millrace/detail/config.hpp>

namespace millrace::dedup::detail {

MILLRACE_INLINE void shingle_set_writer::append(std::span<const std::uint64_t> set) {
  offsets_.push_back(bytes_);
  const std::uint64_t count = set.size();
  const std::uint64_t sum = XXH3_64bits_withSeed(set.data(), set.size_bytes(), count);
  file_.write(std::string_view(reinterpret_cast<const char*>(&count), sizeof count));
  file_.write(std::string_view(reinterpret_cast<const char*>(set.data()), set.size_bytes()));
  file_.write(std::string_view(reinterpret_cast<const char*>(&sum), sizeof sum));
  bytes_ += 2 * sizeof(std::uint64_t) + set.size_bytes();
}

MILLRACE_INLINE shingle_set_reader::shingle_set_reader(std::filesystem::path path, std::vector<std::uint64_t> offsets)
    : path_(std::move(path)), offsets_(std::move(offsets)) {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error(path_.string() + ": cannot open the shingle sets: " + std::strerror(errno));
}

MILLRACE_INLINE shingle_set_reader::~shingle_set_reader() {
  if (fd_ >= 0) ::close(fd_);
}

MILLRACE_INLINE void shingle_set_reader::get(std::uint64_t d, std::vector<std::uint64_t>& out) const {
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

MILLRACE_INLINE void shingle_set_reader::fail(std::uint64_t d, const char* what) const {
  throw std::runtime_error(path_.string() + ": shingle set of document " + std::to_string(d) + ": " + what);
}

MILLRACE_INLINE void shingle_set_reader::read_at(std::uint64_t off, void* dst, std::size_t n, std::uint64_t d) const {
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

}  // namespace millrace::dedup::detail

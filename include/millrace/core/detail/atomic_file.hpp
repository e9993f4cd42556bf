// millrace/core/detail/atomic_file.hpp — the one mechanism behind every file millrace writes:
// bytes go to ".<name>.<16 hex>.tmp" next to the target (unpredictable name, O_CREAT|O_EXCL|
// O_NOFOLLOW: a planted symlink is never followed), every write, fsync, close and rename is
// checked, commit() renames into place (and fsyncs the file and its directory when asked), an
// uncommitted file is removed. Here in core so that the spill files (core/spill.hpp) and the
// outputs (io::atomic_file) share it; `Error` is what each layer throws, built from
// (path, reason).
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <utility>

namespace millrace::detail::files {

inline std::string errno_text(int e) { return std::strerror(e); }

// 64 bits from the OS's random source: another user cannot guess the next temporary name.
inline std::uint64_t unpredictable_u64() {
  thread_local std::random_device rd;
  return (std::uint64_t(rd()) << 32) ^ std::uint64_t(rd());
}

inline std::filesystem::path parent_or_dot(const std::filesystem::path& p) {
  auto d = p.parent_path();
  return d.empty() ? std::filesystem::path(".") : d;
}

// fsync of a directory, so that a rename inside it survives a crash. Filesystems that cannot
// fsync a directory (EINVAL, EROFS) are not an error.
template <class Error>
void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw Error(dir.string(), "cannot open directory to sync it: " + errno_text(errno));
  const int rc = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  if (rc != 0 && e != EINVAL && e != EROFS) throw Error(dir.string(), "cannot sync directory: " + errno_text(e));
}

template <class Error>
class basic_atomic_file {
 public:
  basic_atomic_file() = default;
  /// Creates the temporary file in the target's directory (which must exist). Writes are
  /// buffered up to `buffer_bytes` (0: each write goes straight to the file, for callers that
  /// already write whole blocks).
  basic_atomic_file(std::filesystem::path target, bool fsync, std::size_t buffer_bytes);
  basic_atomic_file(basic_atomic_file&& o) noexcept { swap(o); }
  basic_atomic_file& operator=(basic_atomic_file&& o) noexcept {
    if (this != &o) {
      discard();
      swap(o);
    }
    return *this;
  }
  basic_atomic_file(const basic_atomic_file&) = delete;
  basic_atomic_file& operator=(const basic_atomic_file&) = delete;
  ~basic_atomic_file() { discard(); }

  bool is_open() const { return fd_ >= 0; }
  const std::filesystem::path& path() const { return target_; }
  const std::filesystem::path& temp_path() const { return temp_; }
  std::uint64_t bytes_written() const { return written_ + buf_.size(); }

  /// Appends bytes; a failed write throws Error naming the target.
  void write(std::string_view s);

  /// Flush, fsync (if asked), close, rename into place, fsync the directory (if asked). After an
  /// error the temporary file is removed and the target is untouched.
  void commit();

  /// Drops the temporary file (no-op once committed or discarded).
  void discard() noexcept;

 private:
  void swap(basic_atomic_file& o) noexcept {
    std::swap(target_, o.target_);
    std::swap(temp_, o.temp_);
    std::swap(fd_, o.fd_);
    std::swap(fsync_, o.fsync_);
    std::swap(buffer_bytes_, o.buffer_bytes_);
    std::swap(buf_, o.buf_);
    std::swap(written_, o.written_);
  }
  void flush_buffer();
  void write_all(const char* p, std::size_t n);
  [[noreturn]] void fail_errno(const char* what);

  std::filesystem::path target_, temp_;
  int fd_ = -1;
  bool fsync_ = true;
  std::size_t buffer_bytes_ = 0;
  std::string buf_;
  std::uint64_t written_ = 0;
};

// The members that do the work are defined out of the class (not implicitly inline): where a
// layer declares `extern template class basic_atomic_file<its error>` (io/atomic_file.hpp under
// separate compilation), its users' translation units call the one compiled copy instead of
// generating their own.
template <class Error>
basic_atomic_file<Error>::basic_atomic_file(std::filesystem::path target, bool fsync, std::size_t buffer_bytes)
    : target_(std::move(target)), fsync_(fsync), buffer_bytes_(buffer_bytes) {
  const auto dir = parent_or_dot(target_);
  const auto name = target_.filename().string();
  if (name.empty() || name == "." || name == "..") throw Error(target_.string(), "not a file name");
  for (int attempt = 0; attempt < 16 && fd_ < 0; ++attempt) {
    char suffix[24];
    std::snprintf(suffix, sizeof suffix, ".%016llx.tmp", static_cast<unsigned long long>(unpredictable_u64()));
    temp_ = dir / ("." + name + suffix);
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd_ < 0 && errno != EEXIST)
      throw Error(target_.string(), "cannot create a temporary file in " + dir.string() + ": " + errno_text(errno));
  }
  if (fd_ < 0) throw Error(target_.string(), "cannot find a free temporary name");
  buf_.reserve(buffer_bytes_);
}

template <class Error>
void basic_atomic_file<Error>::write(std::string_view s) {
  if (fd_ < 0) throw Error(target_.string(), "write after commit or discard");
  if (buf_.size() + s.size() > buffer_bytes_) {
    flush_buffer();
    if (s.size() >= buffer_bytes_) {
      write_all(s.data(), s.size());
      return;
    }
  }
  buf_.append(s);
}

template <class Error>
void basic_atomic_file<Error>::commit() {
  if (fd_ < 0) throw Error(target_.string(), "commit after commit or discard");
  flush_buffer();
  if (fsync_ && ::fsync(fd_) != 0) fail_errno("cannot sync");
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) {
    const int e = errno;
    ::unlink(temp_.c_str());
    throw Error(target_.string(), "cannot write: " + errno_text(e));
  }
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    const int e = errno;
    ::unlink(temp_.c_str());
    throw Error(target_.string(), "cannot rename " + temp_.filename().string() + " into place: " + errno_text(e));
  }
  if (fsync_) sync_directory<Error>(parent_or_dot(target_));
}

template <class Error>
void basic_atomic_file<Error>::discard() noexcept {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  ::unlink(temp_.c_str());
  buf_.clear();
}

template <class Error>
void basic_atomic_file<Error>::flush_buffer() {
  if (buf_.empty()) return;
  write_all(buf_.data(), buf_.size());
  buf_.clear();
}

template <class Error>
void basic_atomic_file<Error>::write_all(const char* p, std::size_t n) {
  while (n) {
    const ssize_t k = ::write(fd_, p, n);
    if (k < 0) {
      if (errno == EINTR) continue;
      fail_errno("cannot write");
    }
    if (k == 0) {
      errno = EIO;
      fail_errno("cannot write");
    }
    p += k;
    n -= std::size_t(k);
    written_ += std::uint64_t(k);
  }
}

template <class Error>
void basic_atomic_file<Error>::fail_errno(const char* what) {
  const int e = errno;
  discard();
  throw Error(target_.string(), std::string(what) + ": " + errno_text(e));
}

}  // namespace millrace::detail::files

// millrace/core/detail/spill_file.hpp — the files under spill.hpp: checked POSIX writes into a
// temporary name renamed into place on commit (the equivalent of io::atomic_file, which core may not
// include: io sits above core), positioned reads, the run-file format's constants, and the private
// spill directory (mkdtemp, removed with everything in it by its destructor).
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace millrace {

/// A spill or run file that cannot be written (full disk, no permission, missing directory) or
/// read back (truncated, corrupted: a checksum or a header does not match). what() is
/// "<path>: <reason>"; path is the file, or the directory when no file was made yet.
struct spill_error : std::runtime_error {
  spill_error(std::filesystem::path path_, std::string reason_)
      : std::runtime_error(path_.string() + ": " + reason_), path(std::move(path_)), reason(std::move(reason_)) {}
  std::filesystem::path path;
  std::string reason;
};

namespace detail::spill {

// ---- the run-file format (docs/exchange.md) -------------------------------------------------
//   file header  16 bytes: "MRSPILL1", u32 version (1), u32 reserved (0)
//   block        24 bytes: u32 magic "MRBK", u32 records, u64 payload bytes, u64 checksum; payload
//   footer       32 bytes: u32 magic "MRFT", u32 version, u64 records, u64 blocks, u64 checksum
// Block checksum: XXH3-64 of the payload seeded with XXH3-64 of the block header's first 16 bytes
// (so a flipped count or length is caught too); footer checksum: XXH3-64 of its first 24 bytes.
// Numbers are little-endian on the machines millrace runs on (host order, as the records).
inline constexpr char file_magic[8] = {'M', 'R', 'S', 'P', 'I', 'L', 'L', '1'};
inline constexpr std::uint32_t version = 1;
inline constexpr std::uint32_t block_magic = 0x4b42524du;   // "MRBK"
inline constexpr std::uint32_t footer_magic = 0x5446524du;  // "MRFT"
inline constexpr std::size_t file_header_bytes = 16, block_header_bytes = 24, footer_bytes = 32;

inline std::string errno_text(int e) { return std::strerror(e); }

template <class U>
void put(char* p, U v) {
  std::memcpy(p, &v, sizeof v);
}
template <class U>
U get(const char* p) {
  U v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline std::uint64_t unpredictable_u64() {
  thread_local std::random_device rd;
  return (std::uint64_t(rd()) << 32) ^ std::uint64_t(rd());
}

inline std::filesystem::path parent_or_dot(const std::filesystem::path& p) {
  auto d = p.parent_path();
  return d.empty() ? std::filesystem::path(".") : d;
}

inline void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw spill_error(dir, "cannot open directory to sync it: " + errno_text(errno));
  const int rc = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  if (rc != 0 && e != EINVAL && e != EROFS) throw spill_error(dir, "cannot sync directory: " + errno_text(e));
}

/// A file written under ".<name>.<16 hex>.tmp" next to its target (io::atomic_file's naming, so
/// io::remove_stale_temps recognises what a killed run left) and renamed into place by commit().
/// Every write, fsync, close and rename is checked; an uncommitted file is removed.
class out_file {
 public:
  out_file() = default;
  explicit out_file(std::filesystem::path target, bool fsync) : target_(std::move(target)), fsync_(fsync) {
    const auto dir = parent_or_dot(target_);
    const auto name = target_.filename().string();
    if (name.empty() || name == "." || name == "..") throw spill_error(target_, "not a file name");
    for (int attempt = 0; attempt < 16 && fd_ < 0; ++attempt) {
      char suffix[24];
      std::snprintf(suffix, sizeof suffix, ".%016llx.tmp", static_cast<unsigned long long>(unpredictable_u64()));
      temp_ = dir / ("." + name + suffix);
      fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
      if (fd_ < 0 && errno != EEXIST)
        throw spill_error(target_, "cannot create a file in " + dir.string() + ": " + errno_text(errno));
    }
    if (fd_ < 0) throw spill_error(target_, "cannot find a free temporary name");
  }
  out_file(out_file&& o) noexcept { swap(o); }
  out_file& operator=(out_file&& o) noexcept {
    if (this != &o) {
      discard();
      swap(o);
    }
    return *this;
  }
  out_file(const out_file&) = delete;
  out_file& operator=(const out_file&) = delete;
  ~out_file() { discard(); }

  bool is_open() const { return fd_ >= 0; }
  const std::filesystem::path& path() const { return target_; }
  std::uint64_t bytes_written() const { return written_; }

  void write(const char* p, std::size_t n) {
    if (fd_ < 0) throw spill_error(target_, "write after commit or discard");
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

  void commit() {
    if (fd_ < 0) throw spill_error(target_, "commit after commit or discard");
    if (fsync_ && ::fsync(fd_) != 0) fail_errno("cannot sync");
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) {
      const int e = errno;
      ::unlink(temp_.c_str());
      throw spill_error(target_, "cannot write: " + errno_text(e));
    }
    if (::rename(temp_.c_str(), target_.c_str()) != 0) {
      const int e = errno;
      ::unlink(temp_.c_str());
      throw spill_error(target_, "cannot rename " + temp_.filename().string() + " into place: " + errno_text(e));
    }
    if (fsync_) sync_directory(parent_or_dot(target_));
  }

  void discard() noexcept {
    if (fd_ < 0) return;
    ::close(fd_);
    fd_ = -1;
    ::unlink(temp_.c_str());
  }

 private:
  void swap(out_file& o) noexcept {
    std::swap(target_, o.target_);
    std::swap(temp_, o.temp_);
    std::swap(fd_, o.fd_);
    std::swap(fsync_, o.fsync_);
    std::swap(written_, o.written_);
  }
  [[noreturn]] void fail_errno(const char* what) {
    const int e = errno;
    discard();
    throw spill_error(target_, std::string(what) + ": " + errno_text(e));
  }

  std::filesystem::path target_, temp_;
  int fd_ = -1;
  bool fsync_ = false;
  std::uint64_t written_ = 0;
};

/// A file read with pread(2) at explicit offsets.
class in_file {
 public:
  in_file() = default;
  explicit in_file(std::filesystem::path p) : path_(std::move(p)) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw spill_error(path_, "cannot open: " + errno_text(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      const int e = errno;
      ::close(fd_);
      fd_ = -1;
      throw spill_error(path_, "cannot stat: " + errno_text(e));
    }
    size_ = std::uint64_t(st.st_size);
  }
  in_file(in_file&& o) noexcept
      : path_(std::move(o.path_)), fd_(std::exchange(o.fd_, -1)), size_(o.size_) {}
  in_file& operator=(in_file&& o) noexcept {
    if (this != &o) {
      close();
      path_ = std::move(o.path_);
      fd_ = std::exchange(o.fd_, -1);
      size_ = o.size_;
    }
    return *this;
  }
  in_file(const in_file&) = delete;
  in_file& operator=(const in_file&) = delete;
  ~in_file() { close(); }

  std::uint64_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

  /// Exactly n bytes at offset (the caller checked they lie inside the file).
  void read_at(std::uint64_t offset, char* p, std::size_t n) const {
    while (n) {
      const ssize_t k = ::pread(fd_, p, n, static_cast<off_t>(offset));
      if (k < 0) {
        if (errno == EINTR) continue;
        throw spill_error(path_, "cannot read at offset " + std::to_string(offset) + ": " + errno_text(errno));
      }
      if (k == 0) throw spill_error(path_, "truncated: the file ended at offset " + std::to_string(offset) + " while reading");
      p += k;
      n -= std::size_t(k);
      offset += std::uint64_t(k);
    }
  }
  void close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

/// The private directory of one sorter (or of one exchange's partitions): made on first use with
/// mkdtemp("<parent>/millrace-spill-XXXXXX"), mode 0700; the destructor removes it and all in it.
/// Shared by shared_ptr between a sorter and the readers it hands out, so it goes when the last
/// of them does.
class spill_dir {
 public:
  explicit spill_dir(std::filesystem::path parent) : parent_(std::move(parent)) {}
  spill_dir(const spill_dir&) = delete;
  spill_dir& operator=(const spill_dir&) = delete;
  ~spill_dir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  /// The parent the directory goes into (resolving an empty one to the system's temp directory).
  std::filesystem::path parent() const {
    if (!parent_.empty()) return parent_;
    std::error_code ec;
    auto t = std::filesystem::temp_directory_path(ec);
    if (ec) throw spill_error(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp",
                              "no temporary directory for spill files: " + ec.message());
    return t;
  }
  bool created() const {
    std::lock_guard lock(mu_);
    return !path_.empty();
  }
  /// The directory, made now if it was not yet.
  std::filesystem::path path() {
    std::lock_guard lock(mu_);
    if (path_.empty()) {
      const auto parent_dir = parent();
      std::string tmpl = (parent_dir / "millrace-spill-XXXXXX").string();
      if (::mkdtemp(tmpl.data()) == nullptr)
        throw spill_error(parent_dir, "cannot create a spill directory there: " + errno_text(errno));
      path_ = tmpl;
    }
    return path_;
  }
  /// A fresh file name inside the directory ("<prefix>-000001.mrrun", numbered for all sharers).
  std::filesystem::path next_file(std::string_view prefix) {
    char num[32];
    std::snprintf(num, sizeof num, "-%06llu.mrrun", static_cast<unsigned long long>(++counter_));
    return path() / (std::string(prefix) + num);
  }

 private:
  std::filesystem::path parent_, path_;
  mutable std::mutex mu_;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace detail::spill
}  // namespace millrace

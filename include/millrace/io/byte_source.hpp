// millrace::io::byte_source: reads a file's bytes in chunks, decompressing zstd transparently
// (by the .zst extension or the zstd magic number) with bounded memory.
//   millrace::io::byte_source in("shard.jsonl.zst"); char buf[65536]; while (auto n = in.read(buf, sizeof buf)) {...}
#pragma once

#include <millrace/io/error.hpp>

#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace millrace::io {

class byte_source {
 public:
  explicit byte_source(const std::filesystem::path& file) : name_(file.string()) {
    fp_ = std::fopen(name_.c_str(), "rb");
    if (!fp_) throw input_error(name_, 0, std::string("cannot open: ") + std::strerror(errno));
    // Sniff the magic number rather than trusting the extension alone: shards get renamed.
    unsigned char magic[4] = {};
    std::size_t got = std::fread(magic, 1, 4, fp_);
    std::rewind(fp_);
    const bool magic_zstd = got == 4 && magic[0] == 0x28 && magic[1] == 0xB5 && magic[2] == 0x2F &&
                            magic[3] == 0xFD;
    zstd_ = magic_zstd || file.extension() == ".zst";
    if (zstd_) {
      ds_ = ZSTD_createDStream();
      if (!ds_) throw input_error(name_, 0, "cannot create a zstd stream");
      ZSTD_initDStream(ds_);
      in_buf_.resize(ZSTD_DStreamInSize());
    }
  }
  byte_source(const byte_source&) = delete;
  byte_source& operator=(const byte_source&) = delete;
  ~byte_source() {
    if (ds_) ZSTD_freeDStream(ds_);
    if (fp_) std::fclose(fp_);
  }

  const std::string& name() const { return name_; }
  bool compressed() const { return zstd_; }
  // Compressed or plain bytes taken from the file so far (for progress and throughput).
  std::uint64_t file_bytes_read() const { return file_bytes_; }
  // Bytes read from the file and not a single byte decoded: the file is empty.
  bool empty_file() const { return eof_ && file_bytes_ == 0; }

  // Reads up to n bytes into dst; returns 0 only at the end. A truncated or corrupt zstd stream
  // ends the data early and sets error() (the caller knows the line, so it raises the error).
  std::size_t read(char* dst, std::size_t n) {
    if (!zstd_) {
      if (eof_) return 0;
      std::size_t got = std::fread(dst, 1, n, fp_);
      file_bytes_ += got;
      if (got < n) {
        if (std::ferror(fp_)) error_ = std::string("read error: ") + std::strerror(errno);
        eof_ = true;
      }
      return got;
    }
    ZSTD_outBuffer out{dst, n, 0};
    while (out.pos < out.size && !eof_) {
      if (in_.pos == in_.size && !file_eof_) {
        std::size_t got = std::fread(in_buf_.data(), 1, in_buf_.size(), fp_);
        file_bytes_ += got;
        in_ = ZSTD_inBuffer{in_buf_.data(), got, 0};
        if (got == 0) {
          file_eof_ = true;
          if (std::ferror(fp_)) {
            error_ = std::string("read error: ") + std::strerror(errno);
            eof_ = true;
            break;
          }
        }
      }
      const std::size_t before = out.pos, in_before = in_.pos;
      std::size_t ret = ZSTD_decompressStream(ds_, &out, &in_);
      if (ZSTD_isError(ret)) {
        error_ = std::string("corrupt zstd stream: ") + ZSTD_getErrorName(ret);
        eof_ = true;
        break;
      }
      // A call that moved nothing (empty input after a frame ended) returns a header-size hint,
      // not a truncation: only a call that made progress tells where the frame stands.
      if (out.pos != before || in_.pos != in_before) last_ret_ = ret;
      if (file_eof_ && out.pos == before) {
        // No input left and nothing more flushed. zstd returns 0 exactly when a frame is complete.
        eof_ = true;
        if (last_ret_ != 0 && file_bytes_ > 0) error_ = "truncated zstd stream";
      }
    }
    return out.pos;
  }

  // Empty unless the data ended because of a problem (truncated/corrupt zstd, read error).
  const std::string& error() const { return error_; }

 private:
  std::string name_;
  std::FILE* fp_ = nullptr;
  bool zstd_ = false;
  bool eof_ = false;
  bool file_eof_ = false;
  ZSTD_DStream* ds_ = nullptr;
  std::vector<char> in_buf_;
  ZSTD_inBuffer in_{nullptr, 0, 0};
  std::size_t last_ret_ = 0;
  std::uint64_t file_bytes_ = 0;
  std::string error_;
};

}  // namespace millrace::io

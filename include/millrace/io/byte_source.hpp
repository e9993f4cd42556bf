// millrace::io::byte_source: reads a file's bytes in chunks, decompressing zstd transparently
// (by the .zst extension or the zstd magic number) with bounded memory. Works on streams too (a
// FIFO, /dev/stdin): nothing is rewound.
//   millrace::io::byte_source in("shard.jsonl.zst"); char buf[65536]; while (auto n = in.read(buf, sizeof buf)) {...}
#pragma once

#include <millrace/io/error.hpp>

#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace millrace::io {

class byte_source {
 public:
  // start > 0: read a plain file from that byte on (a zstd stream cannot start mid-file: error).
  explicit byte_source(const std::filesystem::path& file, std::uint64_t start = 0) : name_(file.string()) {
    fp_ = std::fopen(name_.c_str(), "rb");
    if (!fp_) throw input_error(name_, 0, std::string("cannot open: ") + std::strerror(errno));
    // Sniff the magic number rather than trusting the extension alone: shards get renamed. The
    // sniffed bytes are kept and read first (a pipe cannot be rewound).
    sniffed_ = std::fread(magic_, 1, 4, fp_);
    file_bytes_ = sniffed_;
    if (sniffed_ < 4) {   // fread stops short only at the end or on an error
      read_eof_ = true;
      if (std::ferror(fp_)) error_ = std::string("read error: ") + std::strerror(errno);
    }
    const bool magic_zstd = sniffed_ == 4 && magic_[0] == 0x28 && magic_[1] == 0xB5 && magic_[2] == 0x2F &&
                            magic_[3] == 0xFD;
    zstd_ = magic_zstd || file.extension() == ".zst";
    if (zstd_) {
      ds_ = ZSTD_createDStream();
      if (!ds_) throw input_error(name_, 0, "cannot create a zstd stream");
      ZSTD_initDStream(ds_);
      in_buf_.resize(std::max<std::size_t>(ZSTD_DStreamInSize(), 4));
      std::memcpy(in_buf_.data(), magic_, sniffed_);
      in_ = ZSTD_inBuffer{in_buf_.data(), sniffed_, 0};
      sniff_pos_ = sniffed_;   // already in the decoder's input
    }
    if (start > 0) {
      if (zstd_) throw input_error(name_, 0, "cannot start reading a zstd stream at byte " + std::to_string(start));
      if (::fseeko(fp_, static_cast<off_t>(start), SEEK_SET) != 0)
        throw input_error(name_, 0, "cannot seek to byte " + std::to_string(start) + ": " + std::strerror(errno));
      sniff_pos_ = sniffed_;   // the sniffed bytes lie before start
      file_bytes_ = 0;
      read_eof_ = false;
      error_.clear();
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
  // The content is empty: no byte came out (of a 0-byte file, or of a valid .zst whose frames
  // hold nothing), so empty_file_is_error means the same for plain and compressed inputs.
  bool empty_file() const { return eof_ && content_bytes_ == 0; }

  // Reads up to n bytes into dst; returns 0 only at the end. A truncated or corrupt zstd stream
  // ends the data early and sets error() (the caller knows the line, so it raises the error).
  std::size_t read(char* dst, std::size_t n) {
    const std::size_t got = zstd_ ? read_zstd(dst, n) : read_plain(dst, n);
    content_bytes_ += got;
    return got;
  }

  // Empty unless the data ended because of a problem (truncated/corrupt zstd, read error).
  const std::string& error() const { return error_; }

 private:
  // Raw bytes from the file, the sniffed ones first.
  std::size_t read_file(char* dst, std::size_t n) {
    std::size_t got = 0;
    if (sniff_pos_ < sniffed_) {
      got = std::min(n, sniffed_ - sniff_pos_);
      std::memcpy(dst, magic_ + sniff_pos_, got);
      sniff_pos_ += got;
    }
    if (got < n && !read_eof_) {
      const std::size_t more = std::fread(dst + got, 1, n - got, fp_);
      file_bytes_ += more;
      got += more;
      if (got < n) {
        read_eof_ = true;
        if (std::ferror(fp_)) error_ = std::string("read error: ") + std::strerror(errno);
      }
    }
    return got;
  }

  std::size_t read_plain(char* dst, std::size_t n) {
    if (eof_) return 0;
    const std::size_t got = read_file(dst, n);
    if (got < n) eof_ = true;
    return got;
  }

  std::size_t read_zstd(char* dst, std::size_t n) {
    ZSTD_outBuffer out{dst, n, 0};
    while (out.pos < out.size && !eof_) {
      if (in_.pos == in_.size && !file_eof_) {
        std::size_t got = read_file(in_buf_.data(), in_buf_.size());
        in_ = ZSTD_inBuffer{in_buf_.data(), got, 0};
        if (got == 0) {
          file_eof_ = true;
          if (!error_.empty()) {   // read error
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

  std::string name_;
  std::FILE* fp_ = nullptr;
  bool zstd_ = false;
  bool eof_ = false;
  bool file_eof_ = false;
  ZSTD_DStream* ds_ = nullptr;
  std::vector<char> in_buf_;
  ZSTD_inBuffer in_{nullptr, 0, 0};
  std::size_t last_ret_ = 0;
  std::uint64_t file_bytes_ = 0, content_bytes_ = 0;
  unsigned char magic_[4] = {};
  std::size_t sniffed_ = 0, sniff_pos_ = 0;   // sniffed bytes, and how many were handed out
  bool read_eof_ = false;          // the file (not the decoder) has no more bytes
  std::string error_;
};

}  // namespace millrace::io

// millrace/io/error.hpp — millrace::io errors: input_error carries the file and line of bad input,
// output_error the output that could not be written; on_bad_record picks between failing the run
// and sending the record to a rejects file.
//   throw millrace::io::input_error("a.jsonl", 12, "invalid JSON");   // what(): "a.jsonl:12: invalid JSON"
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include <millrace/detail/config.hpp>

namespace millrace::io {

/// Bad input at a known place. what() is "file:line: reason" so that a user can jump to it
/// ("file: reason" when it concerns the whole file); where
/// the line number is not known (a part of a partitioned input that starts mid-file, see
/// partition.hpp) it is "file: byte N: reason", N the offset of the record's first byte in the
/// file's decompressed bytes. Accessors as every millrace error (docs/core-api.md, "Errors").
class input_error : public std::runtime_error {
 public:
  /// line 0 (the whole file, or no file matched a pattern): "file: reason", no ":0:".
  input_error(std::string file, std::size_t line, std::string reason);
  /// line_known false: the message names the byte offset instead of the line (line() is then 0).
  input_error(std::string file, std::size_t line, std::uint64_t offset, bool line_known, std::string reason);
  /// The input file (or the pattern no file matched).
  const std::string& file() const noexcept { return file_; }
  /// 1-based; 0 when the problem concerns the whole file (e.g. it is empty) or the line is not known.
  std::size_t line() const noexcept { return line_; }
  /// Byte offset of the record in the decompressed file, where the reader knows it (else 0).
  std::uint64_t offset() const noexcept { return offset_; }
  /// What is wrong, without the place.
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string file_;
  std::size_t line_ = 0;
  std::uint64_t offset_ = 0;
  std::string reason_;
};

/// An output that could not be made durable (full disk, no permission, failed rename): what() is
/// "<path>: <reason>", and a job that meets one exits non-zero.
class output_error : public std::runtime_error {
 public:
  /// The output `path` could not be written because of `reason`.
  output_error(std::string path, std::string reason);
  /// The file or directory that could not be written.
  const std::string& path() const noexcept { return path_; }
  /// What went wrong, without the path.
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string path_;
  std::string reason_;
};

/// What a reader does with a bad record: throw input_error (the run fails), or write the record and
/// its reason to the rejects file and go on.
enum class on_bad_record { fail, reject };

}  // namespace millrace::io

#if MILLRACE_HEADER_ONLY
#include <millrace/io/detail/error_impl.hpp>
#endif

// millrace::io errors: input_error carries the file and line of bad input, output_error the output
// that could not be written; on_bad_record picks
// between failing the run and sending the record to a rejects file.
//   throw millrace::io::input_error("a.jsonl", 12, "invalid JSON");   // what(): "a.jsonl:12: invalid JSON"
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace millrace::io {

/// Bad input at a known place. what() is "file:line: reason" so that a user can jump to it
/// ("file: reason" when it concerns the whole file); where
/// the line number is not known (a part of a partitioned input that starts mid-file, see
/// partition.hpp) it is "file: byte N: reason", N the offset of the record's first byte in the
/// file's decompressed bytes.
struct input_error : std::runtime_error {
  // line_ 0 (the whole file, or no file matched a pattern): "file: reason", no ":0:".
  input_error(std::string file_, std::size_t line_, std::string reason_)
      : std::runtime_error(line_ ? file_ + ":" + std::to_string(line_) + ": " + reason_ : file_ + ": " + reason_),
        file(std::move(file_)), line(line_), reason(std::move(reason_)) {}
  // line_known false: the message names the byte offset instead of the line (line is then 0).
  input_error(std::string file_, std::size_t line_, std::uint64_t offset_, bool line_known, std::string reason_)
      : std::runtime_error(line_known ? file_ + ":" + std::to_string(line_) + ": " + reason_
                                      : file_ + ": byte " + std::to_string(offset_) + ": " + reason_),
        file(std::move(file_)), line(line_known ? line_ : 0), offset(offset_), reason(std::move(reason_)) {}
  std::string file;
  std::size_t line;     // 1-based; 0 when the problem concerns the whole file (e.g. it is empty) or the line is not known
  std::uint64_t offset = 0;   // byte offset of the record in the decompressed file, where the reader knows it
  std::string reason;
};

/// An output that could not be made durable (full disk, no permission, failed rename): what() is
/// "<path>: <reason>", and a job that meets one exits non-zero.
struct output_error : std::runtime_error {
  output_error(std::string path_, std::string reason_)
      : std::runtime_error(path_ + ": " + reason_), path(std::move(path_)), reason(std::move(reason_)) {}
  std::string path;
  std::string reason;
};

/// What a reader does with a bad record: throw input_error (the run fails), or write the record and
/// its reason to the rejects file and go on.
enum class on_bad_record { fail, reject };

}  // namespace millrace::io

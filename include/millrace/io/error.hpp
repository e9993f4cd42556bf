// millrace::io errors: input_error carries the file and line of bad input, output_error the output
// that could not be written; on_bad_record picks
// between failing the run and sending the record to a rejects file.
//   throw millrace::io::input_error("a.jsonl", 12, "invalid JSON");   // what(): "a.jsonl:12: invalid JSON"
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace millrace::io {

// Bad input at a known place. what() is "file:line: reason" so that a user can jump to it.
struct input_error : std::runtime_error {
  input_error(std::string file_, std::size_t line_, std::string reason_)
      : std::runtime_error(file_ + ":" + std::to_string(line_) + ": " + reason_),
        file(std::move(file_)), line(line_), reason(std::move(reason_)) {}
  std::string file;
  std::size_t line;     // 1-based; 0 when the problem concerns the whole file (e.g. it is empty)
  std::string reason;
};

// An output that could not be made durable (full disk, no permission, failed rename): what() is
// "<path>: <reason>", and a job that meets one exits non-zero.
struct output_error : std::runtime_error {
  output_error(std::string path_, std::string reason_)
      : std::runtime_error(path_ + ": " + reason_), path(std::move(path_)), reason(std::move(reason_)) {}
  std::string path;
  std::string reason;
};

// What a reader does with a bad record: throw input_error (the run fails), or write the record and
// its reason to the rejects file and go on.
enum class on_bad_record { fail, reject };

}  // namespace millrace::io

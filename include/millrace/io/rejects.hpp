// millrace/io/rejects.hpp — millrace::io::reject_log and settle(): the one serial step after
// parallel parsing that either fails the run on the first bad record (input order) or writes bad
// records to a rejects file.
//   auto good = millrace::io::settle(std::move(batch), policy, log, files);
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/atomic_file.hpp>
#include <millrace/io/error.hpp>
#include <millrace/io/json.hpp>
#include <millrace/io/parse.hpp>
#include <millrace/io/utf8.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace millrace::io {

namespace detail {
void base64_append(std::string& out, std::string_view in);
}  // namespace detail

/// When a run gives up on rejecting: more than `max` rejected records that are also more than
/// `fraction` of the records read. The defaults (10,000 and half) stop a wrong input (binary data,
/// another format) before it writes gigabytes of rejects, while a large corpus with a few percent
/// of bad lines runs through. max = 0: no limit; fraction = 0: the count alone decides.
struct reject_limit {
  std::uint64_t max = 10000;  ///< rejects allowed before the fraction matters; 0: no limit
  double fraction = 0.5;  ///< past max, the run fails once rejects exceed this share of records read
};

/// The rejects file: one JSON object per bad record,
///   {"file":"a.jsonl","line":7,"reason":"invalid JSON: ...","raw":"<the line>"}
/// ("offset": the byte offset instead of "line" where the line number is not known: a part of a
/// partitioned input that starts mid-file)
/// with "raw_base64" instead of "raw" when the bytes are not valid UTF-8 (JSON cannot hold them),
/// so a rejected record is kept byte for byte. Over-long lines keep a prefix (chunk_options).
/// Written through an atomic_file created at the first reject and renamed into place by commit()
/// when the run succeeds (the reader calls it): no rejects, no file; a failed run leaves no file.
class reject_log {
 public:
  reject_log() = default;
  explicit reject_log(std::filesystem::path file, reject_limit limit = {})
      : path_(std::move(file)), limit_(limit) {}
  reject_log(const reject_log&) = delete;
  reject_log& operator=(const reject_log&) = delete;

  /// The rejects file; empty: rejects are only counted.
  const std::filesystem::path& path() const { return path_; }
  /// Bad records written (or counted) so far.
  std::uint64_t count() const { return count_; }

  /// Records read so far (good and bad), for reject_limit::fraction.
  void add_seen(std::uint64_t n) { seen_ += n; }

  /// Counts one bad record and appends it to the rejects file (created at the first); throws
  /// input_error once the count passes the reject_limit.
  void write(std::string_view file, std::size_t line, std::string_view reason, std::string_view raw) {
    write(file, line, 0, true, reason, raw);
  }
  /// line_known false (a part that starts mid-file): the record says "offset" instead of "line".
  void write(std::string_view file, std::size_t line, std::uint64_t offset, bool line_known, std::string_view reason,
             std::string_view raw);

  /// Makes the rejects file durable under its name (throws output_error if it cannot be written).
  void commit() {
    if (file_.is_open()) file_.commit();
  }

 private:
  std::filesystem::path path_;
  reject_limit limit_;
  atomic_file file_;
  std::uint64_t count_ = 0, seen_ = 0;
  std::string line_buf_;
};

/// Keeps the good records of a batch in order. A bad one throws input_error("file:line: reason")
/// under on_bad_record::fail, or goes to the log under on_bad_record::reject.
template <class T>
std::vector<T> settle(std::vector<checked<T>>&& batch, on_bad_record policy, reject_log& log,
                      const std::vector<std::string>& files) {
  std::vector<T> out;
  out.reserve(batch.size());
  log.add_seen(batch.size());
  for (auto& r : batch) {
    if (r.ok()) { out.push_back(std::move(r.value)); continue; }
    static const std::string none;
    const std::string& file = r.input < files.size() ? files[r.input] : none;
    // Line 0 at offset 0 concerns the whole file ("empty file"); line 0 past it: not known.
    const bool line_known = r.line > 0 || r.position.offset == 0;
    if (policy == on_bad_record::fail) throw input_error(file, r.line, r.position.offset, line_known, r.error);
    log.write(file, r.line, r.position.offset, line_known, r.error, r.raw);
  }
  return out;
}

}  // namespace millrace::io

#if MILLRACE_HEADER_ONLY
#include <millrace/io/detail/rejects_impl.hpp>
#endif

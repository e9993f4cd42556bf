// millrace/io/csv.hpp — millrace::io::csv_reader: an RFC 4180 CSV reader (quoted fields, ""
// escapes, embedded newlines, CRLF or LF, header row, configurable delimiter), plain or .zst,
// usable without a pipeline.
//   millrace::io::csv_reader r("t.csv"); std::vector<std::string> f; while (r.next(f)) use(f);
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/byte_source.hpp>
#include <millrace/io/error.hpp>
#include <millrace/io/utf8.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace millrace::io {

/// CSV dialect and checks: delimiter, quote, header row, record width, blank lines, UTF-8.
struct csv_options {
  char delimiter = ',';  ///< field separator
  char quote = '"';  ///< quotes a field that may hold delimiters and newlines; doubled inside it
  bool header = true;             ///< the first record names the columns (header())
  bool check_width = true;        ///< every record has as many fields as the header (or first record)
  bool skip_blank_lines = true;   ///< an empty line carries no field; RFC 4180 has no blank records
  bool validate_utf8 = true;      ///< a field with invalid UTF-8 makes the record bad
};

/// Reads one record per next(). A bad record throws input_error("file:line: reason") after the
/// reader has consumed it, so a caller that catches the error can call next() again and go on.
class csv_reader {
 public:
  explicit csv_reader(const std::filesystem::path& file, csv_options opt = {});

  /// The header row's fields; empty when csv_options::header is off or the file is empty.
  const std::vector<std::string>& header() const { return header_; }
  /// Name of the file being read, as given.
  const std::string& file() const { return in_->name(); }
  /// Line on which the last returned (or rejected) record started, 1-based.
  std::size_t line() const { return record_line_; }
  /// Byte offset of that record's first byte in the (decompressed) file: its record_position.
  std::uint64_t offset() const { return record_offset_; }
  /// Column index of a header name, or -1.
  std::ptrdiff_t column(std::string_view name) const;
  /// True when the file held no byte at all.
  bool empty_file() const { return in_->empty_file(); }

  /// Fills fields with the next record; false at the end of the file.
  bool next(std::vector<std::string>& fields);

 private:
  [[noreturn]] void fail(std::size_t line, std::string reason) const;

  // -1 at the end of the data.
  int get() {
    if (pos_ == end_) {
      if (at_end_) return -1;
      base_ += end_;
      end_ = in_->read(buf_.data(), buf_.size());
      pos_ = 0;
      if (end_ == 0) {
        at_end_ = true;
        return -1;
      }
    }
    return static_cast<unsigned char>(buf_[pos_++]);
  }
  int peek() {
    int c = get();
    if (c >= 0) --pos_;
    return c;
  }

  bool next_record(std::vector<std::string>& fields);

  void end_field(std::vector<std::string>& fields, std::string& field, std::string& bad);

  void check_stream_end();

  std::unique_ptr<byte_source> in_;
  csv_options opt_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, end_ = 0;
  bool at_end_ = false, first_ = true, pending_cr_ = false, stream_error_raised_ = false;
  std::size_t line_ = 1, record_line_ = 0, header_line_ = 0;
  std::size_t width_ = 0;
  std::uint64_t base_ = 0, record_offset_ = 0;   // bytes before buf_; offset of the last record
  std::vector<std::string> header_;
};

/// Appends one record in RFC 4180 form: a field is quoted when it holds the delimiter, the quote,
/// CR or LF (or starts with a space, so that readers that trim keep it); quotes are doubled.
template <class Range>
void csv_append_record(std::string& out, const Range& fields, const csv_options& opt = {}) {
  bool first = true;
  std::size_t n = 0, start = out.size();
  for (const auto& f0 : fields) {
    ++n;
    std::string_view f(f0);
    if (!first) out.push_back(opt.delimiter);
    first = false;
    bool needs = !f.empty() && f.front() == ' ';
    for (char ch : f)
      if (ch == opt.delimiter || ch == opt.quote || ch == '\n' || ch == '\r') { needs = true; break; }
    if (!needs) { out.append(f); continue; }
    out.push_back(opt.quote);
    for (char ch : f) {
      if (ch == opt.quote) out.push_back(opt.quote);
      out.push_back(ch);
    }
    out.push_back(opt.quote);
  }
  // A lone empty field would read back as a blank line, which readers skip.
  if (n == 1 && out.size() == start) { out.push_back(opt.quote); out.push_back(opt.quote); }
  out.push_back('\n');
}

}  // namespace millrace::io

#if MILLRACE_HEADER_ONLY
#include <millrace/io/detail/csv_impl.hpp>
#endif

// millrace::io::csv_reader: an RFC 4180 CSV reader (quoted fields, "" escapes, embedded newlines,
// CRLF or LF, header row, configurable delimiter), plain or .zst, usable without a pipeline.
//   millrace::io::csv_reader r("t.csv"); std::vector<std::string> f; while (r.next(f)) use(f);
#pragma once

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

struct csv_options {
  char delimiter = ',';
  char quote = '"';
  bool header = true;             // the first record names the columns (header())
  bool check_width = true;        // every record has as many fields as the header (or first record)
  bool skip_blank_lines = true;   // an empty line carries no field; RFC 4180 has no blank records
  bool validate_utf8 = true;      // a field with invalid UTF-8 makes the record bad
};

// Reads one record per next(). A bad record throws input_error("file:line: reason") after the
// reader has consumed it, so a caller that catches the error can call next() again and go on.
class csv_reader {
 public:
  explicit csv_reader(const std::filesystem::path& file, csv_options opt = {})
      : in_(std::make_unique<byte_source>(file)), opt_(opt), buf_(1 << 18) {
    if (opt_.header) {
      std::vector<std::string> h;
      if (next_record(h)) {
        header_ = std::move(h);
        width_ = header_.size();
      }
      header_line_ = record_line_;
    }
  }

  const std::vector<std::string>& header() const { return header_; }
  const std::string& file() const { return in_->name(); }
  // Line on which the last returned (or rejected) record started, 1-based.
  std::size_t line() const { return record_line_; }
  // Byte offset of that record's first byte in the (decompressed) file: its record_position.
  std::uint64_t offset() const { return record_offset_; }
  // Column index of a header name, or -1.
  std::ptrdiff_t column(std::string_view name) const {
    for (std::size_t i = 0; i < header_.size(); ++i)
      if (header_[i] == name) return static_cast<std::ptrdiff_t>(i);
    return -1;
  }
  // True when the file held no byte at all.
  bool empty_file() const { return in_->empty_file(); }

  // Fills fields with the next record; false at the end of the file.
  bool next(std::vector<std::string>& fields) {
    if (!next_record(fields)) return false;
    if (opt_.check_width) {
      if (width_ == 0 && !opt_.header) width_ = fields.size();
      else if (fields.size() != width_)
        fail(record_line_, "expected " + std::to_string(width_) + " fields, got " +
                               std::to_string(fields.size()));
    }
    return true;
  }

 private:
  [[noreturn]] void fail(std::size_t line, std::string reason) const {
    throw input_error(in_->name(), line, std::move(reason));
  }

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

  bool next_record(std::vector<std::string>& fields) {
    fields.clear();
    int c;
    // A UTF-8 byte-order mark at the start of the file is not data.
    if (first_) {
      first_ = false;
      if (peek() == 0xEF) {
        get();
        if (get() != 0xBB || get() != 0xBF) fail(1, "invalid byte-order mark");
      }
    }
    for (;;) {
      c = peek();
      if (c < 0) {
        check_stream_end();
        return false;
      }
      if (!opt_.skip_blank_lines) break;
      if (c == '\n') { get(); ++line_; continue; }
      if (c == '\r') {
        // CRLF blank line; a lone CR starts a record (it is data).
        get();
        if (peek() == '\n') { get(); ++line_; continue; }
        pending_cr_ = true;
      }
      break;
    }
    record_line_ = line_;
    record_offset_ = base_ + pos_ - (pending_cr_ ? 1 : 0);   // a pending CR was taken already
    std::string field;
    std::string bad;    // first problem in this record; raised after the record is consumed
    for (;;) {
      if (pending_cr_) { pending_cr_ = false; c = '\r'; }
      else c = get();
      if (c == opt_.quote && field.empty()) {
        // Quoted field: runs to the next lone quote; "" is a quote; newlines are data.
        for (;;) {
          c = get();
          if (c < 0) {
            check_stream_end();
            fail(record_line_, "unterminated quoted field");
          }
          if (c == opt_.quote) {
            if (peek() == opt_.quote) { get(); field.push_back(opt_.quote); continue; }
            break;
          }
          if (c == '\n') ++line_;
          field.push_back(static_cast<char>(c));
        }
        c = peek();
        if (c >= 0 && c != opt_.delimiter && c != '\n' && c != '\r' && bad.empty())
          bad = "unexpected character after closing quote in field " + std::to_string(fields.size() + 1);
        // Characters after the closing quote stay in the field: the record is reported, not lost.
        continue;
      }
      if (c == opt_.delimiter) {
        end_field(fields, field, bad);
        continue;
      }
      if (c == '\r' && peek() == '\n') c = get();
      if (c == '\n' || c < 0) {
        end_field(fields, field, bad);
        if (c == '\n') ++line_;
        else check_stream_end();
        break;
      }
      field.push_back(static_cast<char>(c));
    }
    if (!bad.empty()) fail(record_line_, bad);
    return true;
  }

  void end_field(std::vector<std::string>& fields, std::string& field, std::string& bad) {
    if (opt_.validate_utf8 && bad.empty() && !utf8_valid(field))
      bad = "invalid UTF-8 in field " + std::to_string(fields.size() + 1);
    fields.push_back(std::move(field));
    field.clear();
  }

  void check_stream_end() {
    if (!in_->error().empty() && !stream_error_raised_) {
      stream_error_raised_ = true;   // once: a caller that goes on then sees the end
      std::string e = in_->error();
      fail(line_, e);
    }
  }

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

// Appends one record in RFC 4180 form: a field is quoted when it holds the delimiter, the quote,
// CR or LF (or starts with a space, so that readers that trim keep it); quotes are doubled.
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

// millrace/io/detail/csv_impl.hpp — the definitions behind io/csv.hpp (csv_reader).
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/csv.hpp>

namespace millrace::io {

MILLRACE_INLINE csv_reader::csv_reader(const std::filesystem::path& file, csv_options opt)
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

MILLRACE_INLINE std::ptrdiff_t csv_reader::column(std::string_view name) const {
  for (std::size_t i = 0; i < header_.size(); ++i)
    if (header_[i] == name) return static_cast<std::ptrdiff_t>(i);
  return -1;
}

MILLRACE_INLINE bool csv_reader::next(std::vector<std::string>& fields) {
  if (!next_record(fields)) return false;
  if (opt_.check_width) {
    if (width_ == 0 && !opt_.header) width_ = fields.size();
    else if (fields.size() != width_)
      fail(record_line_, "expected " + std::to_string(width_) + " fields, got " +
                             std::to_string(fields.size()));
  }
  return true;
}

MILLRACE_INLINE void csv_reader::fail(std::size_t line, std::string reason) const {
  throw input_error(in_->name(), line, std::move(reason));
}

MILLRACE_INLINE bool csv_reader::next_record(std::vector<std::string>& fields) {
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

MILLRACE_INLINE void csv_reader::end_field(std::vector<std::string>& fields, std::string& field, std::string& bad) {
  if (opt_.validate_utf8 && bad.empty() && !utf8_valid(field))
    bad = "invalid UTF-8 in field " + std::to_string(fields.size() + 1);
  fields.push_back(std::move(field));
  field.clear();
}

MILLRACE_INLINE void csv_reader::check_stream_end() {
  if (!in_->error().empty() && !stream_error_raised_) {
    stream_error_raised_ = true;   // once: a caller that goes on then sees the end
    std::string e = in_->error();
    fail(line_, e);
  }
}

}  // namespace millrace::io

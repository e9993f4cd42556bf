// millrace/io/detail/rejects_impl.hpp — the definitions behind io/rejects.hpp.
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/rejects.hpp>

namespace millrace::io {

namespace detail {

MILLRACE_INLINE void base64_append(std::string& out, std::string_view in) {
  static constexpr char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    out += tbl[v >> 18]; out += tbl[(v >> 12) & 63]; out += tbl[(v >> 6) & 63]; out += tbl[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16;
    out += tbl[v >> 18]; out += tbl[(v >> 12) & 63]; out += "==";
  } else if (i + 2 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
    out += tbl[v >> 18]; out += tbl[(v >> 12) & 63]; out += tbl[(v >> 6) & 63]; out += '=';
  }
}

}  // namespace detail

MILLRACE_INLINE void reject_log::write(std::string_view file, std::size_t line, std::uint64_t offset, bool line_known,
                                       std::string_view reason, std::string_view raw) {
  ++count_;
  if (limit_.max && count_ > limit_.max && double(count_) > limit_.fraction * double(seen_))
    throw input_error(std::string(file), line, offset, line_known,
                      "more than " + std::to_string(limit_.max) + " records rejected (" + std::to_string(count_) +
                          " of " + std::to_string(seen_) + " read; the last: " + std::string(reason) +
                          "): is this the right input? (raise read_options::max_rejects, or --max-rejects)");
  if (path_.empty()) return;   // counted only (the caller chose not to keep them)
  if (!file_.is_open()) {
    if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path());
    file_ = atomic_file(path_);
  }
  line_buf_.clear();
  line_buf_ += "{\"file\":";
  json_append_string(line_buf_, file);
  if (line_known) line_buf_ += ",\"line\":" + std::to_string(line) + ",\"reason\":";
  else line_buf_ += ",\"offset\":" + std::to_string(offset) + ",\"reason\":";
  json_append_string(line_buf_, reason);
  if (utf8_valid(raw)) {
    line_buf_ += ",\"raw\":";
    json_append_string(line_buf_, raw);
  } else {
    line_buf_ += ",\"raw_base64\":\"";
    detail::base64_append(line_buf_, raw);
    line_buf_ += '"';
  }
  line_buf_ += "}\n";
  file_.write(line_buf_);
}

}  // namespace millrace::io

// millrace/io/detail/warc_impl.hpp — the definitions behind io/warc.hpp: the WARC record parser
// (version line, headers, Content-Length block, the CRLF CRLF after it) and the reader's source.
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/warc.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace millrace::io {

namespace detail {

inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

inline std::string_view trim_ws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace detail

MILLRACE_INLINE const std::string* warc_record::header(std::string_view name) const {
  for (auto& [k, v] : headers)
    if (detail::iequals(k, name)) return &v;
  return nullptr;
}

namespace detail {

MILLRACE_INLINE warc_parser::warc_parser(const std::filesystem::path& file, std::string name)
    : src_(file), name_(std::move(name)) {}

MILLRACE_INLINE void warc_parser::fail(std::uint64_t offset, const std::string& why) const {
  std::string reason = "record " + std::to_string(records_) + ": " + why;
  if (!src_.error().empty()) reason += " (" + src_.error() + ")";
  throw input_error(name_, 0, offset, false, std::move(reason));
}

MILLRACE_INLINE bool warc_parser::fill(std::size_t want) {
  while (buf_.size() - pos_ < want && !eof_) {
    if (pos_ > 0 && pos_ >= buf_.size() / 2) {   // keep the buffer to one record plus one read
      buf_.erase(0, pos_);
      base_ += pos_;
      pos_ = 0;
    }
    const std::size_t old = buf_.size();
    const std::size_t step = std::max<std::size_t>(std::size_t(1) << 16, std::min<std::size_t>(want, std::size_t(1) << 24));
    buf_.resize(old + step);
    const std::size_t got = src_.read(buf_.data() + old, step);
    buf_.resize(old + got);
    if (got == 0) eof_ = true;
  }
  return buf_.size() - pos_ >= want;
}

MILLRACE_INLINE bool warc_parser::line(std::string_view& out) {
  std::size_t scanned = 0;
  for (;;) {
    const std::size_t nl = buf_.find('\n', pos_ + scanned);
    if (nl != std::string::npos) {
      out = std::string_view(buf_).substr(pos_, nl - pos_);
      if (!out.empty() && out.back() == '\r') out.remove_suffix(1);
      pos_ = nl + 1;
      return true;
    }
    scanned = buf_.size() - pos_;
    if (scanned > (std::size_t(1) << 20)) fail(base_ + pos_, "a header line longer than 1 MiB");
    if (!fill(scanned + 1)) {
      if (buf_.size() == pos_) return false;
      out = std::string_view(buf_).substr(pos_);   // a last line without its newline
      pos_ = buf_.size();
      return true;
    }
  }
}

MILLRACE_INLINE bool warc_parser::next(warc_record& r, const warc_options& opt) {
  bool kept = false;
  while (read_record(r, opt, kept))
    if (kept) return true;
  return false;
}

MILLRACE_INLINE bool warc_parser::read_record(warc_record& r, const warc_options& opt, bool& kept) {
  std::string_view l;
  // Blank lines between records are tolerated (some writers add more than the two CRLF).
  do {
    if (!line(l)) {
      if (!src_.error().empty()) fail(base_ + pos_, "the data ends early");
      return false;
    }
  } while (l.empty());
  ++records_;
  const std::uint64_t start = base_ + static_cast<std::uint64_t>(l.data() - buf_.data());
  r = warc_record{};
  r.index = records_;
  r.position.offset = start;
  if (!l.starts_with("WARC/1."))
    fail(start, "expected a WARC/1.0 or WARC/1.1 version line, found '" + std::string(l.substr(0, 40)) + "'");
  std::uint64_t length = 0;
  bool have_length = false;
  for (;;) {
    if (!line(l)) fail(start, "truncated record: the file ends inside its headers");
    if (l.empty()) break;
    if ((l.front() == ' ' || l.front() == '\t') && !r.headers.empty()) {   // a folded header line
      r.headers.back().second += ' ';
      r.headers.back().second += trim_ws(l);
      continue;
    }
    const auto colon = l.find(':');
    if (colon == std::string_view::npos || colon == 0)
      fail(start, "malformed header line '" + std::string(l.substr(0, 60)) + "' (no name: value)");
    r.headers.emplace_back(std::string(trim_ws(l.substr(0, colon))), std::string(trim_ws(l.substr(colon + 1))));
  }
  for (auto& [k, v] : r.headers) {
    if (iequals(k, "WARC-Type")) r.type = v;
    else if (iequals(k, "WARC-Target-URI")) r.url = v;
    else if (iequals(k, "WARC-Date")) r.date = v;
    else if (iequals(k, "WARC-Record-ID")) r.record_id = v;
    else if (iequals(k, "Content-Type")) r.content_type = v;
    else if (iequals(k, "Content-Length")) {
      const auto res = std::from_chars(v.data(), v.data() + v.size(), length);
      if (res.ec != std::errc{} || res.ptr != v.data() + v.size()) fail(start, "Content-Length '" + v + "' is not a number");
      have_length = true;
    }
  }
  if (!have_length) fail(start, "no Content-Length header");
  const bool keep = kept = opt.types.empty() || std::find(opt.types.begin(), opt.types.end(), r.type) != opt.types.end();
  if (length > opt.max_record_bytes || !keep) {
    // Not held: skipped in pieces, so a huge or unwanted block costs no memory.
    std::uint64_t left = length;
    while (left > 0) {
      const std::size_t piece = static_cast<std::size_t>(std::min<std::uint64_t>(left, std::uint64_t(1) << 20));
      if (!fill(piece)) fail(start, "truncated record: Content-Length " + std::to_string(length) + ", the file ends " +
                                        std::to_string(length - left + (buf_.size() - pos_)) + " bytes into the block");
      pos_ += piece;
      left -= piece;
    }
    if (length > opt.max_record_bytes && keep)
      fail(start, "block of " + std::to_string(length) + " bytes is over warc_options::max_record_bytes");
  } else {
    if (!fill(static_cast<std::size_t>(length)))
      fail(start, "truncated record: Content-Length " + std::to_string(length) + ", only " +
                      std::to_string(buf_.size() - pos_) + " bytes follow");
    r.content.assign(buf_, pos_, static_cast<std::size_t>(length));
    pos_ += static_cast<std::size_t>(length);
  }
  // The block is followed by CRLF CRLF; a cut stream after a complete block is still an error.
  if (!src_.error().empty() && !fill(1)) fail(start, "the data ends after the block");
  if (opt.http_payload && r.type == "response" && r.content.starts_with("HTTP/")) {
    auto end = r.content.find("\r\n\r\n");
    std::size_t skip = end == std::string::npos ? std::string::npos : end + 4;
    if (end == std::string::npos && (end = r.content.find("\n\n")) != std::string::npos) skip = end + 2;
    r.content.erase(0, skip == std::string::npos ? r.content.size() : skip);
  }
  return true;
}

MILLRACE_INLINE bool warc_source::fill(std::vector<checked<warc_record>>& out, std::size_t max) {
  auto& s = st_.get();
  while (out.size() < max) {
    if (!s.parser) {
      if (s.next >= in_->ranges.size()) return false;
      s.cur = s.next++;
      const auto& range = in_->ranges[s.cur];
      if (!range.whole())
        throw std::invalid_argument("millrace::io::read_warc: " + in_->names[s.cur] + ": parts of a file are not supported");
      s.parser = std::make_unique<warc_parser>(range.file, in_->names[s.cur]);
    }
    const auto input = static_cast<std::uint32_t>(in_->ranges[s.cur].input);
    checked<warc_record> r;
    r.input = input;
    try {
      if (!s.parser->next(r.value, wopt_)) {
        if (s.parser->empty_file() && opt_.empty_file_is_error) {
          r.error = "empty file";
          r.position = {input, 0};
          out.push_back(std::move(r));
        }
        s.parser.reset();
        continue;
      }
    } catch (const input_error& e) {
      // The rest of this file is not trusted: the bad record ends it.
      r.error = e.reason();
      r.position = {input, e.offset()};
      r.value = warc_record{};
      out.push_back(std::move(r));
      s.parser.reset();
      continue;
    }
    r.value.file = in_->names[s.cur];
    r.value.input = input;
    r.value.position.input = input;
    r.position = r.value.position;
    out.push_back(std::move(r));
  }
  return true;
}

}  // namespace detail

}  // namespace millrace::io

// millrace/io/warc.hpp — millrace::io::read_warc: WARC/1.0 and 1.1 files (Common Crawl's WARC, WAT
// and WET; plain, .gz with one gzip member per record, or .zst) as a pipeline source of
// warc_record: url, date, record id, type and the content block as fields. A truncated or malformed
// record fails the run naming the file, the record's number and byte offset, or goes to the rejects
// file.
//   auto p = mr::io::read_warc({"CC-MAIN-*.warc.wet.gz"}, {.types = {"conversion"}}) | mr::collect(docs);
#pragma once

#include <millrace/core/compose.hpp>
#include <millrace/detail/config.hpp>
#include <millrace/io/byte_source.hpp>
#include <millrace/io/read.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace millrace::io {

/// One WARC record: the named headers as fields, every header in order, and the content block.
struct warc_record {
  std::string type;          ///< WARC-Type: warcinfo, request, response, metadata, conversion (WET), ...
  std::string url;           ///< WARC-Target-URI (empty for warcinfo)
  std::string date;          ///< WARC-Date, as written (ISO 8601, e.g. 2024-02-20T10:11:12Z)
  std::string record_id;     ///< WARC-Record-ID, e.g. <urn:uuid:...>
  std::string content_type;  ///< Content-Type of the block (WET: text/plain)
  std::string content;       ///< the block: Content-Length bytes (see warc_options::http_payload)
  std::vector<std::pair<std::string, std::string>> headers;  ///< all headers, in file order
  std::string file;          ///< the input it came from
  std::uint32_t input = 0;   ///< its index in the input list
  std::size_t index = 0;     ///< 1-based number of the record in its file (all types counted)
  record_position position{};  ///< {input, byte offset of its "WARC/" line in the decompressed file}

  /// The value of header `name` (case-insensitive), or null.
  const std::string* header(std::string_view name) const;
};

/// What read_warc keeps and how much it holds.
struct warc_options {
  /// Record types to keep (WARC-Type values); empty: every record. WET text: {"conversion"}.
  std::vector<std::string> types{};
  /// Response records: content is the HTTP payload (the HTTP status line and headers dropped).
  bool http_payload = false;
  /// A record with a longer block is a bad record (skipped, not held in memory). Default 64 MiB.
  std::uint64_t max_record_bytes = std::uint64_t(64) << 20;
};

namespace detail {

// Reads records one at a time from one input (decompressed by byte_source); memory: one record
// plus one read buffer. next() throws input_error (offset = the record's first byte) on a
// malformed or truncated record; after one, the rest of the file is not trusted.
class warc_parser {
 public:
  warc_parser(const std::filesystem::path& file, std::string name);
  /// The next record into r (headers, content, index, offset); false at the end of the file.
  bool next(warc_record& r, const warc_options& opt);
  bool empty_file() const { return src_.empty_file(); }

 private:
  bool read_record(warc_record& r, const warc_options& opt, bool& kept);   // one record, kept or not
  bool fill(std::size_t want);          // at least `want` bytes buffered from pos_; false at the end
  bool line(std::string_view& out);     // next line without its CRLF/LF; false at the end
  [[noreturn]] void fail(std::uint64_t offset, const std::string& why) const;
  byte_source src_;
  std::string name_;
  std::string buf_;
  std::size_t pos_ = 0;
  std::uint64_t base_ = 0;              // decompressed offset of buf_[0]
  std::size_t records_ = 0;
  bool eof_ = false;
};

// The serial source: files in order, records in file order, bad ones as checked errors.
class warc_source {
 public:
  using value_type = checked<warc_record>;
  warc_source(std::shared_ptr<const input_set> in, warc_options wopt, read_options opt)
      : in_(std::move(in)), wopt_(std::move(wopt)), opt_(std::move(opt)) {}
  bool fill(std::vector<checked<warc_record>>& out, std::size_t max);
  // The file of input `input` (names the file of a record an operator failed on).
  const std::string& input_name(std::uint64_t input) const { return in_->name(input); }

 private:
  struct state {
    std::size_t next = 0, cur = 0;
    std::unique_ptr<warc_parser> parser;
  };
  std::shared_ptr<const input_set> in_;
  warc_options wopt_;
  read_options opt_;
  run_state<state> st_;
};

}  // namespace detail

/// WARC records as warc_record, in input order. Ops: "read_warc" (serial parse), "read_warc.check"
/// (bad records: fail with "file: byte N: record K: reason", or the rejects file, read_options).
/// Inputs as for every reader (files, directories, globs, "-"); partitions are not supported.
template <int N = 0>  // never given: instantiated only when called (millrace::detail::delayed_t)
auto read_warc(const std::vector<std::string>& inputs, warc_options wopt = {}, read_options opt = {},
               std::string name = "read_warc") {
  auto in = std::make_shared<const detail::input_set>(inputs);
  return millrace::source(millrace::detail::delayed_t<detail::warc_source, N>(in, std::move(wopt), opt), name) |
         millrace::stage(detail::settle_stage<millrace::detail::delayed_t<warc_record, N>>(in, opt), name + ".check");
}

}  // namespace millrace::io

#if MILLRACE_HEADER_ONLY
#include <millrace/io/detail/warc_impl.hpp>
#endif

// millrace/io/read.hpp — millrace::io readers as pipeline sources: read_jsonl (to json_record, or
// to a typed struct via a field map), read_lines, read_csv. Inputs are files, directories or globs
// (sorted); .zst is decompressed on the fly; lines are parsed in parallel; bad records fail the run
// or go to a rejects file, in input order.
//   auto p = mr::io::read_jsonl({"shards/*.jsonl.zst"}) | mr::filter(keep) | mr::io::write_jsonl("out/");
#pragma once

#include <millrace/core/compose.hpp>
#include <millrace/detail/config.hpp>
#include <millrace/io/chunk_reader.hpp>
#include <millrace/io/csv.hpp>
#include <millrace/io/fields.hpp>
#include <millrace/io/inputs.hpp>
#include <millrace/io/manifest.hpp>
#include <millrace/io/parallel_chunk_reader.hpp>
#include <millrace/io/parse.hpp>
#include <millrace/io/partition.hpp>
#include <millrace/io/rejects.hpp>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <string>
#include <utility>
#include <vector>

namespace millrace::io {

/// Options of every reader: bad-record policy, rejects file and limit, line and chunk bounds, resume.
struct read_options {
  on_bad_record policy = on_bad_record::fail;  ///< fail the run on a bad record, or reject it and go on
  std::filesystem::path rejects_file{};    ///< with on_bad_record::reject; empty: rejects are only counted
  reject_limit max_rejects{};              ///< a run that rejects more fails (see reject_limit)
  std::size_t max_line_bytes = std::size_t(64) << 20;   ///< a longer line is a bad record
  /// After an over-long line, bytes skipped looking for its end before the rest of the file is
  /// given up (one more bad record says so): /dev/zero ends instead of reading forever.
  std::uint64_t max_skip_bytes = std::uint64_t(1) << 30;
  bool empty_file_is_error = true;         ///< an empty input file is bad input (it is often a failed copy)
  bool validate_utf8 = true;               ///< read_lines/read_csv (JSON is always validated)
  std::size_t chunk_bytes = std::size_t(1) << 20;       ///< read size; lines are split from chunks
  bool prefetch = true;                    ///< read/decompress on a helper thread, a few chunks ahead
  /// Output directory of a resumable writer (write_options::resume): inputs that its manifest
  /// lists as complete are skipped. The same inputs must be given (checked by path).
  std::filesystem::path resume_from{};
  /// Input files read and decompressed at once, each on a helper thread; chunks still reach the
  /// line splitter in input order, so output, line numbers and rejects do not change.
  /// 0: auto (half the executor's thread count, 1 to 8, at most the number of files);
  /// 1: one file at a time (the single prefetch thread). Ignored when prefetch = false.
  std::size_t parallel_files = 0;
  std::size_t max_buffered_bytes = std::size_t(64) << 20;            ///< read-ahead of all files (parallel_files > 1)
  std::size_t max_buffered_bytes_per_file = std::size_t(16) << 20;   ///< read-ahead of one file (parallel_files > 1)
};

/// One CSV record with its provenance; fields by index or, with a header, by name.
struct csv_row {
  std::vector<std::string> fields;  ///< the record's fields, in order
  std::shared_ptr<const std::vector<std::string>> header;   ///< null without a header row
  std::string file;  ///< name of the input file
  std::size_t line = 0;  ///< 1-based line on which the record starts
  std::uint32_t input = 0;  ///< index of the file in the expanded input list
  record_position position{};   ///< {input, byte offset of the record's first byte in the decompressed file}
  /// The field under a header name; null without a header, for an unknown name, or when the
  /// record has fewer fields than the header.
  const std::string* get(std::string_view name) const {
    if (header)
      for (std::size_t i = 0; i < header->size() && i < fields.size(); ++i)
        if ((*header)[i] == name) return &fields[i];
    return nullptr;
  }
};

namespace detail {

// The state of one run of a stage object. The stage rule (docs/io.md, "Stage objects"): a stage
// object is its configuration plus the state of one run; mr::run lowers a copy of it, so every
// run starts from the object as built, and mr::stage(std::ref(obj)) runs on the user's object.
// What a run opens (files, reader threads, a rejects file, a shard writer) cannot be copied: a
// copy of a run_state is empty, created at the copy's first use, so a copy starts a run of its own.
template <class S>
class run_state {
 public:
  run_state() = default;
  run_state(const run_state&) {}
  run_state& operator=(const run_state& o) {
    if (this != &o) p_.reset();
    return *this;
  }
  run_state(run_state&&) noexcept = default;
  run_state& operator=(run_state&&) noexcept = default;
  template <class... A>
  S& get(A&&... a) {
    if (!p_) p_ = std::make_unique<S>(std::forward<A>(a)...);
    return *p_;
  }
  const S* peek() const { return p_.get(); }

 private:
  std::unique_ptr<S> p_;
};

// What a reader reads: ranges of inputs (whole files, or a part made by partition_inputs) and
// their names by input index.
struct input_set {
  std::vector<input_range> ranges;
  std::vector<std::filesystem::path> files;   // files[i]: ranges[i].file
  std::vector<std::string> names;             // names[i]: ranges[i].file as text
  bool dense = true;                          // ranges[i].input == i: the whole input list
  explicit input_set(const std::vector<std::string>& entries);
  explicit input_set(const input_part& part);
  // Index in ranges of an input, or ranges.size().
  std::size_t find(std::uint64_t input) const;
  const std::string& name(std::uint64_t input) const;
};

// Which ranges a resumable output directory already holds (by input index and path).
std::vector<bool> completed_inputs(const std::filesystem::path& out_dir, const input_set& in);

// The serial part of reading: ranges -> chunks -> lines (raw_line records).
class line_source {
 public:
  using value_type = raw_line;
  line_source(std::shared_ptr<const input_set> in, read_options opt) : in_(std::move(in)), opt_(std::move(opt)) {}
  bool fill(std::vector<raw_line>& out, std::size_t max);
  // The file of input `input` (names the file of a record an operator failed on).
  const std::string& input_name(std::uint64_t input) const { return in_->name(input); }

 private:
  // One of three readers behind one next(), all giving the same chunks in the same order: plain
  // (no thread), prefetching (one helper thread), parallel (several files at once).
  struct reader_t {
    reader_t(std::vector<input_range> f, chunk_options co, std::vector<bool> skip, bool prefetch,
             parallel_read_options po);
    // The next chunk's lines into `lines` (emptied first); the parallel reader splits on its workers.
    bool next_lines(text_chunk& c, std::vector<raw_line>& lines);
    std::unique_ptr<chunk_reader> plain;
    std::unique_ptr<prefetching_chunk_reader> pre;
    std::unique_ptr<parallel_chunk_reader> par;
  };
  std::unique_ptr<reader_t> open() const;
  struct state {
    std::unique_ptr<reader_t> reader;
    text_chunk chunk;
    std::vector<raw_line> lines;
    std::size_t pos = 0;
    std::exception_ptr pending;   // a read error held back until the lines before it are out
  };
  std::shared_ptr<const input_set> in_;   // configuration: immutable, shared by copies
  read_options opt_;
  run_state<state> st_;
};

// Keeps the good records of a batch in order; a bad one fails the run (input_error naming the
// file and line, or the byte offset where the line is not known) or goes to the log.
template <class T>
std::vector<T> settle_in(std::vector<checked<T>>&& batch, on_bad_record policy, reject_log& log, const input_set& in) {
  std::vector<T> out;
  out.reserve(batch.size());
  log.add_seen(batch.size());
  for (auto& r : batch) {
    if (r.ok()) {
      out.push_back(std::move(r.value));
      continue;
    }
    // Line 0 at offset 0 concerns the whole file ("empty file"); line 0 past it: not known.
    const bool line_known = r.line > 0 || r.position.offset == 0;
    const std::string& file = in.name(r.input);
    if (policy == on_bad_record::fail) throw input_error(file, r.line, r.position.offset, line_known, r.error);
    log.write(file, r.line, r.position.offset, line_known, r.error, r.raw);
  }
  return out;
}

// The serial step after parallel parsing: fail on, or reject, bad records in input order.
template <class T>
class settle_stage {
 public:
  settle_stage(std::shared_ptr<const input_set> in, const read_options& opt)
      : in_(std::move(in)), policy_(opt.policy), rejects_file_(opt.rejects_file), max_rejects_(opt.max_rejects) {}
  std::vector<T> process(std::vector<checked<T>>&& batch) { return settle_in(std::move(batch), policy_, log(), *in_); }
  std::uint64_t rejected_count() const { return st_.peek() ? st_.peek()->count() : 0; }
  void commit() { log().commit(); }   // the rejects file, once the run succeeded

 private:
  reject_log& log() { return st_.get(rejects_file_, max_rejects_); }
  std::shared_ptr<const input_set> in_;
  on_bad_record policy_;
  std::filesystem::path rejects_file_;
  reject_limit max_rejects_;
  run_state<reject_log> st_;
};

// CSV is parsed serially in the source (quoted newlines make chunks unsplittable).
class csv_source {
 public:
  using value_type = checked<csv_row>;
  csv_source(std::shared_ptr<const input_set> in, csv_options copt, read_options opt);
  bool fill(std::vector<checked<csv_row>>& out, std::size_t max);
  const std::string& input_name(std::uint64_t input) const { return in_->name(input); }

 private:
  struct state {
    bool started = false;
    std::vector<bool> skip;
    std::size_t next = 0, cur = 0;
    std::uint32_t input = 0;
    std::unique_ptr<csv_reader> reader;
    std::shared_ptr<const std::vector<std::string>> header;
  };
  static checked<csv_row> bad(const state& s, std::size_t line, std::string why);
  std::shared_ptr<const input_set> in_;
  csv_options copt_;
  read_options opt_;
  run_state<state> st_;
};

template <class Parse>
auto jsonl_reader(std::shared_ptr<const input_set> in, const read_options& opt, Parse parse, const std::string& name) {
  using T = std::remove_cvref_t<decltype(parse(std::declval<raw_line&&>(), std::declval<const input_set&>()).value)>;
  return millrace::source(line_source(in, opt), name) |
         millrace::batch_map(
             [in, parse](std::vector<raw_line>&& b) {
               std::vector<checked<T>> out;
               out.reserve(b.size());
               for (auto& l : b) out.push_back(parse(std::move(l), *in));
               return out;
             },
             name + ".parse") |
         millrace::stage(settle_stage<T>(in, opt), name + ".check");
}

template <int N = 0>  // a template: instantiated only when a reader is called
auto json_reader(std::shared_ptr<const input_set> in, const read_options& opt, const std::string& name) {
  return jsonl_reader(
      std::move(in), opt, [](raw_line&& l, const input_set& s) { return parse_json_line(std::move(l), s.name(l.input)); },
      name);
}
template <class T, class... B>
auto typed_reader(std::shared_ptr<const input_set> in, const read_options& opt, field_map<B...> map, const std::string& name) {
  constexpr bool map_ok = check_field_map<T, false, B...>();
  static_assert(map_ok);   // (each failing check explains itself)
  if constexpr (map_ok)    // (else nothing more to report: no errors from deep inside the parser)
    return jsonl_reader(
        std::move(in), opt, [map](raw_line&& l, const input_set&) { return parse_typed_line<T>(std::move(l), map); },
        name);
}
template <class D>
auto decoding_reader(std::shared_ptr<const input_set> in, const read_options& opt, D decode, const std::string& name) {
  static_assert(std::is_invocable_v<const D&, json_line&>,
                "millrace::io::read_jsonl_as: the decoder must be callable as T(millrace::io::json_line&) const");
  return jsonl_reader(
      std::move(in), opt,
      [decode = std::move(decode)](raw_line&& l, const input_set& s) {
        const std::string& file = s.name(l.input);
        return parse_json_line_as(std::move(l), file, decode);
      },
      name);
}
template <int N = 0>
auto lines_reader(std::shared_ptr<const input_set> in, const read_options& opt, const std::string& name) {
  const bool utf8 = opt.validate_utf8;
  return millrace::source(line_source(in, opt), name) |
         millrace::batch_map(
             [utf8](std::vector<raw_line>&& b) {
               std::vector<checked<std::string>> out;
               out.reserve(b.size());
               for (auto& l : b) out.push_back(parse_plain_line(std::move(l), utf8));
               return out;
             },
             name + ".parse") |
         millrace::stage(settle_stage<std::string>(in, opt), name + ".check");
}
template <int N = 0>
auto csv_reader_pipeline(std::shared_ptr<const input_set> in, const csv_options& copt, const read_options& opt,
                                const std::string& name) {
  return millrace::source(csv_source(in, copt, opt), name) |
         millrace::stage(settle_stage<csv_row>(in, opt), name + ".check");
}

}  // namespace detail

// The readers that take no record type are templates too (template <int N = 0>, never given):
// a translation unit that does not call one does not instantiate its pipeline types.
// Every reader takes either an input list (files, directories, globs: expand_inputs) or one
// input_part of partition_inputs (partition.hpp): a part reads only its ranges, and its records
// carry the same positions as in a read of the whole input. In a part that starts mid-file the
// line numbers are not known: `line` is 0 and errors name the byte offset ("a.jsonl: byte
// 1048576: invalid JSON ..."; rejects file: "offset" instead of "line").
// Every reader takes a trailing `name` (default: the reader's own name), the prefix of its ops in
// the run report: read_jsonl(in, {}, "read_train") reports "read_train", "read_train.parse", ...

/// JSON lines as json_record (original bytes + provenance). Ops: "read_jsonl" (lines),
/// "read_jsonl.parse" (parallel), "read_jsonl.check" (rejected count).
template <int N = 0>
auto read_jsonl(const std::vector<std::string>& inputs, read_options opt = {},
                    std::string name = "read_jsonl") {
  return detail::json_reader<N>(std::make_shared<const detail::input_set>(inputs), opt, name);
}
template <int N = 0>
auto read_jsonl(const input_part& part, read_options opt = {},
                    std::string name = "read_jsonl") {
  return detail::json_reader<N>(std::make_shared<const detail::input_set>(part), opt, name);
}

/// JSON lines as T, fields bound by name (see fields.hpp); a missing field is a bad record. A T
/// with a `record_position position` member gets each line's position.
template <class T, class... B>
auto read_jsonl(const std::vector<std::string>& inputs, field_map<B...> map, read_options opt = {},
                    std::string name = "read_jsonl") {
  return detail::typed_reader<T>(std::make_shared<const detail::input_set>(inputs), opt, map, name);
}
template <class T, class... B>
auto read_jsonl(const input_part& part, field_map<B...> map, read_options opt = {},
                    std::string name = "read_jsonl") {
  return detail::typed_reader<T>(std::make_shared<const detail::input_set>(part), opt, map, name);
}

/// JSON lines through a decoder, in parallel: `T decode(io::json_line& line)` sees each valid
/// JSON object line (bytes, file, line, position, fields; see json_line) and returns the record,
/// or throws io::bad_record("reason") to make it a bad record (read_options' policy: fail with
/// file:line, or the rejects file). Called concurrently from several threads. Same ops as read_jsonl.
///   auto p = mr::io::read_jsonl_as({"in/"}, [](mr::io::json_line& l) {
///     auto t = l.get_string("text"); if (!t) throw mr::io::bad_record("no text");
///     return Doc{std::move(*t), l.take_text()}; });
template <class D>
auto read_jsonl_as(const std::vector<std::string>& inputs, D decode, read_options opt = {},
                    std::string name = "read_jsonl") {
  return detail::decoding_reader(std::make_shared<const detail::input_set>(inputs), opt, std::move(decode), name);
}
template <class D>
auto read_jsonl_as(const input_part& part, D decode, read_options opt = {},
                    std::string name = "read_jsonl") {
  return detail::decoding_reader(std::make_shared<const detail::input_set>(part), opt, std::move(decode), name);
}

/// Plain lines (newline and trailing CR removed) as std::string.
template <int N = 0>
auto read_lines(const std::vector<std::string>& inputs, read_options opt = {},
                    std::string name = "read_lines") {
  return detail::lines_reader<N>(std::make_shared<const detail::input_set>(inputs), opt, name);
}
template <int N = 0>
auto read_lines(const input_part& part, read_options opt = {},
                    std::string name = "read_lines") {
  return detail::lines_reader<N>(std::make_shared<const detail::input_set>(part), opt, name);
}

/// CSV records (RFC 4180) as csv_row; bad records (unterminated quote, wrong width, invalid
/// UTF-8) fail the run or are rejected. A part must hold whole files (partition_options::split_files = false).
template <int N = 0>
auto read_csv(const std::vector<std::string>& inputs, csv_options copt = {}, read_options opt = {},
                    std::string name = "read_csv") {
  return detail::csv_reader_pipeline<N>(std::make_shared<const detail::input_set>(inputs), copt, opt, name);
}
template <int N = 0>
auto read_csv(const input_part& part, csv_options copt = {}, read_options opt = {},
                    std::string name = "read_csv") {
  return detail::csv_reader_pipeline<N>(std::make_shared<const detail::input_set>(part), copt, opt, name);
}

}  // namespace millrace::io

#if !MILLRACE_HEADER_ONLY
// Every JSONL and CSV reader starts with this source: its lowering is compiled once (read_impl.hpp).
extern template struct millrace::source_op<millrace::io::detail::line_source>;
#endif

#if MILLRACE_HEADER_ONLY
#include <millrace/io/detail/read_impl.hpp>
#endif

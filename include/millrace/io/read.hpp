// millrace::io readers as pipeline sources: read_jsonl (to json_record, or to a typed struct via
// a field map), read_lines, read_csv. Inputs are files, directories or globs (sorted); .zst is
// decompressed on the fly; lines are parsed in parallel; bad records fail the run or go to a
// rejects file, in input order.
//   auto p = mr::io::read_jsonl({"shards/*.jsonl.zst"}) | mr::filter(keep) | mr::io::write_jsonl("out/");
#pragma once

#include <millrace/core.hpp>
#include <millrace/io/chunk_reader.hpp>
#include <millrace/io/csv.hpp>
#include <millrace/io/fields.hpp>
#include <millrace/io/inputs.hpp>
#include <millrace/io/manifest.hpp>
#include <millrace/io/parallel_chunk_reader.hpp>
#include <millrace/io/parse.hpp>
#include <millrace/io/rejects.hpp>

#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace millrace::io {

struct read_options {
  on_bad_record policy = on_bad_record::fail;
  std::filesystem::path rejects_file{};    // with on_bad_record::reject; empty: rejects are only counted
  reject_limit max_rejects{};              // a run that rejects more fails (see reject_limit)
  std::size_t max_line_bytes = std::size_t(64) << 20;   // a longer line is a bad record
  // After an over-long line, bytes skipped looking for its end before the rest of the file is
  // given up (one more bad record says so): /dev/zero ends instead of reading forever.
  std::uint64_t max_skip_bytes = std::uint64_t(1) << 30;
  bool empty_file_is_error = true;         // an empty input file is bad input (it is often a failed copy)
  bool validate_utf8 = true;               // read_lines/read_csv (JSON is always validated)
  std::size_t chunk_bytes = std::size_t(1) << 20;       // read size; lines are split from chunks
  bool prefetch = true;                    // read/decompress on a helper thread, a few chunks ahead
  // Output directory of a resumable writer (write_options::resume): inputs that its manifest
  // lists as complete are skipped. The same inputs must be given (checked by path).
  std::filesystem::path resume_from{};
  // Input files read and decompressed at once, each on a helper thread; chunks still reach the
  // line splitter in input order, so output, line numbers and rejects do not change.
  // 0: auto (half the executor's thread count, 1 to 8, at most the number of files);
  // 1: one file at a time (the single prefetch thread). Ignored when prefetch = false.
  std::size_t parallel_files = 0;
  std::size_t max_buffered_bytes = std::size_t(64) << 20;            // read-ahead of all files (parallel_files > 1)
  std::size_t max_buffered_bytes_per_file = std::size_t(16) << 20;   // read-ahead of one file (parallel_files > 1)
};

// One CSV record with its provenance; fields by index or, with a header, by name.
struct csv_row {
  std::vector<std::string> fields;
  std::shared_ptr<const std::vector<std::string>> header;   // null without a header row
  std::string file;
  std::size_t line = 0;
  std::uint32_t input = 0;
  const std::string* get(std::string_view name) const {
    if (header)
      for (std::size_t i = 0; i < header->size() && i < fields.size(); ++i)
        if ((*header)[i] == name) return &fields[i];
    return nullptr;
  }
};

namespace detail {

// Which inputs a resumable output directory already holds.
inline std::vector<bool> completed_inputs(const std::filesystem::path& out_dir,
                                          const std::vector<std::filesystem::path>& files) {
  std::vector<bool> skip(files.size(), false);
  if (out_dir.empty()) return skip;
  auto m = manifest::load(out_dir / "manifest.json");
  if (!m) return skip;
  if (!m->per_input)
    throw input_error((out_dir / "manifest.json").string(), 0, "not written by a resumable writer (write_options::resume)");
  for (auto& in : m->inputs) {
    if (in.index >= files.size() || (!in.path.empty() && in.path != files[in.index].string()))
      throw input_error((out_dir / "manifest.json").string(), 0,
                        "resume: input " + std::to_string(in.index) + " was '" + in.path + "', now '" +
                            (in.index < files.size() ? files[in.index].string() : std::string("(none)")) +
                            "': give the same inputs as the interrupted run");
    skip[in.index] = true;
  }
  return skip;
}

struct input_set {
  std::vector<std::filesystem::path> files;
  std::vector<std::string> names;
  explicit input_set(const std::vector<std::string>& entries) : files(expand_inputs(entries)) {
    for (auto& f : files) names.push_back(f.string());
  }
};

// The serial part of reading: files -> chunks -> lines (raw_line records).
class line_source {
 public:
  using value_type = raw_line;
  line_source(std::shared_ptr<const input_set> in, read_options opt) : st_(std::make_shared<state>()) {
    st_->in = std::move(in);
    st_->opt = std::move(opt);
  }
  bool fill(std::vector<raw_line>& out, std::size_t max) {
    auto& s = *st_;
    if (!s.reader) {
      // Opened at run time, not when the pipeline is built: the manifest is read when it matters.
      chunk_options co;
      co.chunk_bytes = s.opt.chunk_bytes;
      co.max_line_bytes = s.opt.max_line_bytes;
      co.max_skip_bytes = s.opt.max_skip_bytes;
      co.empty_file_is_error = s.opt.empty_file_is_error;
      auto skip = completed_inputs(s.opt.resume_from, s.in->files);
      std::size_t files = s.opt.parallel_files;
      if (files == 0) {
        // One reader per two threads (max_concurrency is the arena's thread count inside
        // mr::run(cpu), the machine's elsewhere): one reader decompresses and splits about twice
        // as fast as one thread parses, and on 2 cores a second reader only costs CPU
        // (bench/io/RESULTS.md, "parallel shard reading").
        files = std::clamp<std::size_t>(std::size_t(std::max(1, tbb::this_task_arena::max_concurrency())) / 2, 1, 8);
      }
      files = std::min<std::size_t>(files, std::size_t(std::count(skip.begin(), skip.end(), false)));
      parallel_read_options po;
      po.files = files;
      po.max_buffered_bytes = s.opt.max_buffered_bytes;
      po.max_buffered_bytes_per_file = s.opt.max_buffered_bytes_per_file;
      po.split_lines = true;   // keeps the serial source down to moving lines
      s.reader = std::make_unique<reader_t>(s.in->files, co, std::move(skip), s.opt.prefetch, po);
    }
    if (s.pending) std::rethrow_exception(std::exchange(s.pending, nullptr));
    while (out.size() < max) {
      if (s.pos == s.lines.size()) {
        s.lines.clear();
        s.pos = 0;
        try {
          if (!s.reader->next_lines(s.chunk, s.lines)) return false;
        } catch (...) {
          // Lines already in this batch came before the error: hand them on, throw next time.
          if (out.empty()) throw;
          s.pending = std::current_exception();
          return true;
        }
      }
      out.push_back(std::move(s.lines[s.pos++]));
    }
    return true;
  }

 private:
  // One of three readers behind one next(), all giving the same chunks in the same order: plain
  // (no thread), prefetching (one helper thread), parallel (several files at once).
  struct reader_t {
    reader_t(std::vector<std::filesystem::path> f, chunk_options co, std::vector<bool> skip, bool prefetch,
             parallel_read_options po) {
      if (!prefetch) plain = std::make_unique<chunk_reader>(std::move(f), co, std::move(skip));
      else if (po.files <= 1) pre = std::make_unique<prefetching_chunk_reader>(std::move(f), co, std::move(skip), 4);
      else par = std::make_unique<parallel_chunk_reader>(std::move(f), co, std::move(skip), po);
    }
    // The next chunk's lines into `lines` (emptied first); the parallel reader splits on its workers.
    bool next_lines(text_chunk& c, std::vector<raw_line>& lines) {
      if (par) return par->next_lines(lines);
      if (!(pre ? pre->next(c) : plain->next(c))) return false;
      split_chunk(c, lines);
      return true;
    }
    std::unique_ptr<chunk_reader> plain;
    std::unique_ptr<prefetching_chunk_reader> pre;
    std::unique_ptr<parallel_chunk_reader> par;
  };
  struct state {
    std::shared_ptr<const input_set> in;
    read_options opt;
    std::unique_ptr<reader_t> reader;
    text_chunk chunk;
    std::vector<raw_line> lines;
    std::size_t pos = 0;
    std::exception_ptr pending;   // a read error held back until the lines before it are out
  };
  std::shared_ptr<state> st_;
};

// The serial step after parallel parsing: fail on, or reject, bad records in input order.
template <class T>
class settle_stage {
 public:
  settle_stage(std::shared_ptr<const input_set> in, const read_options& opt)
      : st_(std::make_shared<state>(std::move(in), opt)) {}
  std::vector<T> process(std::vector<checked<T>>&& batch) {
    return settle(std::move(batch), st_->policy, st_->log, st_->in->names);
  }
  std::uint64_t rejected_count() const { return st_->log.count(); }
  void commit() { st_->log.commit(); }   // the rejects file, once the run succeeded

 private:
  struct state {
    state(std::shared_ptr<const input_set> i, const read_options& o)
        : in(std::move(i)), policy(o.policy), log(o.rejects_file, o.max_rejects) {}
    std::shared_ptr<const input_set> in;
    on_bad_record policy;
    reject_log log;
  };
  std::shared_ptr<state> st_;
};

// CSV is parsed serially in the source (quoted newlines make chunks unsplittable).
class csv_source {
 public:
  using value_type = checked<csv_row>;
  csv_source(std::shared_ptr<const input_set> in, csv_options copt, read_options opt)
      : st_(std::make_shared<state>()) {
    st_->in = std::move(in);
    st_->copt = copt;
    st_->copt.validate_utf8 = opt.validate_utf8;
    st_->opt = std::move(opt);
  }
  bool fill(std::vector<checked<csv_row>>& out, std::size_t max) {
    auto& s = *st_;
    if (!s.started) {
      s.started = true;
      s.skip = completed_inputs(s.opt.resume_from, s.in->files);
    }
    while (out.size() < max) {
      if (!s.reader) {
        while (s.next < s.in->files.size() && s.skip[s.next]) ++s.next;
        if (s.next >= s.in->files.size()) return false;
        s.input = static_cast<std::uint32_t>(s.next++);
        try {
          s.reader = std::make_unique<csv_reader>(s.in->files[s.input], s.copt);
        } catch (const input_error& e) {
          out.push_back(bad(e.line, e.reason));   // a bad header row
          continue;
        }
        if (s.reader->empty_file() && s.opt.empty_file_is_error) {
          out.push_back(bad(0, "empty file"));
          s.reader.reset();
          continue;
        }
        s.header = s.reader->header().empty() ? nullptr
                   : std::make_shared<const std::vector<std::string>>(s.reader->header());
      }
      checked<csv_row> r;
      try {
        if (!s.reader->next(r.value.fields)) {
          s.reader.reset();
          continue;
        }
      } catch (const input_error& e) {
        out.push_back(bad(e.line, e.reason));
        continue;
      }
      r.value.header = s.header;
      r.value.file = s.in->names[s.input];
      r.value.line = s.reader->line();
      r.value.input = s.input;
      r.input = s.input;
      r.line = r.value.line;
      out.push_back(std::move(r));
    }
    return true;
  }

 private:
  checked<csv_row> bad(std::size_t line, std::string why) {
    checked<csv_row> r;
    r.error = std::move(why);
    r.input = st_->input;
    r.line = line;
    return r;
  }
  struct state {
    std::shared_ptr<const input_set> in;
    csv_options copt;
    read_options opt;
    bool started = false;
    std::vector<bool> skip;
    std::size_t next = 0;
    std::uint32_t input = 0;
    std::unique_ptr<csv_reader> reader;
    std::shared_ptr<const std::vector<std::string>> header;
  };
  std::shared_ptr<state> st_;
};

}  // namespace detail

/// JSON lines as json_record (original bytes + provenance). Ops: "read_jsonl" (lines),
/// "read_jsonl.parse" (parallel), "read_jsonl.check" (rejected count).
inline auto read_jsonl(const std::vector<std::string>& inputs, read_options opt = {}) {
  auto in = std::make_shared<const detail::input_set>(inputs);
  return millrace::source(detail::line_source(in, opt), "read_jsonl") |
         millrace::batch_map(
             [in](std::vector<raw_line>&& b) {
               std::vector<checked<json_record>> out;
               out.reserve(b.size());
               for (auto& l : b) out.push_back(parse_json_line(std::move(l), in->names[l.input]));
               return out;
             },
             "read_jsonl.parse") |
         millrace::stage(detail::settle_stage<json_record>(in, opt), "read_jsonl.check");
}

/// JSON lines as T, fields bound by name (see fields.hpp); a missing field is a bad record.
template <class T, class... B>
auto read_jsonl(const std::vector<std::string>& inputs, field_map<B...> map, read_options opt = {}) {
  auto in = std::make_shared<const detail::input_set>(inputs);
  return millrace::source(detail::line_source(in, opt), "read_jsonl") |
         millrace::batch_map(
             [map](std::vector<raw_line>&& b) {
               std::vector<checked<T>> out;
               out.reserve(b.size());
               for (auto& l : b) out.push_back(parse_typed_line<T>(std::move(l), map));
               return out;
             },
             "read_jsonl.parse") |
         millrace::stage(detail::settle_stage<T>(in, opt), "read_jsonl.check");
}

/// Plain lines (newline and trailing CR removed) as std::string.
inline auto read_lines(const std::vector<std::string>& inputs, read_options opt = {}) {
  auto in = std::make_shared<const detail::input_set>(inputs);
  const bool utf8 = opt.validate_utf8;
  return millrace::source(detail::line_source(in, opt), "read_lines") |
         millrace::batch_map(
             [utf8](std::vector<raw_line>&& b) {
               std::vector<checked<std::string>> out;
               out.reserve(b.size());
               for (auto& l : b) out.push_back(parse_plain_line(std::move(l), utf8));
               return out;
             },
             "read_lines.parse") |
         millrace::stage(detail::settle_stage<std::string>(in, opt), "read_lines.check");
}

/// CSV records (RFC 4180) as csv_row; bad records (unterminated quote, wrong width, invalid
/// UTF-8) fail the run or are rejected.
inline auto read_csv(const std::vector<std::string>& inputs, csv_options copt = {}, read_options opt = {}) {
  auto in = std::make_shared<const detail::input_set>(inputs);
  return millrace::source(detail::csv_source(in, copt, opt), "read_csv") |
         millrace::stage(detail::settle_stage<csv_row>(in, opt), "read_csv.check");
}

}  // namespace millrace::io

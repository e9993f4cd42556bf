// millrace/io/detail/read_impl.hpp — the definitions behind io/read.hpp (the readers' input sets,
// line and CSV sources, resume).
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/read.hpp>

namespace millrace::io::detail {

MILLRACE_INLINE input_set::input_set(const std::vector<std::string>& entries)
    : files(expand_inputs(entries)) {
  ranges = chunk_reader::whole_files(files);
  for (auto& f : files) names.push_back(f.string());
}

MILLRACE_INLINE input_set::input_set(const input_part& part)
    : ranges(part.ranges), dense(false) {
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    if (i > 0 && ranges[i].input <= ranges[i - 1].input)
      throw std::invalid_argument("millrace::io: an input_part's ranges must be in input order, one per file");
    files.push_back(ranges[i].file);
    names.push_back(ranges[i].file.string());
  }
}

MILLRACE_INLINE std::size_t input_set::find(std::uint64_t input) const {
  if (dense) return input < ranges.size() ? std::size_t(input) : ranges.size();
  auto it = std::lower_bound(ranges.begin(), ranges.end(), input,
                             [](const input_range& r, std::uint64_t x) { return r.input < x; });
  return it != ranges.end() && it->input == input ? std::size_t(it - ranges.begin()) : ranges.size();
}

MILLRACE_INLINE const std::string& input_set::name(std::uint64_t input) const {
  static const std::string none;
  const std::size_t i = find(input);
  return i < names.size() ? names[i] : none;
}

MILLRACE_INLINE std::vector<bool> completed_inputs(const std::filesystem::path& out_dir, const input_set& in) {
  std::vector<bool> skip(in.ranges.size(), false);
  if (out_dir.empty()) return skip;
  auto m = manifest::load(out_dir / "manifest.json");
  if (!m) return skip;
  if (!m->per_input)
    throw input_error((out_dir / "manifest.json").string(), 0, "not written by a resumable writer (write_options::resume)");
  for (auto& mi : m->inputs) {
    const std::size_t i = in.find(mi.index);
    if (i == in.ranges.size() && !in.dense) continue;   // an input of another part
    if (i == in.ranges.size() || (!mi.path.empty() && mi.path != in.names[i]))
      throw input_error((out_dir / "manifest.json").string(), 0,
                        "resume: input " + std::to_string(mi.index) + " was '" + mi.path + "', now '" +
                            (i < in.ranges.size() ? in.names[i] : std::string("(none)")) +
                            "': give the same inputs as the interrupted run");
    skip[i] = true;
  }
  return skip;
}

MILLRACE_INLINE bool line_source::fill(std::vector<raw_line>& out, std::size_t max) {
  auto& s = st_.get();
  if (!s.reader) s.reader = open();   // at run time, not when the pipeline is built: the manifest is read when it matters
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

MILLRACE_INLINE line_source::reader_t::reader_t(std::vector<input_range> f, chunk_options co, std::vector<bool> skip, bool prefetch,
                                              parallel_read_options po) {
  if (!prefetch) plain = std::make_unique<chunk_reader>(std::move(f), co, std::move(skip));
  else if (po.files <= 1) pre = std::make_unique<prefetching_chunk_reader>(std::move(f), co, std::move(skip), 4);
  else par = std::make_unique<parallel_chunk_reader>(std::move(f), co, std::move(skip), po);
}

MILLRACE_INLINE bool line_source::reader_t::next_lines(text_chunk& c, std::vector<raw_line>& lines) {
  if (par) return par->next_lines(lines);
  if (!(pre ? pre->next(c) : plain->next(c))) return false;
  split_chunk(c, lines);
  return true;
}

MILLRACE_INLINE std::unique_ptr<line_source::reader_t> line_source::open() const {
  chunk_options co;
  co.chunk_bytes = opt_.chunk_bytes;
  co.max_line_bytes = opt_.max_line_bytes;
  co.max_skip_bytes = opt_.max_skip_bytes;
  co.empty_file_is_error = opt_.empty_file_is_error;
  auto skip = completed_inputs(opt_.resume_from, *in_);
  std::size_t files = opt_.parallel_files;
  if (files == 0) {
    // One reader per two threads of the run (parallel_concurrency: the executor's thread
    // count; 1 under the serial executor): one reader decompresses and splits about twice as
    // fast as one thread parses, and on 2 cores a second reader only costs CPU
    // (bench/io/RESULTS.md, "parallel shard reading").
    files = std::clamp<std::size_t>(millrace::parallel_concurrency() / 2, 1, 8);
  }
  files = std::min<std::size_t>(files, std::size_t(std::count(skip.begin(), skip.end(), false)));
  parallel_read_options po;
  po.files = files;
  po.max_buffered_bytes = opt_.max_buffered_bytes;
  po.max_buffered_bytes_per_file = opt_.max_buffered_bytes_per_file;
  po.split_lines = true;   // keeps the serial source down to moving lines
  return std::make_unique<reader_t>(in_->ranges, co, std::move(skip), opt_.prefetch, po);
}

MILLRACE_INLINE csv_source::csv_source(std::shared_ptr<const input_set> in, csv_options copt, read_options opt)
    : in_(std::move(in)), copt_(copt), opt_(std::move(opt)) {
  copt_.validate_utf8 = opt_.validate_utf8;
  for (auto& r : in_->ranges)
    if (!r.whole())
      throw std::invalid_argument("millrace::io::read_csv: " + r.file.string() + " is split at byte " +
                                  std::to_string(r.begin) +
                                  " (CSV records may hold newlines): partition with split_files = false");
}

MILLRACE_INLINE bool csv_source::fill(std::vector<checked<csv_row>>& out, std::size_t max) {
  auto& s = st_.get();
  if (!s.started) {
    s.started = true;
    s.skip = completed_inputs(opt_.resume_from, *in_);
  }
  while (out.size() < max) {
    if (!s.reader) {
      while (s.next < in_->ranges.size() && s.skip[s.next]) ++s.next;
      if (s.next >= in_->ranges.size()) return false;
      s.cur = s.next++;
      s.input = static_cast<std::uint32_t>(in_->ranges[s.cur].input);
      try {
        s.reader = std::make_unique<csv_reader>(in_->ranges[s.cur].file, copt_);
      } catch (const input_error& e) {
        out.push_back(bad(s, e.line(), e.reason()));   // a bad header row
        continue;
      }
      if (s.reader->empty_file() && opt_.empty_file_is_error) {
        out.push_back(bad(s, 0, "empty file"));
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
      out.push_back(bad(s, e.line(), e.reason()));
      continue;
    }
    r.value.header = s.header;
    r.value.file = in_->names[s.cur];
    r.value.line = s.reader->line();
    r.value.input = s.input;
    r.value.position = {s.input, s.reader->offset()};
    r.input = s.input;
    r.line = r.value.line;
    r.position = r.value.position;
    out.push_back(std::move(r));
  }
  return true;
}

MILLRACE_INLINE checked<csv_row> csv_source::bad(const state& s, std::size_t line, std::string why) {
  checked<csv_row> r;
  r.error = std::move(why);
  r.input = s.input;
  r.line = line;
  r.position = {s.input, s.reader ? s.reader->offset() : 0};
  return r;
}

}  // namespace millrace::io::detail

#if !MILLRACE_HEADER_ONLY
// The explicit instantiation behind the `extern template` declaration of io/read.hpp (this file
// is then included only by src/io.cpp).
template struct millrace::source_op<millrace::io::detail::line_source>;
#endif

// millrace/io/write.hpp — millrace::io writers as pipeline sinks: write_jsonl (json_record raw
// bytes, or typed structs via a field map), write_lines, write_csv. Sharded by records/bytes,
// optional zstd, each shard written under a temporary name and renamed, and a manifest.json with
// counts and xxh3-128 digests.
//   auto p = mr::io::read_jsonl({"in/"}) | mr::io::write_jsonl("out/", {.max_records_per_shard = 100000, .zstd = true});
#pragma once

#include <millrace/core/compose.hpp>
#include <millrace/io/csv.hpp>
#include <millrace/io/fields.hpp>
#include <millrace/io/json_record.hpp>
#include <millrace/io/read.hpp>
#include <millrace/io/shard_writer.hpp>

#include <concepts>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace millrace::io {

namespace detail {

// Records that know their input (json_record, csv_row, or any type with `input` and `file`)
// can be written in the resumable layout.
template <class T>
concept has_provenance = requires(const T& t) {
  { t.input } -> std::convertible_to<std::uint32_t>;
  { t.file } -> std::convertible_to<std::string_view>;
};

// Sink object: formats each record (Format appends its bytes, newline included) and hands it to a
// shard_writer created at run time. Follows the stage rule (read.hpp, run_state): the object is
// the configuration plus the state of one run; each mr::run works on a fresh copy, so running a
// pipeline again rewrites the output directory the same way.
template <class T, class Format>
class writer_sink {
 public:
  writer_sink(std::filesystem::path dir, write_options opt, std::string ext, Format fmt)
      : dir_(std::move(dir)), opt_(std::move(opt)), ext_(std::move(ext)), fmt_(std::move(fmt)) {
    if (opt_.resume && !has_provenance<T>)
      throw std::invalid_argument("write_options::resume needs records that carry their input "
                                  "(json_record, csv_row, or a type with `input` and `file` members)");
  }
  void process(std::vector<T>&& batch) {
    auto& s = st_.get();
    auto& w = writer(s);
    for (const auto& r : batch) {
      if constexpr (has_provenance<T>)
        if (opt_.resume) w.begin_input(static_cast<std::uint32_t>(r.input), r.file);
      s.buf.clear();
      fmt_(s.buf, r);
      w.append(s.buf);
    }
  }
  void finish() { writer(st_.get()).finish(); }
  // The writer of this object's run (after a run through std::ref: its manifest); null before.
  const shard_writer* writer() const { return st_.peek() ? st_.peek()->w.get() : nullptr; }

 private:
  struct state {
    std::string buf;
    std::unique_ptr<shard_writer> w;
  };
  shard_writer& writer(state& s) {
    if (!s.w) s.w = std::make_unique<shard_writer>(dir_, opt_, ext_);
    return *s.w;
  }
  std::filesystem::path dir_;
  write_options opt_;
  std::string ext_;
  Format fmt_;
  run_state<state> st_;
};

struct raw_json_format {
  void operator()(std::string& out, const json_record& r) const {
    out += r.raw;
    out += '\n';
  }
};
template <class Map>
struct fields_format {
  Map map;
  template <class T>
  void operator()(std::string& out, const T& r) const {
    encode_fields(out, map, r);
    out += '\n';
  }
};
struct line_format {
  void operator()(std::string& out, const std::string& s) const {
    out += s;
    out += '\n';
  }
};
struct csv_format {
  csv_options opt;
  void operator()(std::string& out, const std::vector<std::string>& f) const { csv_append_record(out, f, opt); }
  void operator()(std::string& out, const csv_row& r) const { csv_append_record(out, r.fields, opt); }
};

}  // namespace detail

// Every writer takes a trailing `name` (default: the writer's own name), its op in the run report,
// so that a pipeline with several writers has one distinguishable row each.

/// json_record sink: writes each record's original bytes, one per line, unchanged.
/// (A template that is never given its argument, as the readers without a record type: see
/// millrace::detail::delayed_t.)
template <int N = 0>
auto write_jsonl(std::filesystem::path dir, write_options opt = {}, std::string name = "write_jsonl") {
  using sink_t = millrace::detail::delayed_t<detail::writer_sink<json_record, detail::raw_json_format>, N>;
  return millrace::stage(sink_t(std::move(dir), std::move(opt), ".jsonl", {}), std::move(name));
}

/// Typed sink: T written as a JSON object with the fields of the map, in map order.
template <class T, class... B>
auto write_jsonl(std::filesystem::path dir, field_map<B...> map, write_options opt = {},
                 std::string name = "write_jsonl") {
  static_assert(detail::check_field_map<T, true, B...>());   // (each failing check explains itself)
  using fmt_t = detail::fields_format<field_map<B...>>;
  return millrace::stage(detail::writer_sink<T, fmt_t>(std::move(dir), std::move(opt), ".jsonl", fmt_t{map}),
                         std::move(name));
}

/// std::string sink: one record per line (a record should not hold a newline).
template <int N = 0>
auto write_lines(std::filesystem::path dir, write_options opt = {}, std::string name = "write_lines") {
  using sink_t = millrace::detail::delayed_t<detail::writer_sink<std::string, detail::line_format>, N>;
  return millrace::stage(sink_t(std::move(dir), std::move(opt), ".txt", {}), std::move(name));
}

/// CSV sink for rows (std::vector<std::string> or csv_row); quoting per RFC 4180. Format options
/// first, then the generic ones, as in read_csv: write_csv("out/", {.delimiter = ';'}, {.zstd = true}).
template <class Row = std::vector<std::string>>
auto write_csv(std::filesystem::path dir, csv_options copt = {}, write_options opt = {}, std::string name = "write_csv") {
  return millrace::stage(detail::writer_sink<Row, detail::csv_format>(std::move(dir), std::move(opt), ".csv",
                                                                       detail::csv_format{copt}),
                         std::move(name));
}
/// Old argument order (write_options before csv_options); a write_options value only, since a
/// braced list cannot tell the two apart.
template <class Row = std::vector<std::string>, std::same_as<write_options> W>
[[deprecated("write_csv takes (dir, csv_options, write_options) now, like read_csv")]] auto write_csv(
    std::filesystem::path dir, W opt, csv_options copt = {}, std::string name = "write_csv") {
  return write_csv<Row>(std::move(dir), std::move(copt), std::move(opt), std::move(name));
}

}  // namespace millrace::io

// libFuzzer harness: JSONL line parsing (split_chunk, parse_json_line, parse_typed_line, json_record
// accessors). Bad lines must come back as checked::error, never as a crash or an exception.
// Oracles: a good record keeps its bytes; a good typed record re-encodes and re-parses to itself.
#include <millrace/io/parse.hpp>

#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace io = millrace::io;

namespace {
struct Doc {
  std::string id;
  std::optional<std::string> text;
  std::int64_t n = 0;
  std::optional<std::uint32_t> u;
  std::optional<std::int8_t> small;
  std::optional<bool> flag;
  std::optional<double> x;
};
const auto doc_fields = io::fields(io::field("id", &Doc::id), io::field("text", &Doc::text), io::field("n", &Doc::n),
                                   io::field("u", &Doc::u), io::field("small", &Doc::small),
                                   io::field("flag", &Doc::flag), io::field("x", &Doc::x));
bool same(const Doc& a, const Doc& b) {
  return a.id == b.id && a.text == b.text && a.n == b.n && a.u == b.u && a.small == b.small && a.flag == b.flag &&
         a.x == b.x;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  io::text_chunk c;
  c.data.reserve(size + simdjson::SIMDJSON_PADDING);
  c.data.assign(reinterpret_cast<const char*>(data), size);
  c.max_line_bytes = 1024;   // so that the over-long-line path is reached too
  c.reject_prefix_bytes = 16;
  std::vector<io::raw_line> lines;
  io::split_chunk(c, lines);
  for (const auto& l : lines) {
    io::raw_line a = l;
    auto r = io::parse_json_line(std::move(a), "f.jsonl");
    if (r.ok()) {
      if (r.value.raw != l.text) std::abort();
      if (!millrace::json::check_grammar(l.text).empty()) std::abort();   // accepted => valid JSON
      (void)r.value.get_string("id");
      (void)r.value.get_int("n");
      (void)r.value.get_double("x");
      (void)r.value.get_bool("flag");
      (void)r.value.get_json("id");
      (void)r.value.get_json("x");
      (void)r.value.has("text");
    }
    io::raw_line b = l;
    auto t = io::parse_typed_line<Doc>(std::move(b), doc_fields);
    if (t.ok()) {
      if (!r.ok()) std::abort();   // typed accepted what the untyped parser refused
      std::string out;
      io::encode_fields(out, doc_fields, t.value);
      io::raw_line again;
      again.text = out;
      auto t2 = io::parse_typed_line<Doc>(std::move(again), doc_fields);
      if (!t2.ok() || !same(t.value, t2.value)) std::abort();   // encode/decode round trip
    }
    io::raw_line p = l;
    (void)io::parse_plain_line(std::move(p), true);
  }
  return 0;
}

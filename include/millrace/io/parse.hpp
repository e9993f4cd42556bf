// millrace::io parsing of text chunks into records, run in parallel on chunks: JSON lines into
// json_record or a typed struct (through a field map), or plain lines. Bad lines come out marked
// (checked::error) in input order, so one serial step can fail or reject them deterministically.
//   auto recs = millrace::io::parse_json_chunk(std::move(chunk), "a.jsonl");
#pragma once

#include <millrace/io/chunk_reader.hpp>
#include <millrace/io/fields.hpp>
#include <millrace/io/json.hpp>
#include <millrace/io/json_record.hpp>
#include <millrace/io/utf8.hpp>

#include <cstring>
#include <string>
#include <vector>

namespace millrace::io {

// A record, or the reason it is bad (then raw holds its bytes, or a prefix, for the rejects file).
template <class T>
struct checked {
  T value{};
  std::string error;          // empty: good record
  std::string raw;            // bad record only
  std::uint32_t input = 0;
  std::size_t line = 0;
  bool ok() const { return error.empty(); }
};

// One line as the reader hands it to the parallel parse step: its bytes (without the newline; a
// CR before it is kept: JSONL records stay byte for byte as read, read_lines drops it), spare
// capacity for simdjson's padding, and where it came from; error set when the reader already
// knows the line is bad (over-long, cut by a truncated stream, empty file).
struct raw_line {
  std::string text;
  std::uint32_t input = 0;
  std::size_t line = 0;
  std::string error;
};

// Splits a chunk into lines (the newline removed, a CR before it kept), appending to out; the
// bytes of a line over the chunk's max_line_bytes become an error line holding a prefix.
inline void split_chunk(const text_chunk& c, std::vector<raw_line>& out) {
  if (!c.error.empty()) {
    out.push_back(raw_line{c.data, c.input, c.first_line, c.error});
    return;
  }
  const char* base = c.data.data();
  const std::size_t size = c.data.size();
  std::size_t pos = 0, line = c.first_line;
  while (pos < size) {
    const char* nl = static_cast<const char*>(std::memchr(base + pos, '\n', size - pos));
    const std::size_t end = nl ? std::size_t(nl - base) : size;
    const std::size_t len = end - pos;
    raw_line& r = out.emplace_back();
    r.input = c.input;
    r.line = line;
    if (len > c.max_line_bytes) {
      r.text.assign(base + pos, std::min(len, c.reject_prefix_bytes));
      r.error = "line longer than " + std::to_string(c.max_line_bytes) + " bytes";
    } else {
      r.text.reserve(len + simdjson::SIMDJSON_PADDING);   // lets simdjson parse it in place
      r.text.assign(base + pos, len);
    }
    pos = end + 1;
    ++line;
  }
}

namespace detail {

template <class T>
checked<T> bad(raw_line&& l, std::string why) {
  checked<T> r;
  r.error = std::move(why);
  r.raw = std::move(l.text);
  r.input = l.input;
  r.line = l.line;
  return r;
}

inline bool blank(std::string_view s) {
  for (char ch : s)
    if (ch != ' ' && ch != '\t' && ch != '\r') return false;
  return true;
}

// simdjson refuses valid JSON whose numbers it cannot hold (integers beyond 64 bits, exponents
// beyond double range): those lines are checked again by our grammar checker (numbers as text).
// (simdjson 3.0 says NUMBER_ERROR or NUMBER_OUT_OF_RANGE; later versions add BIGINT_ERROR, to
// be added here when the project moves to one.)
inline bool number_error(simdjson::error_code e) {
  return e == simdjson::NUMBER_ERROR || e == simdjson::NUMBER_OUT_OF_RANGE;
}

// Parses one line as a JSON object with the per-thread DOM parser (full validation, UTF-8 too).
// Strict: a line with a number simdjson cannot hold is "invalid JSON" here (see parse_record).
inline std::string parse_object(const std::string& line, simdjson::dom::object& obj) {
  if (blank(line)) return "empty line (not a JSON object)";
  auto& parser = thread_dom_parser();
  auto padded = padded_view(line.data(), line.size(), line.capacity());
  simdjson::dom::element el;
  auto err = parser.parse(padded.data(), padded.size(), false).get(el);
  if (err == simdjson::UTF8_ERROR) return "invalid UTF-8";
  if (err) return std::string("invalid JSON: ") + simdjson::error_message(err);
  if (el.get_object().get(obj)) return "not a JSON object";
  return {};
}

// A line parsed as a JSON object: the simdjson DOM object, or, when simdjson cannot hold one of
// its numbers, its top-level members as text (checked by millrace::json::check_grammar).
struct parsed_object {
  bool dom = true;
  simdjson::dom::object obj;                  // dom
  std::vector<millrace::json::member_text> members;   // !dom: views into the line
};

// As parse_object, but valid JSON with huge numbers is accepted (members as text).
inline std::string parse_record(const std::string& line, parsed_object& out) {
  out.dom = true;
  if (blank(line)) return "empty line (not a JSON object)";
  auto& parser = thread_dom_parser();
  auto padded = padded_view(line.data(), line.size(), line.capacity());
  simdjson::dom::element el;
  auto err = parser.parse(padded.data(), padded.size(), false).get(el);
  if (!err) return el.get_object().get(out.obj) ? "not a JSON object" : "";
  if (err == simdjson::UTF8_ERROR) return "invalid UTF-8";
  std::string msg = std::string("invalid JSON: ") + simdjson::error_message(err);
  if (!number_error(err)) return msg;
  if (!utf8_valid(line)) return "invalid UTF-8";
  out.members.clear();
  if (auto why = millrace::json::check_grammar(line, &out.members); !why.empty())
    return why == "not a JSON object" ? why : msg;
  out.dom = false;
  return {};
}

}  // namespace detail

// One JSON line into a json_record (raw bytes kept, validated as a JSON object with valid UTF-8).
inline checked<json_record> parse_json_line(raw_line&& l, const std::string& file) {
  if (!l.error.empty()) return detail::bad<json_record>(std::move(l), std::move(l.error));
  detail::parsed_object obj;
  std::string err = detail::parse_record(l.text, obj);
  if (!err.empty()) return detail::bad<json_record>(std::move(l), std::move(err));
  checked<json_record> r;
  r.value.raw = std::move(l.text);
  r.value.file = file;
  r.value.line = l.line;
  r.value.input = l.input;
  r.input = l.input;
  r.line = l.line;
  return r;
}

// One JSON line into T through a field map; a missing or mistyped field makes the line bad.
template <class T, class... B>
checked<T> parse_typed_line(raw_line&& l, const field_map<B...>& map) {
  if (!l.error.empty()) return detail::bad<T>(std::move(l), std::move(l.error));
  detail::parsed_object obj;
  checked<T> r;
  std::string err = detail::parse_record(l.text, obj);
  if (err.empty()) err = obj.dom ? decode_fields(obj.obj, map, r.value) : decode_fields(obj.members, map, r.value);
  if (!err.empty()) return detail::bad<T>(std::move(l), std::move(err));
  r.input = l.input;
  r.line = l.line;
  return r;
}

// One plain line (a CR before the newline removed, as documented for read_lines); optionally
// UTF-8 checked.
inline checked<std::string> parse_plain_line(raw_line&& l, bool validate_utf8) {
  if (!l.error.empty()) return detail::bad<std::string>(std::move(l), std::move(l.error));
  if (!l.text.empty() && l.text.back() == '\r') l.text.pop_back();
  if (validate_utf8 && !utf8_valid(l.text)) return detail::bad<std::string>(std::move(l), "invalid UTF-8");
  checked<std::string> r;
  r.value = std::move(l.text);
  r.input = l.input;
  r.line = l.line;
  return r;
}

// Whole chunks at once (for use without a pipeline).
inline std::vector<checked<json_record>> parse_json_chunk(const text_chunk& c, const std::string& file) {
  std::vector<raw_line> lines;
  split_chunk(c, lines);
  std::vector<checked<json_record>> out;
  out.reserve(lines.size());
  for (auto& l : lines) out.push_back(parse_json_line(std::move(l), file));
  return out;
}
template <class T, class... B>
std::vector<checked<T>> parse_typed_chunk(const text_chunk& c, const field_map<B...>& map) {
  std::vector<raw_line> lines;
  split_chunk(c, lines);
  std::vector<checked<T>> out;
  out.reserve(lines.size());
  for (auto& l : lines) out.push_back(parse_typed_line<T>(std::move(l), map));
  return out;
}
inline std::vector<checked<std::string>> parse_line_chunk(const text_chunk& c, bool validate_utf8) {
  std::vector<raw_line> lines;
  split_chunk(c, lines);
  std::vector<checked<std::string>> out;
  out.reserve(lines.size());
  for (auto& l : lines) out.push_back(parse_plain_line(std::move(l), validate_utf8));
  return out;
}

}  // namespace millrace::io

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

namespace detail {

// Calls f(line_view, line_number, room) for each line of a chunk; room is how many bytes may be
// read from the line's start (capacity of the chunk), for in-place simdjson parsing.
template <class F>
void for_each_line(const text_chunk& c, F&& f) {
  const char* base = c.data.data();
  const std::size_t size = c.data.size(), cap = c.data.capacity();
  std::size_t pos = 0, line = c.first_line;
  while (pos < size) {
    const char* nl = static_cast<const char*>(std::memchr(base + pos, '\n', size - pos));
    std::size_t end = nl ? std::size_t(nl - base) : size;
    std::size_t len = end - pos;
    if (len > 0 && base[pos + len - 1] == '\r') --len;   // CRLF files
    if (len > c.max_line_bytes)
      f(std::string_view(base + pos, len), line, std::size_t(0));   // room 0 marks "too long"
    else
      f(std::string_view(base + pos, len), line, cap - pos);
    pos = end + 1;
    ++line;
  }
}

template <class T>
checked<T> bad(const text_chunk& c, std::string_view raw, std::size_t line, std::string why) {
  checked<T> r;
  r.error = std::move(why);
  r.raw.assign(raw);
  r.input = c.input;
  r.line = line;
  return r;
}

inline bool too_long(const text_chunk& c, std::string_view line, std::size_t room, std::string& why) {
  if (room != 0 || line.size() <= c.max_line_bytes) return false;
  why = "line longer than " + std::to_string(c.max_line_bytes) + " bytes";
  return true;
}

template <class T>
bool error_chunk(const text_chunk& c, std::vector<checked<T>>& out) {
  if (c.error.empty()) return false;
  out.push_back(bad<T>(c, c.data, c.first_line, c.error));
  return true;
}

inline bool blank(std::string_view s) {
  for (char ch : s)
    if (ch != ' ' && ch != '\t') return false;
  return true;
}

// Parses one line as a JSON object with the per-thread DOM parser (full validation, UTF-8 too).
inline std::string parse_object(std::string_view line, std::size_t room, simdjson::dom::object& obj) {
  if (blank(line)) return "empty line (not a JSON object)";
  auto& parser = thread_dom_parser();
  auto padded = padded_view(line.data(), line.size(), room);
  simdjson::dom::element el;
  auto err = parser.parse(padded.data(), padded.size(), false).get(el);
  if (err == simdjson::UTF8_ERROR) return "invalid UTF-8";
  if (err) return std::string("invalid JSON: ") + simdjson::error_message(err);
  if (el.get_object().get(obj)) return "not a JSON object";
  return {};
}

}  // namespace detail

// JSON lines into json_record (raw bytes kept, validated as a JSON object with valid UTF-8).
inline std::vector<checked<json_record>> parse_json_chunk(const text_chunk& c, const std::string& file) {
  std::vector<checked<json_record>> out;
  if (detail::error_chunk(c, out)) return out;
  out.reserve(c.lines);
  detail::for_each_line(c, [&](std::string_view line, std::size_t n, std::size_t room) {
    simdjson::dom::object obj;
    std::string err;
    if (detail::too_long(c, line, room, err)) line = line.substr(0, c.reject_prefix_bytes);
    else err = detail::parse_object(line, room, obj);
    if (!err.empty()) { out.push_back(detail::bad<json_record>(c, line, n, std::move(err))); return; }
    checked<json_record> r;
    r.value.raw.reserve(line.size() + simdjson::SIMDJSON_PADDING);   // lets get_string parse in place
    r.value.raw.assign(line);
    r.value.file = file;
    r.value.line = n;
    r.value.input = c.input;
    r.input = c.input;
    r.line = n;
    out.push_back(std::move(r));
  });
  return out;
}

// JSON lines into T through a field map; a missing or mistyped field makes the line bad.
template <class T, class... B>
std::vector<checked<T>> parse_typed_chunk(const text_chunk& c, const field_map<B...>& map) {
  std::vector<checked<T>> out;
  if (detail::error_chunk(c, out)) return out;
  out.reserve(c.lines);
  detail::for_each_line(c, [&](std::string_view line, std::size_t n, std::size_t room) {
    simdjson::dom::object obj;
    std::string err;
    if (detail::too_long(c, line, room, err)) line = line.substr(0, c.reject_prefix_bytes);
    else err = detail::parse_object(line, room, obj);
    checked<T> r;
    if (err.empty()) err = decode_fields(obj, map, r.value);
    if (!err.empty()) { out.push_back(detail::bad<T>(c, line, n, std::move(err))); return; }
    r.input = c.input;
    r.line = n;
    out.push_back(std::move(r));
  });
  return out;
}

// Plain lines (newline and a trailing CR removed); optionally UTF-8 checked.
inline std::vector<checked<std::string>> parse_line_chunk(const text_chunk& c, bool validate_utf8) {
  std::vector<checked<std::string>> out;
  if (detail::error_chunk(c, out)) return out;
  out.reserve(c.lines);
  detail::for_each_line(c, [&](std::string_view line, std::size_t n, std::size_t room) {
    std::string err;
    if (detail::too_long(c, line, room, err)) {
      out.push_back(detail::bad<std::string>(c, line.substr(0, c.reject_prefix_bytes), n, std::move(err)));
      return;
    }
    if (validate_utf8 && !utf8_valid(line)) {
      out.push_back(detail::bad<std::string>(c, line, n, "invalid UTF-8"));
      return;
    }
    checked<std::string> r;
    r.value.assign(line);
    r.input = c.input;
    r.line = n;
    out.push_back(std::move(r));
  });
  return out;
}

}  // namespace millrace::io

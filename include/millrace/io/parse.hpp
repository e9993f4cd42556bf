// millrace/io/parse.hpp — millrace::io parsing of text chunks into records, run in parallel on
// chunks: JSON lines into json_record or a typed struct (through a field map), or plain lines. Bad
// lines come out marked (checked::error) in input order, so one serial step can fail or reject them
// deterministically.
//   auto recs = millrace::io::parse_json_chunk(std::move(chunk), "a.jsonl");
#pragma once

#include <millrace/core/position.hpp>
#include <millrace/detail/config.hpp>
#include <millrace/io/chunk_reader.hpp>
#include <millrace/io/fields.hpp>
#include <millrace/io/json.hpp>
#include <millrace/io/json_record.hpp>
#include <millrace/io/utf8.hpp>

#include <concepts>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <string>
#include <vector>

namespace millrace::io {

/// A record, or the reason it is bad (then raw holds its bytes, or a prefix, for the rejects file).
template <class T>
struct checked {
  T value{};  ///< the record (value-initialized when bad)
  std::string error;          ///< empty: good record
  std::string raw;            ///< bad record only
  std::uint32_t input = 0;  ///< index of the file in the expanded input list
  std::size_t line = 0;       ///< 1-based; 0: the whole file, or not known (a part that starts mid-file)
  record_position position{}; ///< {input, byte offset of the line in the decompressed file}
  bool ok() const { return error.empty(); }  ///< true for a good record (error empty)
};

/// One line as the reader hands it to the parallel parse step: its bytes (without the newline; a
/// CR before it is kept: JSONL records stay byte for byte as read, read_lines drops it), spare
/// capacity for simdjson's padding, and where it came from; error set when the reader already
/// knows the line is bad (over-long, cut by a truncated stream, empty file).
struct raw_line {
  std::string text;  ///< the line's bytes; for a line the reader knows is bad, a prefix of them
  std::uint32_t input = 0;  ///< index of the file in the expanded input list
  std::size_t line = 0;        ///< 1-based; 0 when not known (a part of a partitioned input that starts mid-file)
  std::string error;  ///< why the reader knows the line is bad; empty: not known bad
  record_position position{};  ///< {input, byte offset of the line's first byte in the decompressed file}
};

/// Splits a chunk into lines (the newline removed, a CR before it kept), appending to out; the
/// bytes of a line over the chunk's max_line_bytes become an error line holding a prefix.
void split_chunk(const text_chunk& c, std::vector<raw_line>& out);

namespace detail {

template <class T>
checked<T> bad(raw_line&& l, std::string why) {
  checked<T> r;
  r.error = std::move(why);
  r.raw = std::move(l.text);
  r.input = l.input;
  r.line = l.line;
  r.position = l.position;
  return r;
}

// A record type with a `record_position position` member gets the line's position.
template <class T>
void set_position(T& v, record_position p) {
  if constexpr (requires { requires std::same_as<std::remove_cvref_t<decltype(v.position)>, record_position>; })
    v.position = p;
}

template <class T>
void mark_good(checked<T>& r, const raw_line& l) {
  r.input = l.input;
  r.line = l.line;
  r.position = l.position;
  set_position(r.value, l.position);
}

bool blank(std::string_view s);

// A line parsed as a JSON object (io/detail/parsed_object.hpp: simdjson's DOM object, or the
// members as text when simdjson cannot hold one of its numbers). Opaque here, so that this header
// does not need simdjson.h.
struct parsed_object;
inline constexpr std::size_t parsed_object_storage = 64;  // bytes json_line keeps for one

/// Parses `line` as a JSON object and hands the fields named `names` to `assign`, in order; the
/// first error ("invalid JSON: ...", "missing field 'id'", ...) stops it and is returned.
std::string decode_line(const std::string& line, std::span<const std::string_view> names, field_assign assign,
                        void* context);
/// The same for an object parsed already.
std::string decode_parsed(const parsed_object& obj, std::span<const std::string_view> names, field_assign assign,
                          void* context);

}  // namespace detail

/// One JSON line into a json_record (raw bytes kept, validated as a JSON object with valid UTF-8).
checked<json_record> parse_json_line(raw_line&& l, const std::string& file);

/// One JSON line into T through a field map; a missing or mistyped field makes the line bad.
template <class T, class... B>
checked<T> parse_typed_line(raw_line&& l, const field_map<B...>& map) {
  if (!l.error.empty()) return detail::bad<T>(std::move(l), std::move(l.error));
  checked<T> r;
  const auto names = detail::field_names(map);
  detail::field_target<T, B...> target{&map, &r.value};
  std::string err = detail::decode_line(l.text, names, &detail::field_target<T, B...>::assign, &target);
  if (!err.empty()) return detail::bad<T>(std::move(l), std::move(err));
  detail::mark_good(r, l);
  return r;
}

/// Thrown by a read_jsonl_as decoder to make a line a bad record: the reader fails the run with
/// "file:line: reason" or sends the line to the rejects file, as for invalid JSON.
///   if (!text) throw mr::io::bad_record("no string field \"text\"");
struct bad_record : std::runtime_error {
  explicit bad_record(const std::string& reason) : std::runtime_error(reason) {}
};

/// One JSONL line as a read_jsonl_as decoder sees it: validated already (a JSON object, valid
/// UTF-8; numbers of any size accepted), its bytes, its provenance, and its top-level fields.
/// A key that repeats: the last occurrence is the field's value (as json_record and field maps).
///   auto d = [](mr::io::json_line& l) { Doc d; d.text = l.get_string("text").value(); d.raw = l.take_text(); return d; };
class json_line {
 public:
  /// The line's bytes without its '\n' (a CR before it stays).
  std::string_view text() const { return line_->text; }
  /// Moves the bytes out, without a copy (to write them back byte for byte later). Fields can no
  /// longer be read afterwards; a decoder that throws bad_record after it leaves no raw bytes for
  /// the rejects file, so take the text last.
  std::string take_text() {
    taken_ = true;
    return std::move(line_->text);
  }
  /// Name of the input file the line came from.
  const std::string& file() const { return *file_; }
  /// 1-based line number; 0 when not known (a part of a partitioned input that starts mid-file).
  std::size_t line() const { return line_->line; }
  /// The line's place in the run's order: {input, byte offset of the line in the decompressed file}.
  record_position position() const { return line_->position; }
  /// Index of the file in the expanded input list.
  std::uint32_t input() const { return line_->input; }

  /// A top-level string field (unescaped); nullopt when absent or not a string.
  std::optional<std::string> get_string(std::string_view field) const;
  /// A top-level integer field (64-bit signed); nullopt when absent or not one.
  std::optional<std::int64_t> get_int(std::string_view field) const;
  /// A top-level number field; nullopt when absent or not a number.
  std::optional<double> get_double(std::string_view field) const;
  /// A top-level boolean field; nullopt when absent or not a boolean.
  std::optional<bool> get_bool(std::string_view field) const;
  /// The field's value as minified JSON text (any type), e.g. "123", "\"a\"" or "{\"a\":1}". A
  /// number simdjson cannot hold (beyond 64 bits, exponent beyond double range) comes as written.
  std::optional<std::string> get_json(std::string_view field) const;
  /// True when the line has a top-level field of that name.
  bool has(std::string_view field) const;
  /// Fills t through a field map (fields.hpp); returns the error text ("missing field 'id'"),
  /// empty on success.
  template <class T, class... B>
  std::string decode(const field_map<B...>& map, T& t) const {
    check_not_taken();
    const auto names = detail::field_names(map);
    detail::field_target<T, B...> target{&map, &t};
    return detail::decode_parsed(obj(), names, &detail::field_target<T, B...>::assign, &target);
  }

  json_line(const json_line&) = delete;
  json_line& operator=(const json_line&) = delete;
  ~json_line();

 private:
  template <class D>
  friend auto parse_json_line_as(raw_line&& l, const std::string& file, const D& decode);

  json_line(raw_line& l, const std::string& file);
  // Parses the line into the object; returns the error text, empty for a valid JSON object.
  std::string parse();
  const detail::parsed_object& obj() const;

  void check_not_taken() const;
  // The last member named field on the text path (numbers simdjson cannot hold), or null.
  const std::string_view* member(std::string_view field) const;
  // Calls f with the field's last value as a DOM element (io/detail/parse_impl.hpp). On the text
  // path the value is parsed on its own; one holding a number simdjson cannot hold is none of
  // string/int/double/bool, so f is not called for it (the getters give nullopt, as json_record's do).
  template <class F>
  void with_value(std::string_view field, F&& f) const;

  raw_line* line_;
  const std::string* file_;
  alignas(8) unsigned char obj_[detail::parsed_object_storage];  // a detail::parsed_object
  bool taken_ = false;
};

namespace detail {
template <class D>
using decoded_t = std::remove_cvref_t<std::invoke_result_t<const D&, json_line&>>;
}  // namespace detail

/// One JSON line through a decoder: `T decode(io::json_line&)`, called only for a line that is a
/// valid JSON object; it may throw bad_record("reason") to make the line bad. A T with a
/// `record_position position` member gets the line's position. Other exceptions fail the run.
template <class D>
auto parse_json_line_as(raw_line&& l, const std::string& file, const D& decode) {
  using T = detail::decoded_t<D>;
  if (!l.error.empty()) return detail::bad<T>(std::move(l), std::move(l.error));
  json_line jl(l, file);
  std::string err = jl.parse();
  if (!err.empty()) return detail::bad<T>(std::move(l), std::move(err));
  checked<T> r;
  try {
    r.value = std::invoke(decode, jl);
  } catch (const bad_record& e) {
    return detail::bad<T>(std::move(l), e.what());
  }
  detail::mark_good(r, l);
  return r;
}

/// One plain line (a CR before the newline removed, as documented for read_lines); optionally
/// UTF-8 checked.
checked<std::string> parse_plain_line(raw_line&& l, bool validate_utf8);

/// Whole chunks at once (for use without a pipeline).
std::vector<checked<json_record>> parse_json_chunk(const text_chunk& c, const std::string& file);
/// A chunk's JSON lines as records of T through the field map, each parsed or its error (as parse_json_chunk).
template <class T, class... B>
std::vector<checked<T>> parse_typed_chunk(const text_chunk& c, const field_map<B...>& map) {
  std::vector<raw_line> lines;
  split_chunk(c, lines);
  std::vector<checked<T>> out;
  out.reserve(lines.size());
  for (auto& l : lines) out.push_back(parse_typed_line<T>(std::move(l), map));
  return out;
}
/// A chunk's lines as strings (UTF-8 checked when asked), each line or its error.
std::vector<checked<std::string>> parse_line_chunk(const text_chunk& c, bool validate_utf8);

}  // namespace millrace::io

#if MILLRACE_HEADER_ONLY
#include <millrace/io/detail/parse_impl.hpp>
#endif

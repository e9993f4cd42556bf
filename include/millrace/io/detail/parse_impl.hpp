// millrace/io/detail/parse_impl.hpp — the definitions behind io/parse.hpp (line splitting, JSON
// validation, json_line's getters).
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/parse.hpp>

namespace millrace::io {

MILLRACE_INLINE void split_chunk(const text_chunk& c, std::vector<raw_line>& out) {
  if (!c.error.empty()) {
    raw_line& r = out.emplace_back();
    r.text = c.data;
    r.input = c.input;
    r.line = c.first_line;
    r.error = c.error;
    r.position = {c.input, c.first_offset};
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
    r.position = {c.input, c.first_offset + pos};
    if (len > c.max_line_bytes) {
      r.text.assign(base + pos, std::min(len, c.reject_prefix_bytes));
      r.error = "line longer than " + std::to_string(c.max_line_bytes) + " bytes";
    } else {
      r.text.reserve(len + simdjson::SIMDJSON_PADDING);   // lets simdjson parse it in place
      r.text.assign(base + pos, len);
    }
    pos = end + 1;
    if (line) ++line;   // 0 stays 0: not known
  }
}

namespace detail {

MILLRACE_INLINE bool blank(std::string_view s) {
  for (char ch : s)
    if (ch != ' ' && ch != '\t' && ch != '\r') return false;
  return true;
}

MILLRACE_INLINE bool number_error(simdjson::error_code e) {
  return e == simdjson::NUMBER_ERROR || e == simdjson::NUMBER_OUT_OF_RANGE;
}

MILLRACE_INLINE std::string parse_object(const std::string& line, simdjson::dom::object& obj) {
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

MILLRACE_INLINE std::string parse_record(const std::string& line, parsed_object& out) {
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

MILLRACE_INLINE checked<json_record> parse_json_line(raw_line&& l, const std::string& file) {
  if (!l.error.empty()) return detail::bad<json_record>(std::move(l), std::move(l.error));
  detail::parsed_object obj;
  std::string err = detail::parse_record(l.text, obj);
  if (!err.empty()) return detail::bad<json_record>(std::move(l), std::move(err));
  checked<json_record> r;
  r.value.raw = std::move(l.text);
  r.value.file = file;
  r.value.line = l.line;
  r.value.input = l.input;
  detail::mark_good(r, l);
  return r;
}

MILLRACE_INLINE std::optional<std::string> json_line::get_string(std::string_view field) const {
  std::optional<std::string> out;
  std::string_view s;
  with_value(field, [&](simdjson::dom::element el) {
    if (!el.get_string().get(s)) out.emplace(s);
  });
  return out;
}

MILLRACE_INLINE std::optional<std::int64_t> json_line::get_int(std::string_view field) const {
  std::optional<std::int64_t> out;
  std::int64_t x;
  with_value(field, [&](simdjson::dom::element el) {
    if (!el.get_int64().get(x)) out = x;
  });
  return out;
}

MILLRACE_INLINE std::optional<double> json_line::get_double(std::string_view field) const {
  std::optional<double> out;
  double x;
  with_value(field, [&](simdjson::dom::element el) {
    if (!el.get_double().get(x)) out = x;
  });
  return out;
}

MILLRACE_INLINE std::optional<bool> json_line::get_bool(std::string_view field) const {
  std::optional<bool> out;
  bool x;
  with_value(field, [&](simdjson::dom::element el) {
    if (!el.get_bool().get(x)) out = x;
  });
  return out;
}

MILLRACE_INLINE std::optional<std::string> json_line::get_json(std::string_view field) const {
  check_not_taken();
  if (obj_.dom) {
    std::optional<simdjson::dom::element> v;
    for (simdjson::dom::key_value_pair kv : obj_.obj)
      if (kv.key == field) v = kv.value;
    if (!v) return std::nullopt;
    return simdjson::minify(*v);
  }
  const std::string_view* text = member(field);
  if (!text) return std::nullopt;
  return detail::minified(*text);
}

MILLRACE_INLINE bool json_line::has(std::string_view field) const {
  check_not_taken();
  if (!obj_.dom) return member(field) != nullptr;
  for (simdjson::dom::key_value_pair kv : obj_.obj)
    if (kv.key == field) return true;
  return false;
}

MILLRACE_INLINE void json_line::check_not_taken() const {
  if (taken_) throw std::logic_error("millrace::io::json_line: a field read after take_text()");
}

MILLRACE_INLINE const std::string_view* json_line::member(std::string_view field) const {
  const std::string_view* found = nullptr;
  for (const auto& m : obj_.members)
    if (m.key == field) found = &m.value;
  return found;
}

MILLRACE_INLINE checked<std::string> parse_plain_line(raw_line&& l, bool validate_utf8) {
  if (!l.error.empty()) return detail::bad<std::string>(std::move(l), std::move(l.error));
  if (!l.text.empty() && l.text.back() == '\r') l.text.pop_back();
  if (validate_utf8 && !utf8_valid(l.text)) return detail::bad<std::string>(std::move(l), "invalid UTF-8");
  checked<std::string> r;
  r.value = std::move(l.text);
  detail::mark_good(r, l);
  return r;
}

MILLRACE_INLINE std::vector<checked<json_record>> parse_json_chunk(const text_chunk& c, const std::string& file) {
  std::vector<raw_line> lines;
  split_chunk(c, lines);
  std::vector<checked<json_record>> out;
  out.reserve(lines.size());
  for (auto& l : lines) out.push_back(parse_json_line(std::move(l), file));
  return out;
}

MILLRACE_INLINE std::vector<checked<std::string>> parse_line_chunk(const text_chunk& c, bool validate_utf8) {
  std::vector<raw_line> lines;
  split_chunk(c, lines);
  std::vector<checked<std::string>> out;
  out.reserve(lines.size());
  for (auto& l : lines) out.push_back(parse_plain_line(std::move(l), validate_utf8));
  return out;
}

}  // namespace millrace::io

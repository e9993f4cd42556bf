// millrace/io/detail/parse_impl.hpp — the definitions behind io/parse.hpp (line splitting, JSON
// validation, json_line's getters).
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/parse.hpp>
#include <millrace/io/detail/dom.hpp>
#include <millrace/io/detail/parsed_object.hpp>

#include <new>

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

// A DOM element as the field decoder hands it to a member.
inline field_value to_field_value(simdjson::dom::element el) {
  using simdjson::dom::element_type;
  using k = field_value::kind;
  field_value v;
  switch (el.type()) {
    case element_type::NULL_VALUE: v.type = k::null; break;
    case element_type::STRING: v.type = k::string; v.text = el.get_string().value_unsafe(); break;
    case element_type::INT64: v.type = k::int64; v.i = el.get_int64().value_unsafe(); break;
    case element_type::UINT64: v.type = k::uint64; v.u = el.get_uint64().value_unsafe(); break;
    case element_type::DOUBLE: v.type = k::number; v.d = el.get_double().value_unsafe(); break;
    case element_type::BOOL: v.type = k::boolean; v.b = el.get_bool().value_unsafe(); break;
    case element_type::ARRAY: v.type = k::array; break;
    case element_type::OBJECT: v.type = k::object; break;
  }
  return v;
}

// One member's value from its JSON text (the text path of a line with a number simdjson cannot
// hold): the value parsed on its own; a number simdjson cannot hold comes as written (huge); an
// array or object holding one is only an array or object to a member.
inline field_value text_field_value(std::string_view text) {
  auto& parser = thread_dom_parser();
  auto padded = padded_view(text.data(), text.size(), 0);  // a view into the line: copy
  simdjson::dom::element el;
  if (!parser.parse(padded.data(), padded.size(), false).get(el)) return to_field_value(el);
  field_value v;
  if (!text.empty() && (text[0] == '-' || (text[0] >= '0' && text[0] <= '9'))) {
    v.type = field_value::kind::huge;
    v.text = text;
  } else {
    v.type = !text.empty() && text[0] == '[' ? field_value::kind::array : field_value::kind::object;
  }
  return v;
}

MILLRACE_INLINE std::string decode_parsed(const parsed_object& obj, std::span<const std::string_view> names,
                                          field_assign assign, void* context) {
  const std::size_t n = names.size();
  if (obj.dom) {
    // One pass over the object: the last occurrence of a repeated key wins (as in Python's json).
    thread_local std::vector<simdjson::dom::element> value;
    thread_local std::vector<char> found;
    value.assign(n, simdjson::dom::element());
    found.assign(n, 0);
    for (simdjson::dom::key_value_pair kv : obj.obj)
      for (std::size_t i = 0; i < n; ++i)
        if (names[i] == kv.key) {
          value[i] = kv.value;
          found[i] = 1;
        }
    for (std::size_t i = 0; i < n; ++i) {
      field_value v;
      if (found[i]) v = to_field_value(value[i]);
      if (std::string e = assign(context, i, found[i] ? &v : nullptr); !e.empty()) return e;
    }
    return {};
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view* text = nullptr;
    for (const auto& m : obj.members)
      if (m.key == names[i]) text = &m.value;
    field_value v;
    if (text) v = text_field_value(*text);   // its string bytes live in the parser until the next parse
    if (std::string e = assign(context, i, text ? &v : nullptr); !e.empty()) return e;
  }
  return {};
}

MILLRACE_INLINE std::string decode_line(const std::string& line, std::span<const std::string_view> names,
                                        field_assign assign, void* context) {
  parsed_object obj;
  std::string err = parse_record(line, obj);
  if (!err.empty()) return err;
  return decode_parsed(obj, names, assign, context);
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

MILLRACE_INLINE json_line::json_line(raw_line& l, const std::string& file) : line_(&l), file_(&file) {
  new (obj_) detail::parsed_object();
}
MILLRACE_INLINE json_line::~json_line() { std::launder(reinterpret_cast<detail::parsed_object*>(obj_))->~parsed_object(); }
MILLRACE_INLINE const detail::parsed_object& json_line::obj() const {
  return *std::launder(reinterpret_cast<const detail::parsed_object*>(obj_));
}
MILLRACE_INLINE std::string json_line::parse() {
  return detail::parse_record(line_->text, *std::launder(reinterpret_cast<detail::parsed_object*>(obj_)));
}

template <class F>
void json_line::with_value(std::string_view field, F&& f) const {
  check_not_taken();
  if (obj().dom) {
    std::optional<simdjson::dom::element> v;
    for (simdjson::dom::key_value_pair kv : obj().obj)
      if (kv.key == field) v = kv.value;
    if (v) f(*v);
    return;
  }
  const std::string_view* text = member(field);
  if (!text) return;
  // Not the per-thread parser: the DOM of this line may still live in it.
  thread_local simdjson::dom::parser value_parser;
  auto padded = detail::padded_view(text->data(), text->size(), 0);
  simdjson::dom::element el;
  if (!value_parser.parse(padded.data(), padded.size(), false).get(el)) f(el);
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
  if (obj().dom) {
    std::optional<simdjson::dom::element> v;
    for (simdjson::dom::key_value_pair kv : obj().obj)
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
  if (!obj().dom) return member(field) != nullptr;
  for (simdjson::dom::key_value_pair kv : obj().obj)
    if (kv.key == field) return true;
  return false;
}

MILLRACE_INLINE void json_line::check_not_taken() const {
  if (taken_) throw std::logic_error("millrace::io::json_line: a field read after take_text()");
}

MILLRACE_INLINE const std::string_view* json_line::member(std::string_view field) const {
  const std::string_view* found = nullptr;
  for (const auto& m : obj().members)
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

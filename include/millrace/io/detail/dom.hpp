// millrace/io/detail/dom.hpp — the simdjson helpers io's compiled code parses with: a per-thread
// DOM and On-Demand parser, padded views of a buffer, and a minifier. Only implementation files
// (io/detail/*_impl.hpp, src/io.cpp) and headers that parse JSON in user code include it, so that
// in the separate-compilation mode a unit that reads JSONL does not parse simdjson.h (1.3 s and
// 300 MB of g++'s time and memory on its own).
#pragma once

#include <simdjson.h>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace millrace::io::detail {


// One DOM parser per thread: parsers own large buffers, reuse is what makes simdjson fast.
inline simdjson::dom::parser& thread_dom_parser() {
  thread_local simdjson::dom::parser p;
  return p;
}
inline simdjson::ondemand::parser& thread_ondemand_parser() {
  thread_local simdjson::ondemand::parser p;
  return p;
}

// A view that simdjson may read SIMDJSON_PADDING bytes past: in place when the storage has the
// room (capacity of a std::string, or the rest of a chunk), else copied into a per-thread buffer.
inline simdjson::padded_string_view padded_view(const char* data, std::size_t len, std::size_t room) {
  if (room >= len + simdjson::SIMDJSON_PADDING) return simdjson::padded_string_view(data, len, room);
  thread_local std::string copy;
  copy.assign(data, len);
  copy.reserve(len + simdjson::SIMDJSON_PADDING);
  return simdjson::padded_string_view(copy.data(), len, copy.capacity());
}

// One JSON value's text (as our grammar checker cut it out of a record) minified, e.g. "{ \"a\": 1 }"
// -> "{\"a\":1}"; nullopt when simdjson's minifier refuses it. Used by every get_json.
inline std::optional<std::string> minified(std::string_view value_text) {
  std::string out(value_text.size(), '\0');
  std::size_t len = 0;
  if (simdjson::minify(value_text.data(), value_text.size(), out.data(), len)) return std::nullopt;
  out.resize(len);
  return out;
}

}  // namespace millrace::io::detail

// millrace/io/json.hpp — millrace::io JSON helpers: string escaping for writers (the simdjson
// helpers io parses with are in io/detail/dom.hpp).
//   std::string out; millrace::io::json_append_string(out, "a \"quoted\" word");
#pragma once

#include <millrace/core/json_value.hpp>

#include <string>
#include <string_view>

namespace millrace::io {

/// Appends s as a JSON string literal (quotes included); see millrace::json::append_quoted.
inline void json_append_string(std::string& out, std::string_view s) { millrace::json::append_quoted(out, s); }

}  // namespace millrace::io

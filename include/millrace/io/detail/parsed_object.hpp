// millrace/io/detail/parsed_object.hpp — a JSONL line parsed as an object: simdjson's DOM object,
// or its members as text when simdjson cannot hold one of its numbers. Implementation only
// (io/detail/*_impl.hpp): io/parse.hpp sees the type as opaque.
#pragma once

#include <simdjson.h>

#include <string>
#include <vector>

#include <millrace/core/json_value.hpp>
#include <millrace/io/detail/dom.hpp>
#include <millrace/io/parse.hpp>

namespace millrace::io::detail {

struct parsed_object {
  bool dom = true;
  simdjson::dom::object obj;                          // dom
  std::vector<millrace::json::member_text> members;   // !dom: views into the line
};
static_assert(sizeof(parsed_object) <= parsed_object_storage && alignof(parsed_object) <= 8,
              "json_line's storage for a parsed_object is too small");

// simdjson refuses valid JSON whose numbers it cannot hold (integers beyond 64 bits, exponents
// beyond double range): those lines are checked again by our grammar checker (numbers as text).
// (simdjson 3.0 says NUMBER_ERROR or NUMBER_OUT_OF_RANGE; later versions add BIGINT_ERROR, to
// be added here when the project moves to one.)
bool number_error(simdjson::error_code e);

// Parses one line as a JSON object with the per-thread DOM parser (full validation, UTF-8 too).
// Strict: a line with a number simdjson cannot hold is "invalid JSON" here (see parse_record).
std::string parse_object(const std::string& line, simdjson::dom::object& obj);

// As parse_object, but valid JSON with huge numbers is accepted (members as text).
std::string parse_record(const std::string& line, parsed_object& out);

}  // namespace millrace::io::detail

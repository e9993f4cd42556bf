// millrace/core/json_value.hpp — a small JSON reader for configuration files (module parameters).
// Bulk data goes through simdjson in io/; this one keeps the core free of heavy dependencies.
//   auto v = mr::json::parse(R"({"threshold": 0.8, "dedup": {"num_perm": 128}})");
#pragma once

#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace millrace::json {

struct value;
using object = std::map<std::string, value, std::less<>>;
using array = std::vector<value>;

struct value {
  std::variant<std::nullptr_t, bool, double, std::string, std::shared_ptr<array>, std::shared_ptr<object>> v;
  bool is_null() const { return std::holds_alternative<std::nullptr_t>(v); }
  bool is_bool() const { return std::holds_alternative<bool>(v); }
  bool is_number() const { return std::holds_alternative<double>(v); }
  bool is_string() const { return std::holds_alternative<std::string>(v); }
  bool is_array() const { return std::holds_alternative<std::shared_ptr<array>>(v); }
  bool is_object() const { return std::holds_alternative<std::shared_ptr<object>>(v); }
  const object& as_object() const { return *std::get<std::shared_ptr<object>>(v); }
  const array& as_array() const { return *std::get<std::shared_ptr<array>>(v); }
  const char* type_name() const {
    static constexpr const char* names[] = {"null", "boolean", "number", "string", "array", "object"};
    return names[v.index()];
  }
};

/// Thrown for malformed JSON; what() is "json: offset N: reason".
struct parse_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace detail {
class parser {
 public:
  explicit parser(std::string_view s) : s_(s) {}
  value parse_document() {
    value v = parse_value();
    skip_ws();
    if (pos_ != s_.size()) fail("trailing characters after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw parse_error("json: offset " + std::to_string(pos_) + ": " + why);
  }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) ++pos_;
  }
  bool consume(std::string_view lit) {
    if (s_.substr(pos_, lit.size()) == lit) {
      pos_ += lit.size();
      return true;
    }
    return false;
  }
  value parse_value() {
    skip_ws();
    if (pos_ >= s_.size()) fail("unexpected end of input");
    const char c = s_[pos_];
    if (c == '{') return parse_object();
    if (c == '[') return parse_array();
    if (c == '"') return value{parse_string()};
    if (consume("true")) return value{true};
    if (consume("false")) return value{false};
    if (consume("null")) return value{nullptr};
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
    fail(std::string("unexpected character '") + c + "'");
  }
  value parse_number() {
    const std::string tmp(s_.substr(pos_, std::min<std::size_t>(64, s_.size() - pos_)));
    char* end = nullptr;
    const double d = std::strtod(tmp.c_str(), &end);
    if (end == tmp.c_str()) fail("bad number");
    pos_ += static_cast<std::size_t>(end - tmp.c_str());
    return value{d};
  }
  std::string parse_string() {
    ++pos_;  // opening quote
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) break;
      c = s_[pos_++];
      switch (c) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (pos_ + 4 > s_.size()) fail("bad \\u escape");
          const unsigned cp = static_cast<unsigned>(std::stoul(std::string(s_.substr(pos_, 4)), nullptr, 16));
          pos_ += 4;
          if (cp < 0x80) {
            out += char(cp);
          } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
          } else {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
          }
          break;
        }
        default: out += c;
      }
    }
    if (pos_ >= s_.size()) fail("unterminated string");
    ++pos_;
    return out;
  }
  value parse_array() {
    ++pos_;
    auto arr = std::make_shared<array>();
    skip_ws();
    if (consume("]")) return value{arr};
    for (;;) {
      arr->push_back(parse_value());
      skip_ws();
      if (consume("]")) return value{arr};
      if (!consume(",")) fail("expected ',' or ']' in array");
    }
  }
  value parse_object() {
    ++pos_;
    auto obj = std::make_shared<object>();
    skip_ws();
    if (consume("}")) return value{obj};
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') fail("expected a quoted key in object");
      std::string key = parse_string();
      skip_ws();
      if (!consume(":")) fail("expected ':' after key \"" + key + "\"");
      (*obj)[key] = parse_value();
      skip_ws();
      if (consume("}")) return value{obj};
      if (!consume(",")) fail("expected ',' or '}' in object");
    }
  }
  std::string_view s_;
  std::size_t pos_ = 0;
};
}  // namespace detail

/// Parses a complete JSON document; throws parse_error.
inline value parse(std::string_view text) { return detail::parser(text).parse_document(); }

/// Appends s as a JSON string literal (quotes included). Bytes >= 0x80 pass through: the caller
/// gives valid UTF-8. The one JSON string writer of the project (reports, manifests, writers).
inline void append_quoted(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t run = 0;  // start of the bytes not yet copied: plain runs are appended in one go
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default: {
        static constexpr char hex[] = "0123456789abcdef";
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 0xF];
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

/// s as a JSON string literal (quotes included).
inline std::string quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  append_quoted(out, s);
  return out;
}

}  // namespace millrace::json

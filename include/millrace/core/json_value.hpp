// millrace/core/json_value.hpp — a small JSON reader for configuration files (module parameters).
// Bulk data goes through simdjson in io/; this one keeps the core free of heavy dependencies.
// Also: the project's JSON string writer (append_quoted) and a strict grammar checker that keeps
// numbers as text (check_grammar), which io/ falls back on for numbers simdjson cannot hold.
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
/// A JSON object: members by name (sorted, so output is deterministic).
using object = std::map<std::string, value, std::less<>>;
/// A JSON array.
using array = std::vector<value>;

/// A JSON value: null, bool, number, string, array or object (module configs, reports).
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
// Strict RFC 8259 tokens (strings with every escape checked, numbers by the grammar), shared by
// the config parser and the grammar checker: one definition of what JSON text is valid.
class json_lexer {
 public:
  explicit json_lexer(std::string_view s) : s_(s) {}

 protected:
  bool fail(const char* why) {
    why_ = why;
    return false;
  }
  void ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) ++pos_;
  }
  bool lit(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return fail("unexpected character");
    pos_ += w.size();
    return true;
  }
  bool digits() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    return pos_ > start || fail("bad number");
  }
  bool number() {
    if (s_[pos_] == '-') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '0') ++pos_;
    else if (!digits()) return false;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!digits()) return false;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digits()) return false;
    }
    return true;
  }
  bool hex4(unsigned& cp) {
    if (pos_ + 4 > s_.size()) return fail("bad \\u escape");
    cp = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = s_[pos_++];
      const unsigned d = h >= '0' && h <= '9' ? unsigned(h - '0') : h >= 'a' && h <= 'f' ? unsigned(h - 'a' + 10)
                         : h >= 'A' && h <= 'F' ? unsigned(h - 'A' + 10) : 16u;
      if (d == 16) return fail("bad \\u escape");
      cp = cp * 16 + d;
    }
    return true;
  }
  static void put_utf8(std::string& o, unsigned cp) {
    if (cp < 0x80) {
      o += char(cp);
    } else if (cp < 0x800) {
      o += char(0xC0 | (cp >> 6));
      o += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      o += char(0xE0 | (cp >> 12));
      o += char(0x80 | ((cp >> 6) & 0x3F));
      o += char(0x80 | (cp & 0x3F));
    } else {
      o += char(0xF0 | (cp >> 18));
      o += char(0x80 | ((cp >> 12) & 0x3F));
      o += char(0x80 | ((cp >> 6) & 0x3F));
      o += char(0x80 | (cp & 0x3F));
    }
  }
  // A string at pos_ (on its quote); its unescaped text into out when out is given.
  bool string(std::string* out) {
    ++pos_;
    for (;;) {
      if (pos_ >= s_.size()) return fail("unterminated string");
      const unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return fail("unescaped control character in a string");
      ++pos_;
      if (c != '\\') {
        if (out) *out += char(c);
        continue;
      }
      if (pos_ >= s_.size()) return fail("unterminated string");
      const char e = s_[pos_++];
      char plain = 0;
      switch (e) {
        case '"': plain = '"'; break;
        case '\\': plain = '\\'; break;
        case '/': plain = '/'; break;
        case 'b': plain = '\b'; break;
        case 'f': plain = '\f'; break;
        case 'n': plain = '\n'; break;
        case 'r': plain = '\r'; break;
        case 't': plain = '\t'; break;
        case 'u': {
          unsigned cp;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {   // a surrogate pair, as simdjson requires
            unsigned lo;
            if (s_.substr(pos_, 2) != "\\u") return fail("lone surrogate in \\u escape");
            pos_ += 2;
            if (!hex4(lo)) return false;
            if (lo < 0xDC00 || lo > 0xDFFF) return fail("lone surrogate in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail("lone surrogate in \\u escape");
          }
          if (out) put_utf8(*out, cp);
          continue;
        }
        default: return fail("bad escape in a string");
      }
      if (out) *out += plain;
    }
  }
  std::string_view s_;
  std::size_t pos_ = 0;
  std::string why_;   // the reason after a false return
};

class parser : json_lexer {
 public:
  using json_lexer::json_lexer;
  value parse_document() {
    value v = parse_value();
    ws();
    if (pos_ != s_.size()) raise("trailing characters after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void raise(const std::string& why) const {
    throw parse_error("json: offset " + std::to_string(pos_) + ": " + why);
  }
  bool consume(std::string_view lit) {
    if (s_.substr(pos_, lit.size()) == lit) {
      pos_ += lit.size();
      return true;
    }
    return false;
  }
  value parse_value() {
    ws();
    if (pos_ >= s_.size()) raise("unexpected end of input");
    const char c = s_[pos_];
    if (c == '{') return parse_object();
    if (c == '[') return parse_array();
    if (c == '"') return value{parse_string()};
    if (consume("true")) return value{true};
    if (consume("false")) return value{false};
    if (consume("null")) return value{nullptr};
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
    raise(std::string("unexpected character '") + c + "'");
  }
  // The grammar's span (no hex, inf, nan, '+'), then strtod on exactly that text.
  value parse_number() {
    const std::size_t start = pos_;
    if (!number()) raise(why_);
    const std::string text(s_.substr(start, pos_ - start));
    return value{std::strtod(text.c_str(), nullptr)};   // out of range: +-HUGE_VAL or 0, as JSON allows
  }
  std::string parse_string() {
    std::string out;
    if (!string(&out)) raise(why_);
    return out;
  }
  // Recursion is bounded: a hostile config of 100,000 '[' must fail, not overflow the stack.
  static constexpr int max_depth = 512;
  struct depth_guard {
    parser& p;
    explicit depth_guard(parser& q) : p(q) {
      if (++p.depth_ > max_depth) p.raise("nesting deeper than " + std::to_string(max_depth));
    }
    ~depth_guard() { --p.depth_; }
  };
  value parse_array() {
    depth_guard guard(*this);
    ++pos_;
    auto arr = std::make_shared<array>();
    ws();
    if (consume("]")) return value{arr};
    for (;;) {
      arr->push_back(parse_value());
      ws();
      if (consume("]")) return value{arr};
      if (!consume(",")) raise("expected ',' or ']' in array");
    }
  }
  value parse_object() {
    depth_guard guard(*this);
    ++pos_;
    auto obj = std::make_shared<object>();
    ws();
    if (consume("}")) return value{obj};
    for (;;) {
      ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') raise("expected a quoted key in object");
      std::string key = parse_string();
      ws();
      if (!consume(":")) raise("expected ':' after key \"" + key + "\"");
      (*obj)[key] = parse_value();
      ws();
      if (consume("}")) return value{obj};
      if (!consume(",")) raise("expected ',' or '}' in object");
    }
  }
  int depth_ = 0;
};
}  // namespace detail

/// Parses a complete JSON document; throws parse_error.
inline value parse(std::string_view text) { return detail::parser(text).parse_document(); }

namespace detail {

// Length of the valid UTF-8 sequence starting at s[i] (a byte >= 0x80), 0 if it is not one
// (stray continuation byte, overlong form, surrogate, beyond U+10FFFF, cut short).
inline std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  const unsigned c = at(0);
  const auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    const unsigned b = at(k);
    return b >= lo && b <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

}  // namespace detail

/// Appends s as a JSON string literal (quotes included). The one JSON string writer of the
/// project (reports, manifests, writers, rejects). Valid UTF-8 passes through; each byte that is
/// not part of a valid UTF-8 sequence (a file name that is not UTF-8, say) becomes U+FFFD, so the
/// output is always valid JSON. (A "\u00XX" escape of the byte would read as a different, valid
/// character; U+FFFD says honestly that something was not text. Where the exact bytes matter,
/// the rejects file keeps them as raw_base64.)
inline void append_quoted(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t run = 0;  // start of the bytes not yet copied: plain runs are appended in one go
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      if (const std::size_t n = detail::utf8_sequence(s, i)) {
        i += n;
        continue;
      }
      out.append(s.data() + run, i - run);
      out += "\xEF\xBF\xBD";   // U+FFFD REPLACEMENT CHARACTER
      run = ++i;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(s.data() + run, i - run);
    run = ++i;
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

/// One member of a JSON object as check_grammar lists it: the key (unescaped) and the value's
/// text exactly as written (a view into the checked text).
struct member_text {
  std::string key;
  std::string_view value;
};

namespace detail {

// A strict RFC 8259 grammar checker that never converts numbers: any size of number is valid
// JSON, even where simdjson (64-bit integers, double range) cannot hold it. UTF-8 is not checked.
class grammar_checker : json_lexer {
 public:
  using json_lexer::json_lexer;
  std::string check(std::vector<member_text>* members) {
    ws();
    if (members && (pos_ >= s_.size() || s_[pos_] != '{')) return "not a JSON object";
    if (!value(0, members)) return why_ + " at offset " + std::to_string(pos_);
    ws();
    if (pos_ != s_.size()) return "trailing characters after the JSON value at offset " + std::to_string(pos_);
    return {};
  }

 private:
  static constexpr int max_depth = 1024;   // as simdjson's default: no stack overflow on [[[[...
  bool value(int depth, std::vector<member_text>* members) {
    ws();
    if (pos_ >= s_.size()) return fail("unexpected end of input");
    const char c = s_[pos_];
    if (c == '"') return string(nullptr);
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    if (c == 't') return lit("true");
    if (c == 'f') return lit("false");
    if (c == 'n') return lit("null");
    if (c != '{' && c != '[') return fail("unexpected character");
    if (depth >= max_depth) return fail("nested too deeply");
    const bool obj = c == '{';
    ++pos_;
    ws();
    if (pos_ < s_.size() && s_[pos_] == (obj ? '}' : ']')) {
      ++pos_;
      return true;
    }
    for (;;) {
      ws();
      if (obj) {
        if (pos_ >= s_.size() || s_[pos_] != '"') return fail("expected a quoted key in an object");
        std::string key;
        if (!string(members ? &key : nullptr)) return false;
        ws();
        if (pos_ >= s_.size() || s_[pos_] != ':') return fail("expected ':' after a key");
        ++pos_;
        ws();
        const std::size_t start = pos_;
        if (!value(depth + 1, nullptr)) return false;
        if (members) members->push_back({std::move(key), s_.substr(start, pos_ - start)});
      } else if (!value(depth + 1, nullptr)) {
        return false;
      }
      ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == (obj ? '}' : ']')) {
        ++pos_;
        return true;
      }
      return fail(obj ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array");
    }
  }
};

}  // namespace detail

/// Checks text against the JSON grammar without converting numbers (numbers of any size and
/// exponent are valid JSON); UTF-8 is not checked. Returns the reason it is not JSON, empty when
/// it is. With members, the text must be an object and its top-level members are appended in
/// order (duplicate keys included: the caller picks, millrace takes the last).
inline std::string check_grammar(std::string_view text, std::vector<member_text>* members = nullptr) {
  return detail::grammar_checker(text).check(members);
}

/// s as a JSON string literal (quotes included).
inline std::string quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  append_quoted(out, s);
  return out;
}

}  // namespace millrace::json

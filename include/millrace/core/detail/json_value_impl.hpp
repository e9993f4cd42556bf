// millrace/core/detail/json_value_impl.hpp — the JSON config parser, the grammar checker and the
// string writer (core/json_value.hpp declares).
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <millrace/detail/config.hpp>
#include <millrace/core/json_value.hpp>

namespace millrace::json {

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

MILLRACE_INLINE value parse(std::string_view text) { return detail::parser(text).parse_document(); }

MILLRACE_INLINE void append_quoted(std::string& out, std::string_view s) {
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

MILLRACE_INLINE std::string check_grammar(std::string_view text, std::vector<member_text>* members) {
  return detail::grammar_checker(text).check(members);
}

MILLRACE_INLINE std::string quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  append_quoted(out, s);
  return out;
}

}  // namespace millrace::json

// millrace/text/detail/markdown_impl.hpp — the Markdown outline parser's definitions
// (text/markdown.hpp declares). Included by text/markdown.hpp in header-only mode, compiled once
// into millrace::compiled (src/text.cpp) otherwise.
#pragma once

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <millrace/detail/config.hpp>
#include <millrace/text/markdown.hpp>

namespace millrace::text {

namespace detail {

inline std::string_view md_trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Up to three spaces of indentation are allowed before block markers (CommonMark).
inline std::size_t md_indent(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return i;
}

// ATX heading "## Title ##": level, or 0 when the line is not one.
inline int md_atx(std::string_view line, std::string& title) {
  const std::size_t ind = md_indent(line);
  if (ind > 3) return 0;
  line.remove_prefix(ind);
  std::size_t n = 0;
  while (n < line.size() && line[n] == '#') ++n;
  if (n == 0 || n > 6) return 0;
  if (n < line.size() && line[n] != ' ' && line[n] != '\t' && line[n] != '\r') return 0;  // "#tag"
  std::string_view t = md_trim(line.substr(n));
  // an optional closing run of '#' preceded by a space
  std::size_t e = t.size();
  while (e > 0 && t[e - 1] == '#') --e;
  if (e == 0) {
    t = {};
  } else if (e < t.size() && (t[e - 1] == ' ' || t[e - 1] == '\t')) {
    t = md_trim(t.substr(0, e));
  }
  title.assign(t);
  return static_cast<int>(n);
}

// Setext underline ("===" -> 1, "---" -> 2), or 0.
inline int md_setext(std::string_view line) {
  const std::size_t ind = md_indent(line);
  if (ind > 3) return 0;
  const std::string_view t = md_trim(line);
  if (t.empty() || (t.front() != '=' && t.front() != '-')) return 0;
  for (char c : t) {
    if (c != t.front()) return 0;
  }
  return t.front() == '=' ? 1 : 2;
}

// Opening code fence: its character and length, or 0.
inline std::size_t md_fence(std::string_view line, char& ch) {
  const std::size_t ind = md_indent(line);
  if (ind > 3 || ind >= line.size()) return 0;
  const char c = line[ind];
  if (c != '`' && c != '~') return 0;
  std::size_t n = 0;
  while (ind + n < line.size() && line[ind + n] == c) ++n;
  if (n < 3) return 0;
  if (c == '`' && line.substr(ind + n).find('`') != std::string_view::npos) return 0;
  ch = c;
  return n;
}

inline bool md_closes_fence(std::string_view line, char ch, std::size_t len) {
  const std::size_t ind = md_indent(line);
  if (ind > 3) return false;
  const std::string_view t = md_trim(line);
  if (t.size() < len) return false;
  for (char c : t) {
    if (c != ch) return false;
  }
  return true;
}

}  // namespace detail
MILLRACE_INLINE md_tree parse_markdown(std::string_view src) {
  md_tree doc;
  doc.add_root(md_node{});
  std::vector<md_tree::node_id> open{doc.root()};  // open sections, innermost last
  std::string para;
  std::size_t para_line = 0;
  std::size_t para_last_line_start = 0;  // offset in `para` of its last line (setext titles)
  auto flush = [&] {
    if (para.empty()) return;
    doc.add_child(open.back(), md_node{md_kind::paragraph, 0, {}, std::move(para), para_line});
    para.clear();
  };
  auto open_section = [&](int level, std::string title, std::size_t line) {
    while (open.size() > 1 && doc[open.back()].level >= level) open.pop_back();
    open.push_back(doc.add_child(open.back(), md_node{md_kind::section, level, std::move(title), {}, line}));
  };

  bool in_code = false;
  char fence_ch = 0;
  std::size_t fence_len = 0;
  std::string code;
  std::size_t code_line = 0;
  std::size_t lineno = 0;
  std::size_t pos = 0;
  std::string title;
  while (pos < src.size()) {
    std::size_t end = src.find('\n', pos);
    if (end == std::string_view::npos) end = src.size();
    std::string_view line = src.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    ++lineno;

    if (in_code) {
      if (detail::md_closes_fence(line, fence_ch, fence_len)) {
        doc.add_child(open.back(), md_node{md_kind::code, 0, {}, std::move(code), code_line});
        code.clear();
        in_code = false;
      } else {
        if (!code.empty() || lineno > code_line + 1) code += '\n';
        code += line;
      }
      continue;
    }
    if (detail::md_trim(line).empty()) {
      flush();
      continue;
    }
    if (const int level = detail::md_atx(line, title)) {
      flush();
      open_section(level, title, lineno);
      continue;
    }
    if (char ch = 0; const std::size_t len = detail::md_fence(line, ch)) {
      flush();
      in_code = true;
      fence_ch = ch;
      fence_len = len;
      code_line = lineno;
      continue;
    }
    if (para.empty() && detail::md_setext(line) == 2) continue;  // "---" alone: a thematic break
    if (!para.empty()) {
      if (const int level = detail::md_setext(line)) {
        // the paragraph's last line is the heading; earlier lines stay a paragraph
        std::string heading(detail::md_trim(std::string_view(para).substr(para_last_line_start)));
        const std::size_t heading_line = para_line + static_cast<std::size_t>(std::count(para.begin(), para.end(), '\n'));
        if (para_last_line_start == 0) {
          para.clear();
        } else {
          para.resize(para_last_line_start - 1);
          flush();
        }
        open_section(level, std::move(heading), heading_line);
        continue;
      }
      para += '\n';
      para_last_line_start = para.size();
      para += line;
    } else {
      para_line = lineno;
      para_last_line_start = 0;
      para.assign(line);
    }
  }
  if (in_code) doc.add_child(open.back(), md_node{md_kind::code, 0, {}, std::move(code), code_line});
  flush();
  return doc;
}

MILLRACE_INLINE md_tree read_markdown(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot open for reading");
  std::string src((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error(file.string() + ": read error");
  return parse_markdown(src);
}

}  // namespace millrace::text

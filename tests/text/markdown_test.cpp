// Conformance tests for text::parse_markdown: the outline tree, headings in code, setext, lines.
#include <doctest/doctest.h>

#include <millrace/text/markdown.hpp>

#include <string>
#include <vector>

namespace text = millrace::text;

namespace {

// A compact rendering of the tree: S<level>:title{...} P:"text" C:"code"
std::string outline(const text::md_tree& t, std::size_t id = 0) {
  const auto& n = t[id];
  std::string s;
  switch (n.kind) {
    case text::md_kind::document: s = "D"; break;
    case text::md_kind::section: s = std::string("S").append(std::to_string(n.level)).append(":").append(n.title); break;
    case text::md_kind::paragraph: s = "P:\"" + n.text + "\""; break;
    case text::md_kind::code: s = "C:\"" + n.text + "\""; break;
  }
  if (!t.children(id).empty()) {
    s += "{";
    for (auto c : t.children(id)) s += outline(t, c) + (c == t.children(id).back() ? "" : " ");
    s += "}";
  }
  return s;
}

}  // namespace

TEST_CASE("markdown.nesting.atx_levels_close_sections") {
  const auto t = text::parse_markdown(
      "intro line\n\n# One\npara a\nstill a\n\npara b\n## One.1\nx\n### One.1.1\ny\n## One.2\nz\n# Two ##\n#### Deep\nw\n");
  CHECK(outline(t) ==
        "D{P:\"intro line\" S1:One{P:\"para a\nstill a\" P:\"para b\" S2:One.1{P:\"x\" S3:One.1.1{P:\"y\"}} "
        "S2:One.2{P:\"z\"}} S1:Two{S4:Deep{P:\"w\"}}}");
}

TEST_CASE("markdown.code_fences.hide_headings") {
  const auto t = text::parse_markdown("# A\n```cpp\n# not a heading\n\nint x;\n```\n~~~~\n## nor this\n~~~~\ntext\n# B\n```\nunclosed\n# still code");
  CHECK(outline(t) == "D{S1:A{C:\"# not a heading\n\nint x;\" C:\"## nor this\" P:\"text\"} S1:B{C:\"unclosed\n# still code\"}}");
}

TEST_CASE("markdown.setext_and_not_headings") {
  const auto t = text::parse_markdown(
      "Title\n=====\nbody\nSub\n---\n\n---\n#hashtag is text\n    # indented code is text\n####### seven\n#\n");
  CHECK(outline(t) == "D{S1:Title{P:\"body\" S2:Sub{P:\"#hashtag is text\n    # indented code is text\n####### seven\"}} S1:}");
}

TEST_CASE("markdown.line_numbers_and_crlf") {
  const auto t = text::parse_markdown("# H1\r\n\r\np1\r\n## H2\r\n\r\n\r\np2 line1\r\np2 line2\r\n");
  REQUIRE(t.size() == 5);
  CHECK(t[1].line == 1);
  CHECK(t[1].title == "H1");
  CHECK(t[2].line == 3);
  CHECK(t[2].text == "p1");
  CHECK(t[3].line == 4);
  CHECK(t[4].line == 7);
  CHECK(t[4].text == "p2 line1\np2 line2");
  CHECK(t.depth(4) == 3);
  CHECK(t.parent(4) == 3);
}

TEST_CASE("markdown.empty_and_errors") {
  const auto t = text::parse_markdown("");
  CHECK(t.size() == 1);
  CHECK(t[0].kind == text::md_kind::document);
  CHECK_THROWS_WITH(text::read_markdown("/nonexistent/x.md"), "/nonexistent/x.md: cannot open for reading");
}

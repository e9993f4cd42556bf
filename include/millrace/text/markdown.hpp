// millrace/text/markdown.hpp — a Markdown outline parser: headings -> nested sections -> paragraphs
// and code blocks, as a millrace::tree (node 0 is the document, ids in document order). Input for
// ops::mapreduce_tree.
//   mr::text::md_tree doc = mr::text::parse_markdown(source);   // doc[1].title, doc.children(0), ...
// This header declares; text/detail/markdown_impl.hpp defines.
#pragma once

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <millrace/detail/config.hpp>
#include <millrace/core/tree.hpp>

namespace millrace::text {

/// The kind of a Markdown tree node.
enum class md_kind { document, section, paragraph, code };

/// One node of a parsed Markdown document: its kind, heading level and title, text and line.
struct md_node {
  md_kind kind = md_kind::document;  ///< what the node is (node 0 is the document)
  int level = 0;          ///< heading level 1..6 for a section, 0 otherwise
  std::string title;      ///< a section's heading text (inline markup kept as written)
  std::string text;       ///< a paragraph's or code block's lines, joined by '\n'
  std::size_t line = 0;   ///< 1-based line where the node starts (0 for the document)
};

/// A parsed Markdown document: sections containing paragraphs and code blocks.
using md_tree = millrace::tree<md_node>;

/// Parses Markdown into its outline. Headings (ATX "#".."######" and setext "===" / "---"
/// underlines) open sections; a heading closes every open section of the same or a deeper level.
/// Blank-line-separated blocks become paragraphs of the innermost open section (lists, quotes and
/// tables stay paragraphs, verbatim); fenced code blocks become code nodes, and nothing inside them
/// is a heading. An unclosed fence runs to the end of the input, as in CommonMark.
md_tree parse_markdown(std::string_view src);

/// Reads and parses a Markdown file; throws std::runtime_error("file: reason") if it cannot be read.
md_tree read_markdown(const std::filesystem::path& file);

}  // namespace millrace::text

#if MILLRACE_HEADER_ONLY
#include <millrace/text/detail/markdown_impl.hpp>
#endif

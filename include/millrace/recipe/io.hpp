// millrace/recipe/io.hpp — readers and writers of recipe::document: JSON lines (the text from one
// field, every other field kept as written), CSV rows (one column is the text, the row becomes a
// JSON object), and a JSONL writer that writes unchanged records byte for byte.
//   auto p = mr::recipe::read_jsonl_documents({"in/"}, "text") | ops | mr::recipe::write_jsonl_documents("out/", "text");
#pragma once

#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <millrace/core/compose.hpp>
#include <millrace/core/json_value.hpp>
#include <millrace/io/read.hpp>
#include <millrace/io/write_formatted.hpp>
#include <millrace/recipe/document.hpp>

namespace millrace::recipe {

/// The read_jsonl_as decoder of documents: the string field `text_field` is the text; a line
/// without it is a bad record ("no string field \"text\"", failing the run or rejected).
struct document_decoder {
  std::string text_field = "text";   ///< name of the string field that becomes document::text
  document operator()(io::json_line& l) const {
    auto t = l.get_string(text_field);
    if (!t) throw io::bad_record(fmt::format("no string field {}", json::quote(text_field)));
    document d;
    d.file = l.file();
    d.line = l.line();
    d.input = l.input();
    d.position = l.position();
    d.text_hash = document::text_digest(*t);
    d.text_size = t->size();
    d.text = std::move(*t);
    d.raw = l.take_text();
    return d;
  }
};

/// JSON lines as documents (inputs: files, directories, globs; .zst/.gz read transparently).
inline auto read_jsonl_documents(const std::vector<std::string>& inputs, std::string text_field = "text",
                                 io::read_options opt = {}, std::string name = "read_jsonl") {
  return io::read_jsonl_as(inputs, document_decoder{std::move(text_field)}, std::move(opt), std::move(name));
}

/// The map from a CSV row (with a header) to a document: `text_column` is the text, the row a
/// JSON object of its columns as strings under their header names. A row without the column
/// fails the run naming the file and line.
struct csv_document_map {
  std::string text_column = "text";   ///< header name of the column that becomes document::text
  std::string text_field = "text";    ///< key the text column gets in the JSON object (document::raw)
  document operator()(io::csv_row r) const {
    if (!r.header) throw std::runtime_error(fmt::format("{}:{}: read_csv needs a header row (csv header: true)", r.file, r.line));
    const std::string* t = r.get(text_column);
    if (!t) throw std::runtime_error(fmt::format("{}:{}: no column {}", r.file, r.line, json::quote(text_column)));
    document d;
    d.raw = "{";
    for (std::size_t i = 0; i < r.header->size() && i < r.fields.size(); ++i) {
      if (i) d.raw += ',';
      json::append_quoted(d.raw, (*r.header)[i] == text_column ? text_field : (*r.header)[i]);
      d.raw += ':';
      json::append_quoted(d.raw, r.fields[i]);
    }
    d.raw += '}';
    d.text_hash = document::text_digest(*t);
    d.text_size = t->size();
    d.text = *t;
    d.file = std::move(r.file);
    d.line = r.line;
    d.input = r.input;
    d.position = r.position;
    return d;
  }
};

/// CSV rows (RFC 4180, header row required) as documents; the text column is renamed to
/// text_field in the JSON the writer writes.
/// (name: the reader's; its document map reports as "<name>.document").
inline auto read_csv_documents(const std::vector<std::string>& inputs, std::string text_column = "text",
                               std::string text_field = "text", io::csv_options copt = {}, io::read_options opt = {},
                               std::string name = "read_csv") {
  std::string map_name = fmt::format("{}.document", name);
  return io::read_csv(inputs, copt, std::move(opt), std::move(name)) |
         millrace::map(csv_document_map{std::move(text_column), std::move(text_field)}, std::move(map_name));
}

/// How the JSONL writer formats a document: its original bytes when the text is unchanged and
/// it carries no annotations; else the object re-encoded member by member (values as written),
/// the text field holding the new text and, for annotations, a member `<annotations_field>`
/// = {"scores": {...}, "failures": {...}} appended, with "spans": {"<key>": [[begin, end, score], ...]}
/// when a step wrote spans (dedup's annotate mode; byte offsets into the written text).
struct document_format {
  std::string text_field = "text";                   ///< member that receives document::text
  std::string annotations_field = "filter_result";   ///< member written for annotations (replaces any)
  void operator()(std::string& out, const document& d) const {
    const bool annotated = !d.filter_result.empty();
    if (!annotated && !d.text_changed()) {
      out += d.raw;
      out += '\n';
      return;
    }
    std::vector<json::member_text> members;
    const std::string why = json::check_grammar(d.raw, &members);
    if (!why.empty()) throw std::runtime_error(fmt::format("{}:{}: cannot re-encode the record: {}", d.file, d.line, why));
    out += '{';
    bool first = true, has_text = false;
    for (auto& m : members) {
      if (annotated && m.key == annotations_field) continue;  // replaced below
      if (!first) out += ',';
      first = false;
      json::append_quoted(out, m.key);
      out += ':';
      if (m.key == text_field) {
        json::append_quoted(out, d.text);
        has_text = true;
      } else {
        out += m.value;
      }
    }
    if (!has_text) {
      if (!first) out += ',';
      first = false;
      json::append_quoted(out, text_field);
      out += ':';
      json::append_quoted(out, d.text);
    }
    if (annotated) {
      if (!first) out += ',';
      json::append_quoted(out, annotations_field);
      out += ":{\"scores\":{";
      for (std::size_t i = 0; i < d.filter_result.scores.size(); ++i) {
        auto& [k, v] = d.filter_result.scores[i];
        if (i) out += ',';
        json::append_quoted(out, k);
        out += std::isfinite(v) ? fmt::format(":{}", v) : std::string(":null");
      }
      out += "},\"failures\":{";
      for (std::size_t i = 0; i < d.filter_result.failures.size(); ++i) {
        auto& [f, r] = d.filter_result.failures[i];
        if (i) out += ',';
        json::append_quoted(out, f);
        out += ':';
        json::append_quoted(out, r);
      }
      out += '}';
      if (!d.filter_result.spans.empty()) {
        out += ",\"spans\":{";
        for (std::size_t i = 0; i < d.filter_result.spans.size(); ++i) {
          auto& [k, list] = d.filter_result.spans[i];
          if (i) out += ',';
          json::append_quoted(out, k);
          out += ":[";
          for (std::size_t j = 0; j < list.size(); ++j)
            out += fmt::format("{}[{},{},{}]", j ? "," : "", list[j].begin, list[j].end, std::isfinite(list[j].score) ? list[j].score : 0.0);
          out += ']';
        }
        out += '}';
      }
      out += '}';
    }
    out += "}\n";
  }
};

/// Documents as JSON lines in sharded, atomic files with a manifest (io::write_options).
inline auto write_jsonl_documents(std::filesystem::path dir, std::string text_field = "text", io::write_options opt = {},
                                  std::string name = "write_jsonl") {
  return io::write_formatted<document>(std::move(dir), document_format{std::move(text_field)}, std::move(opt), ".jsonl",
                                       std::move(name));
}

}  // namespace millrace::recipe

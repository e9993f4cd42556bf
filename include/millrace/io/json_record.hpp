// millrace::io::json_record: one JSONL line kept as its original bytes (written back unchanged by
// write_jsonl) with its provenance; fields are read on demand with simdjson.
//   std::optional<std::string> text = rec.get_string("text");
#pragma once

#include <millrace/io/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace millrace::io {

struct json_record {
  std::string raw;            // the original line, without the newline; a valid JSON object
  std::string file;           // provenance: input file and 1-based line
  std::size_t line = 0;
  std::uint32_t input = 0;    // index of the file in the expanded input list (resume uses it)

  // Value of a top-level string field; nullopt when absent or not a string.
  std::optional<std::string> get_string(std::string_view field) const {
    std::optional<std::string> out;
    visit(field, [&](simdjson::ondemand::value v) {
      std::string_view s;
      if (v.get_string().get(s) == simdjson::SUCCESS) out.emplace(s);
    });
    return out;
  }
  std::optional<std::int64_t> get_int(std::string_view field) const {
    std::optional<std::int64_t> out;
    visit(field, [&](simdjson::ondemand::value v) {
      std::int64_t x;
      if (v.get_int64().get(x) == simdjson::SUCCESS) out = x;
    });
    return out;
  }
  std::optional<double> get_double(std::string_view field) const {
    std::optional<double> out;
    visit(field, [&](simdjson::ondemand::value v) {
      double x;
      if (v.get_double().get(x) == simdjson::SUCCESS) out = x;
    });
    return out;
  }
  std::optional<bool> get_bool(std::string_view field) const {
    std::optional<bool> out;
    visit(field, [&](simdjson::ondemand::value v) {
      bool x;
      if (v.get_bool().get(x) == simdjson::SUCCESS) out = x;
    });
    return out;
  }
  // The field's value as minified JSON text (any type), e.g. "123" or "{\"a\":1}".
  std::optional<std::string> get_json(std::string_view field) const {
    auto& parser = detail::thread_dom_parser();
    auto padded = detail::padded_view(raw.data(), raw.size(), raw.capacity());
    simdjson::dom::element el;
    if (parser.parse(padded.data(), padded.size(), false).get(el)) return std::nullopt;
    simdjson::dom::element v;
    if (el.at_key(field).get(v)) return std::nullopt;
    return simdjson::minify(v);
  }
  bool has(std::string_view field) const {
    bool found = false;
    visit(field, [&](simdjson::ondemand::value) { found = true; });
    return found;
  }

  friend bool operator==(const json_record& a, const json_record& b) { return a.raw == b.raw; }

 private:
  template <class F>
  void visit(std::string_view field, F&& f) const {
    auto& parser = detail::thread_ondemand_parser();
    auto padded = detail::padded_view(raw.data(), raw.size(), raw.capacity());
    simdjson::ondemand::document doc;
    if (parser.iterate(padded).get(doc) != simdjson::SUCCESS) return;
    simdjson::ondemand::object obj;
    if (doc.get_object().get(obj) != simdjson::SUCCESS) return;
    simdjson::ondemand::value v;
    if (obj.find_field_unordered(field).get(v) != simdjson::SUCCESS) return;
    f(v);
  }
};

}  // namespace millrace::io

// millrace::io::json_record: one JSONL line kept as its original bytes (written back unchanged by
// write_jsonl) with its provenance; fields are read on demand with simdjson. A key that repeats:
// the last occurrence is the field's value.
//   std::optional<std::string> text = rec.get_string("text");
#pragma once

#include <millrace/core/position.hpp>
#include <millrace/io/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace millrace::io {

/// A schemaless JSON record: the raw line, where it came from (file, line, input), and typed getters by field name.
struct json_record {
  std::string raw;            // the line exactly as read but its '\n' (a CR before it stays); a valid JSON object
  std::string file;           // provenance: input file and 1-based line (0: not known, a part that starts mid-file)
  std::size_t line = 0;
  std::uint32_t input = 0;    // index of the file in the expanded input list (resume uses it)
  // The record's place in the run's order: {input, byte offset of the line in the decompressed
  // file}; the same for any thread count, batch size and partitioning of the input.
  record_position position{};

  // Value of a top-level string field; nullopt when absent or not a string.
  std::optional<std::string> get_string(std::string_view field) const {
    std::optional<std::string> out;
    visit(field, [&](simdjson::ondemand::value v) {
      std::string_view s;
      out.reset();
      if (v.get_string().get(s) == simdjson::SUCCESS) out.emplace(s);
    });
    return out;
  }
  std::optional<std::int64_t> get_int(std::string_view field) const {
    std::optional<std::int64_t> out;
    visit(field, [&](simdjson::ondemand::value v) {
      std::int64_t x;
      out.reset();
      if (v.get_int64().get(x) == simdjson::SUCCESS) out = x;
    });
    return out;
  }
  std::optional<double> get_double(std::string_view field) const {
    std::optional<double> out;
    visit(field, [&](simdjson::ondemand::value v) {
      double x;
      out.reset();
      if (v.get_double().get(x) == simdjson::SUCCESS) out = x;
    });
    return out;
  }
  std::optional<bool> get_bool(std::string_view field) const {
    std::optional<bool> out;
    visit(field, [&](simdjson::ondemand::value v) {
      bool x;
      out.reset();
      if (v.get_bool().get(x) == simdjson::SUCCESS) out = x;
    });
    return out;
  }
  // The field's value as minified JSON text (any type), e.g. "123" or "{\"a\":1}". A number
  // simdjson cannot hold (beyond 64 bits, exponent beyond double range) comes as written.
  std::optional<std::string> get_json(std::string_view field) const {
    auto& parser = detail::thread_dom_parser();
    auto padded = detail::padded_view(raw.data(), raw.size(), raw.capacity());
    simdjson::dom::element el;
    simdjson::dom::object obj;
    if (auto err = parser.parse(padded.data(), padded.size(), false).get(el); !err) {
      if (el.get_object().get(obj)) return std::nullopt;
      std::optional<simdjson::dom::element> v;
      for (simdjson::dom::key_value_pair kv : obj)
        if (kv.key == field) v = kv.value;   // the last occurrence wins
      if (!v) return std::nullopt;
      return simdjson::minify(*v);
    }
    // The record was accepted by our grammar checker: take the value's text from it.
    std::vector<millrace::json::member_text> members;
    if (!millrace::json::check_grammar(raw, &members).empty()) return std::nullopt;
    const std::string_view* text = nullptr;
    for (const auto& m : members)
      if (m.key == field) text = &m.value;
    if (!text) return std::nullopt;
    return detail::minified(*text);
  }
  bool has(std::string_view field) const {
    bool found = false;
    visit(field, [&](simdjson::ondemand::value) { found = true; });
    return found;
  }

  friend bool operator==(const json_record& a, const json_record& b) { return a.raw == b.raw; }

 private:
  // Calls f with the field's value: the last occurrence when the key repeats (as Python's json
  // does, and as the typed field maps do). Each call of f replaces what an earlier one found.
  template <class F>
  void visit(std::string_view field, F&& f) const {
    auto& parser = detail::thread_ondemand_parser();
    auto padded = detail::padded_view(raw.data(), raw.size(), raw.capacity());
    simdjson::ondemand::document doc;
    if (parser.iterate(padded).get(doc) != simdjson::SUCCESS) return;
    simdjson::ondemand::object obj;
    if (doc.get_object().get(obj) != simdjson::SUCCESS) return;
    for (auto member : obj) {
      simdjson::ondemand::field fld;
      std::string_view key;
      if (std::move(member).get(fld) != simdjson::SUCCESS || fld.unescaped_key().get(key) != simdjson::SUCCESS) return;
      if (key == field) f(fld.value());
    }
  }
};

}  // namespace millrace::io

// millrace/io/detail/json_record_impl.hpp — json_record's getters (io/json_record.hpp declares), on
// simdjson's On-Demand parser (and the DOM parser for get_json).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <millrace/detail/config.hpp>
#include <millrace/io/detail/dom.hpp>
#include <millrace/io/json_record.hpp>

namespace millrace::io {

template <class F>
void json_record::visit(std::string_view field, F&& f) const {
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

MILLRACE_INLINE std::optional<std::string> json_record::get_string(std::string_view field) const {
  std::optional<std::string> out;
  visit(field, [&](simdjson::ondemand::value v) {
    std::string_view s;
    out.reset();
    if (v.get_string().get(s) == simdjson::SUCCESS) out.emplace(s);
  });
  return out;
}
MILLRACE_INLINE std::optional<std::int64_t> json_record::get_int(std::string_view field) const {
  std::optional<std::int64_t> out;
  visit(field, [&](simdjson::ondemand::value v) {
    std::int64_t x;
    out.reset();
    if (v.get_int64().get(x) == simdjson::SUCCESS) out = x;
  });
  return out;
}
MILLRACE_INLINE std::optional<double> json_record::get_double(std::string_view field) const {
  std::optional<double> out;
  visit(field, [&](simdjson::ondemand::value v) {
    double x;
    out.reset();
    if (v.get_double().get(x) == simdjson::SUCCESS) out = x;
  });
  return out;
}
MILLRACE_INLINE std::optional<bool> json_record::get_bool(std::string_view field) const {
  std::optional<bool> out;
  visit(field, [&](simdjson::ondemand::value v) {
    bool x;
    out.reset();
    if (v.get_bool().get(x) == simdjson::SUCCESS) out = x;
  });
  return out;
}
MILLRACE_INLINE std::optional<std::string> json_record::get_json(std::string_view field) const {
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
MILLRACE_INLINE bool json_record::has(std::string_view field) const {
  bool found = false;
  visit(field, [&](simdjson::ondemand::value) { found = true; });
  return found;
}

}  // namespace millrace::io

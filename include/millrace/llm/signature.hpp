// millrace/llm/signature.hpp — millrace::llm::signature: a typed prompt in the spirit of DSPy
// signatures. A template names the record's input fields as {field}; `outputs` names the fields the
// reply must carry as one JSON object. render() builds the chat messages; parse_outputs() checks a
// reply and extracts them.
//   llm::signature s{"Write a question about: {text}", {"question", "answer"}};
#pragma once

#include <millrace/core/json_value.hpp>
#include <millrace/llm/options.hpp>

#include <simdjson.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace millrace::llm {

/// A typed prompt: the template over the record's fields and the output fields the reply must have.
struct signature {
  std::string instructions;          ///< the user message; {name} is the record's field, {{ is a literal {
  std::vector<std::string> outputs;  ///< fields of the JSON object the reply must be
  /// The caller's system prompt; system_message() appends the reply contract to it.
  std::string system = "You are a careful data annotator.";

  /// The fields the template reads, in order of first use.
  std::vector<std::string> inputs() const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < instructions.size(); ++i) {
      if (instructions[i] != '{') continue;
      if (i + 1 < instructions.size() && instructions[i + 1] == '{') { ++i; continue; }
      const auto close = instructions.find('}', i);
      if (close == std::string::npos) break;
      std::string name = instructions.substr(i + 1, close - i - 1);
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
      i = close;
    }
    return out;
  }

  /// The user message for rec; nullopt with *missing set when the record lacks an input field.
  std::optional<std::string> render(const record& rec, std::string* missing) const {
    std::string out;
    for (std::size_t i = 0; i < instructions.size(); ++i) {
      const char c = instructions[i];
      if (c == '{' && i + 1 < instructions.size() && instructions[i + 1] == '{') { out += '{'; ++i; continue; }
      if (c == '}' && i + 1 < instructions.size() && instructions[i + 1] == '}') { out += '}'; ++i; continue; }
      const auto close = c == '{' ? instructions.find('}', i) : std::string::npos;
      if (close == std::string::npos) { out += c; continue; }
      const std::string_view name(instructions.data() + i + 1, close - i - 1);
      auto it = rec.find(name);
      if (it == rec.end()) {
        if (missing) *missing = std::string(name);
        return std::nullopt;
      }
      out += it->second;
      i = close;
    }
    return out;
  }

  /// The system message: the caller's text plus the reply contract the outputs define.
  std::string system_message() const {
    std::string s = system;
    s += "\nReply with only a JSON object with the fields: ";
    for (std::size_t i = 0; i < outputs.size(); ++i) s += (i ? ", " : "") + outputs[i];
    s += ".";
    return s;
  }
};

/// A reply's content and token counts, from an OpenAI chat-completions body.
struct parsed_reply {
  std::string content;   ///< choices[0].message.content
  std::uint64_t prompt_tokens = 0, completion_tokens = 0;   ///< the reply's "usage" counts (0: absent)
};

namespace detail {
/// Parses the HTTP body; returns the reason it is not a chat-completions reply, empty when it is.
inline std::string parse_chat_body(std::string_view body, parsed_reply& out) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  simdjson::dom::element doc;
  if (auto err = parser.parse(padded).get(doc)) return std::string("reply is not JSON: ") + simdjson::error_message(err);
  std::string_view content;
  if (doc.at_pointer("/choices/0/message/content").get_string().get(content))
    return "reply has no choices[0].message.content string";
  out.content = std::string(content);
  std::uint64_t n = 0;
  if (!doc.at_pointer("/usage/prompt_tokens").get_uint64().get(n)) out.prompt_tokens = n;
  if (!doc.at_pointer("/usage/completion_tokens").get_uint64().get(n)) out.completion_tokens = n;
  return {};
}

/// The model's content as the signature's outputs: strings as their text, other values as their
/// JSON text. Returns the reason it does not fit, empty when every output field is there.
inline std::string parse_outputs(const signature& sig, std::string_view content,
                                 std::vector<std::pair<std::string, std::string>>& out) {
  // Models often fence JSON in ```json ... ```; take what is inside.
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace((unsigned char)s.front())) s.remove_prefix(1);
    while (!s.empty() && std::isspace((unsigned char)s.back())) s.remove_suffix(1);
    return s;
  };
  content = trim(content);
  if (content.starts_with("```")) {
    content.remove_prefix(content.find('\n') == std::string_view::npos ? content.size() : content.find('\n') + 1);
    if (auto e = content.rfind("```"); e != std::string_view::npos) content = trim(content.substr(0, e));
  }
  simdjson::dom::parser parser;
  simdjson::padded_string padded(content);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc)) return "the reply's content is not a JSON object";
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) return "the reply's content is not a JSON object";
  out.clear();
  for (const auto& f : sig.outputs) {
    simdjson::dom::element v;
    if (obj.at_key(f).get(v)) return "the reply lacks the field '" + f + "'";
    std::string_view s;
    if (!v.get_string().get(s)) out.emplace_back(f, std::string(s));
    else out.emplace_back(f, simdjson::minify(v));
  }
  return {};
}
}  // namespace detail

}  // namespace millrace::llm

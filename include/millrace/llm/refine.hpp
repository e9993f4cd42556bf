// millrace/llm/refine.hpp — millrace::llm::refine: rewrites one field of each record by an
// instruction (the model sees the instruction and the field's text, and replies {"<field>": "<new
// text>"}).
//   auto p = src | llm::refine("text", "Fix the grammar; keep the meaning.", o);
#pragma once

#include <millrace/llm/detail/llm_stage.hpp>

namespace millrace::llm {

/// mr::async_stage over llm::record: field replaced by the model's rewrite.
inline auto refine(std::string field, std::string instruction, options opts, std::string name = "llm.refine") {
  detail::llm_config c;
  c.name = name;
  std::string tmpl;
  for (char ch : instruction) {  // the instruction is literal text: braces in it are not fields
    if (ch == '{' || ch == '}') tmpl += ch;
    tmpl += ch;
  }
  c.sig.instructions = tmpl + "\n\n{" + field + "}";
  c.sig.outputs = {field};
  c.opts = std::move(opts);
  c.apply = [field](record& r, const std::vector<std::pair<std::string, std::string>>& fields, bool&) {
    r[field] = fields.at(0).second;
    return std::string{};
  };
  return millrace::async_stage(detail::llm_stage(std::move(c)), std::move(name));
}

}  // namespace millrace::llm

// millrace::llm::generate: asks the model the signature's question for each record and adds the
// output fields to it (an existing field of the same name is replaced). An asynchronous stage:
// records leave in input order whatever order the replies arrive in.
//   auto p = src | llm::generate({"Write a question and its answer about: {text}", {"question", "answer"}}, o);
#pragma once

#include <millrace/llm/detail/llm_stage.hpp>

namespace millrace::llm {

/// mr::async_stage over llm::record: every output field of sig set from the reply.
inline auto generate(signature sig, options opts, std::string name = "llm.generate") {
  detail::llm_config c;
  c.name = name;
  c.sig = std::move(sig);
  c.opts = std::move(opts);
  c.apply = [](record& r, const std::vector<std::pair<std::string, std::string>>& fields, bool&) {
    for (const auto& [k, v] : fields) r[k] = v;
    return std::string{};
  };
  return millrace::async_stage(detail::llm_stage(std::move(c)), std::move(name));
}

}  // namespace millrace::llm

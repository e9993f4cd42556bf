// millrace/llm/predict.hpp — millrace::llm::predict (DSPy's Predict): asks the model the signature's question for
// each record and adds the output fields to it (an existing field of the same name is replaced). An
// asynchronous stage: records leave in input order whatever order the replies arrive in.
//   auto p = src | llm::predict({"Write a question and its answer about: {text}", {"question", "answer"}}, o);
#pragma once

#include <millrace/llm/detail/llm_stage.hpp>

namespace millrace::llm {

/// mr::async_stage over llm::record: every output field of sig set from the reply. (Named after
/// DSPy's Predict; it was llm::generate, which shared its name with the core source mr::generate.)
inline auto predict(signature sig, options opts, std::string name = "llm.predict") {
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

/// The former name of predict (kept for one release; same stage, reported as "llm.generate").
[[deprecated("use llm::predict (mr::generate is the core source)")]] inline auto generate(signature sig, options opts,
                                                                                       std::string name = "llm.generate") {
  return predict(std::move(sig), std::move(opts), std::move(name));
}

}  // namespace millrace::llm

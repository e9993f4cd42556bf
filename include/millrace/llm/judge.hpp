// millrace/llm/judge.hpp — millrace::llm::judge: the model scores each record by a criterion (a
// template over its fields) and says why; the score and reason are added as fields (an annotation),
// and with keep_at_least the records scoring below it leave the stream (a filter). A score that is
// not a number counts as a reply that does not parse (re-asked, then rejected with the raw reply).
//   auto p = src | llm::judge("How well does {answer} answer {question}? Score 0 to 1.", o, {.keep_at_least = 0.5});
#pragma once

#include <millrace/llm/detail/llm_stage.hpp>

#include <cstdlib>
#include <optional>

namespace millrace::llm {

/// How judge uses the score: a filter threshold (optional) and the fields it writes.
struct judge_options {
  std::optional<double> keep_at_least = std::nullopt;  ///< set: a filter (score >= it kept); unset: annotate only
  std::string score_field = "score";     ///< field that gets the score (the model's text, a number)
  std::string reason_field = "reason";   ///< field that gets the model's reason
};

/// mr::async_stage over llm::record: score_field and reason_field set; filtered by keep_at_least.
inline auto judge(std::string criterion, options opts, judge_options j = {}, std::string name = "llm.judge") {
  detail::llm_config c;
  c.name = name;
  c.sig.instructions = std::move(criterion);
  c.sig.outputs = {"score", "reason"};
  c.opts = std::move(opts);
  c.apply = [j](record& r, const std::vector<std::pair<std::string, std::string>>& fields, bool& keep) {
    const std::string& s = fields.at(0).second;
    char* end = nullptr;
    const double score = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) return "the reply's score is not a number: " + s;
    r[j.score_field] = s;
    r[j.reason_field] = fields.at(1).second;
    keep = !j.keep_at_least || score >= *j.keep_at_least;
    return std::string{};
  };
  return millrace::async_stage(detail::llm_stage(std::move(c)), std::move(name));
}

}  // namespace millrace::llm

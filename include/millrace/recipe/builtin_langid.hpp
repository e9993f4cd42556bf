// millrace/recipe/builtin_langid.hpp — language ID for recipes: CLD2 built in (link millrace::cld2),
// a fastText model file when MILLRACE_HAVE_FASTTEXT is set (link millrace::fasttext); keeps a
// language set above a minimum score, or annotates language and score.
//   mr::recipe::registry reg = mr::recipe::builtin_registry();  mr::recipe::add_langid_ops(reg);   // "language_id"
#pragma once

#include <memory>
#include <string>
#include <utility>

#include <millrace/filters/apply.hpp>
#include <millrace/filters/cld2.hpp>
#include <millrace/filters/langid.hpp>
#include <millrace/recipe/quality_step.hpp>
#include <millrace/recipe/registry.hpp>
#if MILLRACE_HAVE_FASTTEXT
#include <millrace/filters/fasttext_langid.hpp>
#endif

namespace millrace::recipe {

/// Registers "language_id" (filters::language_filter with CLD2 or a fastText model).
inline void add_langid_ops(registry& reg) {
  const filters::language_options d{};
  reg.add({.name = "language_id",
           .doc = "language of the text (CLD2, or a fastText model file such as lid.176.bin); keeps the listed "
                  "languages above min_score, or annotates \"language.score\" / \"language.<code>\"",
           .params = {string_param("action", "drop", "drop records outside the set, or annotate every record").one_of({"drop", "annotate"}),
                      strings_param("languages", {}, "languages kept, as the detector names them (empty: any)"),
                      number_param("min_score", d.min_score, "lowest score kept").range(0, 1),
                      string_param("detector", "cld2", "cld2 (built in) or fasttext (needs model)").one_of({"cld2", "fasttext"}),
                      string_param("model", "", "the fastText model file (detector: fasttext)"),
                      flag_param("reliable_only", true, "cld2: an unreliable guess scores 0"),
                      flag_param("single_pass", false, "cld2: answer from the first scoring pass (faster; answers differ on unreliable text)")},
           .build =
               [](const param_values& v, const step_context& ctx) -> built_step {
                 filters::language_options lo;
                 lo.languages = v.strings("languages");
                 lo.min_score = v.number("min_score");
                 const auto action = v.string("action") == "annotate" ? filters::on_fail::annotate : filters::on_fail::drop;
                 if (v.string("detector") == "fasttext") {
#if MILLRACE_HAVE_FASTTEXT
                   if (v.string("model").empty()) throw std::invalid_argument("detector fasttext needs `model: <file>`");
                   return make_quality_step(action, ctx, false,
                                            filters::language_filter{filters::fasttext_detector{v.string("model")}, lo, ctx.step_name});
#else
                   throw std::invalid_argument("this build has no fastText (libfasttext); use detector: cld2");
#endif
                 }
                 filters::cld2_detector det;
                 det.options.reliable_only = v.flag("reliable_only");
                 det.options.single_pass = v.flag("single_pass");
                 return make_quality_step(action, ctx, false, filters::language_filter{det, lo, ctx.step_name});
               },
           .group = "filters"});
}

}  // namespace millrace::recipe

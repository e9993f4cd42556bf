// millrace/recipe/detail/erased.hpp — type-erased pieces of a recipe pipeline: a reader (source
// plus its parsing stages), a run of steps on recipe::document, and a writer. Each piece lowers
// its typed operators exactly as a hand-written pipeline would (core lowering, fusion inside a
// step); only the seams between steps are erased.
#pragma once

#include <functional>
#include <string_view>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <millrace/core/compose.hpp>
#include <millrace/filters/apply.hpp>
#include <millrace/recipe/document.hpp>

namespace millrace::recipe::detail {

using lower_fn = std::function<void(millrace::detail::plan&, millrace::detail::stage_list&)>;
using source_fn = std::function<millrace::detail::runtime_source(millrace::detail::plan&)>;

/// A chain on document records lowered through the core (its stages appended to the list).
template <class C>
lower_fn erase_chain(C c) {
  auto ch = std::make_shared<const decltype(millrace::detail::to_chain(std::move(c)))>(millrace::detail::to_chain(std::move(c)));
  using Ch = std::remove_cvref_t<decltype(*ch)>;
  using Out = typename Ch::template output<document>;
  static_assert(std::is_same_v<Out, document> || std::is_same_v<Out, no_output>,
                "millrace: a recipe step must take recipe::document and give recipe::document (or be a sink)");
  return [ch](millrace::detail::plan& p, millrace::detail::stage_list& stages) { ch->template lower<document>(p, stages); };
}

/// A reader pipeline: its source becomes the plan's source and its stages come first.
template <class P>
source_fn erase_source(P pipeline) {
  static_assert(std::is_same_v<typename P::value_type, document>, "millrace: a recipe reader must produce recipe::document");
  auto held = std::make_shared<const P>(std::move(pipeline));
  return [held](millrace::detail::plan& p) {
    auto src = held->source.lower_source(p);
    held->body.template lower<typename std::remove_cvref_t<decltype(held->source)>::value_type>(p, p.stages);
    return src;
  };
}

/// One quality filter behind a uniform type, so that a run of recipe steps (known only at run
/// time) can become one filters::apply over a pack of these. It satisfies filters::quality_filter.
struct erased_filter {
  std::string name;
  bool text_only = false;  // filters::reads_text_only of the filter erased
  std::shared_ptr<const void> held{};
  std::string_view (*call)(const void*, const filters::doc_stats&, filters::filter_result*, std::string*) = nullptr;
  std::string_view check(const filters::doc_stats& st, filters::filter_result* out, std::string* text) const {
    return call(held.get(), st, out, text);
  }
};

/// A filter erased; it keeps its own copy (the reasons it returns point into it).
template <class F>
erased_filter erase_filter(F f) {
  erased_filter e;
  e.name = std::string(f.name);
  e.text_only = filters::reads_text_only(f);
  e.held = std::make_shared<const F>(std::move(f));
  e.call = [](const void* p, const filters::doc_stats& st, filters::filter_result* out, std::string* text) -> std::string_view {
    return static_cast<const F*>(p)->check(st, out, text);
  };
  return e;
}

/// What recipe::build needs to fuse a quality-filter step with its neighbours.
struct fusable_filters {
  std::string step_name;                 // the step's report name
  std::vector<erased_filter> filters;    // in order
  filters::on_fail action = filters::on_fail::drop;
  bool rewrites_text = false;            // a later filter must read the rewritten text: a fused run ends here
  lower_fn lower_alone{};                // the step unfused (recipe::build fills it from built_step::lower)
};

/// The reader of a recipe pipeline as a source element.
struct erased_source : millrace::detail::source_tag {
  using value_type = document;
  source_fn fn;
  millrace::detail::runtime_source lower_source(millrace::detail::plan& p) const { return fn(p); }
};

/// The steps of a recipe between reader and writer, in order.
struct erased_steps : millrace::detail::element_tag {
  std::vector<lower_fn> steps;
  /// What the steps point to and the pipeline must keep alive (the run's filter tally).
  std::shared_ptr<const void> hold{};
  static constexpr const char* kind = "recipe";
  using expects = document;
  template <class In>
  static constexpr bool accepts = std::is_same_v<In, document>;
  template <class In>
  using output = document;
  template <class In>
  void lower(millrace::detail::plan& p, millrace::detail::stage_list& stages) const {
    for (auto& s : steps) s(p, stages);
  }
};

/// The writer of a recipe pipeline: a sink on documents.
struct erased_sink : millrace::detail::element_tag {
  lower_fn fn;
  static constexpr const char* kind = "sink";
  using expects = document;
  template <class In>
  static constexpr bool accepts = std::is_same_v<In, document>;
  template <class In>
  using output = no_output;
  template <class In>
  void lower(millrace::detail::plan& p, millrace::detail::stage_list& stages) const {
    fn(p, stages);
  }
};

}  // namespace millrace::recipe::detail

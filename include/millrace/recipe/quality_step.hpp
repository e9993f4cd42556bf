// millrace/recipe/quality_step.hpp — quality filters as recipe steps that recipe::build fuses:
// adjacent filter steps with the same action become ONE filters::apply (one text analysis).
//   return mr::recipe::make_quality_step(mr::filters::on_fail::drop, ctx, false, mr::filters::gopher_quality{});
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <millrace/filters/apply.hpp>
#include <millrace/recipe/detail/erased.hpp>
#include <millrace/recipe/exclusions.hpp>
#include <millrace/recipe/registry.hpp>

namespace millrace::recipe {

/// A step running `filters` (in order) as one filters::apply named ctx.step_name, counted in
/// ctx.tally. `rewrites_text`: a filter may replace the text (C4's kept lines), so a fused run of
/// steps ends after this one (the next filter must analyze the rewritten text, as unfused).
template <filters::quality_filter... F>
built_step make_quality_step(filters::on_fail action, const step_context& ctx, bool rewrites_text, F... f) {
  auto fusable = std::make_shared<detail::fusable_filters>();
  fusable->step_name = ctx.step_name;
  fusable->action = action;
  fusable->rewrites_text = rewrites_text;
  (fusable->filters.push_back(detail::erase_filter(f)), ...);
  filters::apply_options<document> o;
  o.action = action;
  o.tally = ctx.tally;
  o.name = ctx.step_name;
  built_step b = make_step(filters::apply<document>(std::move(o), std::move(f)...));
  b.fusable = std::move(fusable);
  return b;
}

namespace detail {

// One filters::apply over N erased filters: the pack size must be known at compile time, so a
// table holds one instantiation per size up to max_fused (longer runs are cut into pieces).
inline constexpr std::size_t max_fused = 32;

template <std::size_t... I>
lower_fn fused_apply(filters::apply_options<document> o, const std::vector<erased_filter>& f, std::index_sequence<I...>) {
  return erase_chain(filters::apply<document>(std::move(o), f[I]...));
}
template <std::size_t N>
lower_fn fused_apply_n(filters::apply_options<document> o, const std::vector<erased_filter>& f) {
  return fused_apply(std::move(o), f, std::make_index_sequence<N>{});
}
template <std::size_t... N>
constexpr auto fused_apply_table(std::index_sequence<N...>) {
  using fn = lower_fn (*)(filters::apply_options<document>, const std::vector<erased_filter>&);
  return std::array<fn, sizeof...(N)>{&fused_apply_n<N + 1>...};
}

// Adjacent fusable steps (same action) as one or more filters::apply stages; the operator is
// named by its steps joined with '+'. The filters keep their names, so the tally is the same.
inline std::vector<lower_fn> fuse_run(const std::vector<std::shared_ptr<const fusable_filters>>& run, filters::filter_tally* tally,
                                      std::shared_ptr<exclusion_writer> exclusions = {}) {
  static constexpr auto table = fused_apply_table(std::make_index_sequence<max_fused>{});
  std::vector<erased_filter> all;
  std::string name;
  for (auto& s : run) {
    all.insert(all.end(), s->filters.begin(), s->filters.end());
    if (!name.empty()) name += '+';   // (piece by piece: g++ 12's -Wrestrict, see filters::apply)
    name += s->step_name;
  }
  std::vector<lower_fn> out;
  for (std::size_t at = 0, piece = 0; at < all.size(); at += max_fused, ++piece) {
    const std::vector<erased_filter> part(all.begin() + std::ptrdiff_t(at),
                                          all.begin() + std::ptrdiff_t(std::min(all.size(), at + max_fused)));
    filters::apply_options<document> o;
    o.action = run.front()->action;
    o.tally = tally;
    o.name = all.size() > max_fused ? name + "#part" + std::to_string(piece + 1) : name;
    if (exclusions) {
      auto step_of = std::make_shared<std::map<std::string, std::string, std::less<>>>();  // filter -> its step
      for (auto& s : run)
        for (auto& f : s->filters) step_of->emplace(f.name, s->step_name);
      o.exclusions = [exclusions, step_of](filters::excluded<document>&& e) {
        auto it = step_of->find(e.filter);
        exclusions->write(it == step_of->end() ? std::string_view(e.filter) : std::string_view(it->second), e);
      };
    }
    out.push_back(table[part.size() - 1](std::move(o), part));
  }
  return out;
}

}  // namespace detail

}  // namespace millrace::recipe

// millrace/core/graph.hpp — non-linear graphs: broadcast one stream into several branches, or
// route each record into one of two branches; branch outputs merge back into one stream.
// Merging is per batch and deterministic: for each input batch the branches' outputs are
// concatenated in branch order. A branch ending in a sink contributes nothing.
//   auto p = src | mr::broadcast(mr::map(f) | mr::collect(a), mr::filter(g))   // -> records of g
//            | mr::route(is_long, long_chain, short_chain) | mr::collect(out);
#pragma once

#include <array>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <millrace/core/detail/record_origin.hpp>
#include <millrace/core/pipeline.hpp>

namespace millrace {
namespace detail {

template <class A, class B>
struct branch_outputs_differ {
  static_assert(always_false<A>,
                "millrace: the branches of mr::broadcast / mr::route produce different record types "
                "(the two template arguments of branch_outputs_differ); branches that do not end "
                "in a sink must produce the same type");
  using type = invalid_record;
};

template <class Acc, class Next>
struct merge_type {
  using type = typename branch_outputs_differ<Acc, Next>::type;
};
template <class T>
struct merge_type<T, T> {
  using type = T;
};
template <class T>
struct merge_type<no_output, T> {
  using type = T;
};
template <class T>
struct merge_type<T, no_output> {
  using type = T;
};
template <>
struct merge_type<no_output, no_output> {
  using type = no_output;
};

template <class... Outs>
struct merged_valid;
template <>
struct merged_valid<> {
  using type = no_output;
};
template <class O, class... Rest>
struct merged_valid<O, Rest...> {
  using type = typename merge_type<O, typename merged_valid<Rest...>::type>::type;
};

/// The merged record type; a branch that already failed to connect (reported) makes it invalid.
template <class... Outs>
struct merged {
  using type = typename std::conditional_t<(std::is_same_v<Outs, invalid_record> || ...),
                                           std::type_identity<invalid_record>, merged_valid<Outs...>>::type;
};

// ---- no barrier inside a branch --------------------------------------------------------------
// A branch sees the stream batch by batch and the merge needs every branch's output for each
// batch, so an element that holds everything back until the end (a stage with finish(), an
// exchange, a tree reduce) cannot run in one. Elements say so with `static constexpr bool
// is_barrier`; sinks that finish (collect, mr::reduce_into) are fine.
template <class E>
inline constexpr bool is_barrier_element = [] {
  if constexpr (requires { E::is_barrier; })
    return bool(E::is_barrier);
  else
    return false;
}();
template <class E>
struct contains_barrier : std::bool_constant<is_barrier_element<E>> {};
template <class... Es>
struct contains_barrier<chain<Es...>> : std::bool_constant<(contains_barrier<Es>::value || ...)> {};

template <class Branch, bool HasBarrier = contains_barrier<Branch>::value>
struct barrier_free_branch {
  static constexpr bool value = true;
};
template <class Branch>
struct barrier_free_branch<Branch, true> {
  static_assert(always_false<Branch>,
                "millrace: a barrier (a stage with finish(), mr::exchange, ops::tree_reduce, ...) cannot run "
                "inside a branch of mr::broadcast / mr::route (the template argument is the branch): the "
                "branches' outputs are merged batch by batch. Put the barrier after the branches merge, or "
                "fold the branch's records into a result with mr::reduce_into (a sink, which works in a branch)");
  static constexpr bool value = false;
};

template <class In, class Out, class... Chains>
runtime_stage lower_branches(plan& p, const std::tuple<Chains...>& chains, std::string name, const char* kind) {
  runtime_stage st;
  st.name = name;
  st.mode = stage_mode::branch;
  st.ops.push_back(p.add_op(name, kind));
  std::apply(
      [&](const auto&... c) {
        ((st.branches.emplace_back(), c.template lower<In>(p, st.branches.back())), ...);
      },
      chains);
  for (auto& b : st.branches)
    for (auto& s : b)
      if (s.finish_as_source)
        throw std::logic_error("millrace: stage '" + s.name + "' has finish() (a barrier) and cannot run inside a branch of '" + name + "'");
  constexpr std::array<bool, sizeof...(Chains)> has_output{
      !std::is_same_v<typename Chains::template output<In>, no_output>...};
  auto* stats = &p.ops[st.ops[0]];
  st.merge = [has_output, stats](std::vector<any_batch>&& parts) -> any_batch {
    if constexpr (std::is_same_v<Out, no_output>) {
      (void)has_output;
      (void)stats;
      return {};
    } else {
      std::vector<Out> out;
      for (std::size_t i = 0; i < parts.size(); ++i) {
        if (!has_output[i]) continue;
        auto& v = parts[i].get<Out>();
        if (out.empty())
          out = std::move(v);
        else
          out.insert(out.end(), std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
      }
      stats->out.fetch_add(out.size(), std::memory_order_relaxed);
      return any_batch(std::move(out));
    }
  };
  return st;
}

}  // namespace detail

/// broadcast: every branch receives a copy of every batch (records must be copyable).
template <class... Chains>
struct broadcast_op : detail::element_tag {
  std::tuple<Chains...> branches;  ///< the chains, in argument order; their outputs merge downstream
  std::string name;
  static constexpr const char* kind = "broadcast";
  using expects = generic_parameter;
  template <class In>
  static constexpr bool accepts = true;  ///< each branch checks its own operators
  template <class In>
  using output = typename detail::merged<typename Chains::template output<In>...>::type;

  template <class In>
  void lower(detail::plan& p, detail::stage_list& stages) const {
    static_assert(std::is_copy_constructible_v<In>,
                  "millrace: mr::broadcast copies each batch to every branch; the record type must be copyable");
    auto st = detail::lower_branches<In, output<In>>(p, branches, name, kind);
    auto* stats = &p.ops[st.ops[0]];
    st.split = [stats](detail::any_batch&& b) {
      const std::uint64_t first = b.first_ordinal();
      std::vector<In> v = b.take<In>();
      stats->in.fetch_add(v.size(), std::memory_order_relaxed);
      std::vector<detail::any_batch> parts;
      parts.reserve(sizeof...(Chains));
      for (std::size_t i = 0; i + 1 < sizeof...(Chains); ++i) parts.emplace_back(std::vector<In>(v));
      parts.emplace_back(std::move(v));
      for (auto& part : parts) part.set_first_ordinal(first);  // every branch sees the whole batch
      return parts;
    };
    stages.push_back(std::move(st));
  }
};

namespace detail {
template <class T>
concept operator_name = std::is_convertible_v<T, std::string_view> && !chainable<T>;

template <class... Bs>
auto make_broadcast(std::string name, Bs&&... bs) {
  using B = broadcast_op<decltype(detail::to_chain(std::forward<Bs>(bs)))...>;
  constexpr bool checked = (detail::barrier_free_branch<decltype(detail::to_chain(std::forward<Bs>(bs)))>::value && ...);
  static_assert(checked || !checked);  // (the check's own static_assert names the branch)
  return B{{}, std::make_tuple(detail::to_chain(std::forward<Bs>(bs))...), std::move(name)};
}
}  // namespace detail

/// mr::broadcast(branch, branch, ..., [name]): each branch is an operator, a chain or a module;
/// an optional last argument (a string) names the operator in reports and errors (as every
/// operator's trailing name; default "broadcast").
template <class... As>
  requires((chainable<As> || detail::operator_name<As>) && ...)
auto broadcast(As&&... as) {
  constexpr std::size_t n = sizeof...(As);
  constexpr bool named = detail::operator_name<std::tuple_element_t<n - 1, std::tuple<As...>>>;
  constexpr std::size_t names = (std::size_t(detail::operator_name<As>) + ...);
  static_assert(names == std::size_t(named), "millrace: mr::broadcast's name, if given, is its last argument");
  static_assert(n - names >= 2, "millrace: mr::broadcast needs at least two branches");
  if constexpr (named) {
    auto args = std::forward_as_tuple(std::forward<As>(as)...);
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return detail::make_broadcast(std::string(std::string_view(std::get<n - 1>(args))), std::get<I>(std::move(args))...);
    }(std::make_index_sequence<n - 1>{});
  } else {
    return detail::make_broadcast("broadcast", std::forward<As>(as)...);
  }
}

/// route: records for which pred holds go to the first branch, the others to the second.
template <class Pred, class ChainT, class ChainF>
struct route_op : detail::element_tag {
  Pred pred;  ///< pred(const In&) -> bool: true sends the record to the first branch
  std::tuple<ChainT, ChainF> branches;  ///< (if_true, if_false) chains; their outputs merge downstream
  std::string name;
  static constexpr const char* kind = "route";
  using expects = detail::first_param_t<Pred>;
  template <class In>
  static constexpr bool accepts = std::is_invocable_r_v<bool, const Pred&, const In&>;
  template <class In>
  using output = typename detail::merged<typename ChainT::template output<In>, typename ChainF::template output<In>>::type;

  template <class In>
  void lower(detail::plan& p, detail::stage_list& stages) const {
    auto st = detail::lower_branches<In, output<In>>(p, branches, name, kind);
    auto* stats = &p.ops[st.ops[0]];
    st.split = [pred = pred, stats, name = name, names = p.input_names](detail::any_batch&& b) {
      const std::uint64_t first = b.first_ordinal();
      std::vector<In> v = b.take<In>();
      stats->in.fetch_add(v.size(), std::memory_order_relaxed);
      std::vector<In> yes, no;
      std::size_t at = 0;
      try {
        for (; at < v.size(); ++at) (std::invoke(pred, std::as_const(v[at])) ? yes : no).push_back(std::move(v[at]));
      } catch (...) {
        detail::rethrow_as_operator_error(name, detail::origin_of(v[at], first, at, names.get()));
      }
      std::vector<detail::any_batch> parts;
      parts.emplace_back(std::move(yes));
      parts.emplace_back(std::move(no));
      return parts;
    };
    stages.push_back(std::move(st));
  }
};

/// mr::route(pred, if_true, if_false, "name").
template <class Pred, class T, class F>
  requires chainable<T> && chainable<F>
auto route(Pred&& pred, T&& if_true, F&& if_false, std::string name = "route") {
  using R = route_op<std::decay_t<Pred>, decltype(detail::to_chain(std::forward<T>(if_true))),
                     decltype(detail::to_chain(std::forward<F>(if_false)))>;
  constexpr bool checked = detail::barrier_free_branch<decltype(detail::to_chain(std::forward<T>(if_true)))>::value &&
                           detail::barrier_free_branch<decltype(detail::to_chain(std::forward<F>(if_false)))>::value;
  static_assert(checked || !checked);  // (the check's own static_assert names the branch)
  return R{{}, std::forward<Pred>(pred),
           std::make_tuple(detail::to_chain(std::forward<T>(if_true)), detail::to_chain(std::forward<F>(if_false))),
           std::move(name)};
}

}  // namespace millrace

// millrace/core/element.hpp — what every composable element of a chain provides, and the
// compile-time connection check between an upstream output type and an element.
#pragma once

#include <type_traits>

#include <millrace/core/plan.hpp>
#include <millrace/core/traits.hpp>

namespace millrace {
namespace detail {

/// Base of every chain element other than row operators (which are wrapped into fused<>).
/// An element E provides:
///   template <class In> static constexpr bool accepts;   // may it follow a stage producing In?
///   using expects = ...;                                   // the input type it wants (for errors)
///   template <class In> using output = ...;               // what it produces from In
///   template <class In> void lower(plan&, stage_list&) const;
struct element_tag {};

template <class In, class Op, bool Accepts = Op::template accepts<In>>
struct connect_one {
  using type = typename Op::template output<In>;
};
// A refused connection: the operator's own diagnosis when it has one (Op::refusal<In> names a
// type such as predicate_must_return_bool<...>, see traits.hpp), else cannot_connect_operator.
template <class In, class Op>
struct refusal_of {
  using type = void;
};
template <class In, class Op>
  requires requires { typename Op::template refusal<In>; }
struct refusal_of<In, Op> {
  using type = typename Op::template refusal<In>;
};

template <class In, class Op>
struct connect_one<In, Op, false> {
  using diagnosis = typename refusal_of<In, Op>::type;
  using type = typename std::conditional_t<std::is_void_v<diagnosis>, cannot_connect_operator<In, typename Op::expects, Op>,
                                           diagnosis>::type;
};

/// Output type of element E fed with In, with a readable error when they do not connect.
template <class In, class E>
struct connect {
  using type = typename connect_one<In, E>::type;
};
template <class E>
struct connect<invalid_record, E> {
  using type = invalid_record;
};
template <class E>
struct connect<no_output, E> {
  static constexpr cannot_connect_after_sink<E> error{};
  using type = invalid_record;
};

template <class In, class E>
using connect_t = typename connect<In, E>::type;

}  // namespace detail

/// A pipeline element (a source, operator, sink or composed fragment) that `|` can chain. Every
/// operator type (derived from detail::element_tag, or detail::row_op_tag for the fusable ones)
/// has the same protocol members, documented here once: `name` (the operator's name in reports
/// and errors), `kind` (its kind in the report: "map", "stage", ...), `expects` (the record type
/// it takes, or generic_parameter), `accepts<In>` (whether it takes In), `output<In>` (what it
/// gives for In), `refusal<In>` (an optional diagnosis of a refused In), `lower<In>(plan, stages)`
/// (appends its runtime stages to the plan); a source has `value_type` and `lower_source(plan)`.
/// Its other members are its configuration (the callable, the options, the branches).
template <class T>
concept chain_element = std::is_base_of_v<detail::element_tag, std::remove_cvref_t<T>>;

}  // namespace millrace

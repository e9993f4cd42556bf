// millrace/core/traits.hpp — type-level helpers: what a callable takes and returns, and the
// compile-time check that names both types when two operators cannot be connected.
#pragma once

#include <concepts>
#include <functional>
#include <ranges>
#include <type_traits>
#include <vector>

namespace millrace {

/// Placeholder shown in compile errors when an operator's parameter type is a template (auto).
struct generic_parameter {};
/// The "output type" of a sink: nothing flows out of it.
struct no_output {};

namespace detail {

template <class... T>
inline constexpr bool always_false = false;

/// Sentinel record type after a failed connection, so one mistake gives one error.
struct invalid_record {};

// ---- first parameter of a callable (when it is not a template) ---------------------------
template <class F, class = void>
struct first_param {
  using type = generic_parameter;
};
template <class R, class A, class... Rest>
struct first_param<R (*)(A, Rest...)> {
  using type = std::remove_cvref_t<A>;
};
template <class R, class C, class A, class... Rest>
struct first_param<R (C::*)(A, Rest...)> {
  using type = std::remove_cvref_t<A>;
};
template <class R, class C, class A, class... Rest>
struct first_param<R (C::*)(A, Rest...) const> {
  using type = std::remove_cvref_t<A>;
};
template <class R, class C, class A, class... Rest>
struct first_param<R (C::*)(A, Rest...) noexcept> {
  using type = std::remove_cvref_t<A>;
};
template <class R, class C, class A, class... Rest>
struct first_param<R (C::*)(A, Rest...) const noexcept> {
  using type = std::remove_cvref_t<A>;
};
template <class F>
struct first_param<F, std::void_t<decltype(&F::operator())>> : first_param<decltype(&F::operator())> {};

template <class F>
using first_param_t = typename first_param<std::remove_cvref_t<F>>::type;

template <class T>
struct vector_value {
  using type = generic_parameter;
};
template <class T, class A>
struct vector_value<std::vector<T, A>> {
  using type = T;
};

// ---- return type of a member function ----------------------------------------------------
template <class M>
struct member_fn;
template <class R, class C, class... A>
struct member_fn<R (C::*)(A...)> {
  using ret = R;
  using args = std::tuple<A...>;
};
template <class R, class C, class... A>
struct member_fn<R (C::*)(A...) const> : member_fn<R (C::*)(A...)> {};
template <class R, class C, class... A>
struct member_fn<R (C::*)(A...) noexcept> : member_fn<R (C::*)(A...)> {};
template <class R, class C, class... A>
struct member_fn<R (C::*)(A...) const noexcept> : member_fn<R (C::*)(A...)> {};

/// Instantiated only when an operator does not accept its upstream's output type. The compiler
/// prints the template arguments: <upstream output type, type the operator expects, operator>.
template <class UpstreamOutput, class OperatorExpects, class Operator>
struct cannot_connect_operator {
  static_assert(always_false<UpstreamOutput>,
                "millrace: cannot connect operators: the upstream output type (1st template argument "
                "of cannot_connect_operator) is not accepted by the next operator, which expects the "
                "2nd template argument. Fix the operator's parameter type or insert a mr::map that "
                "converts.");
  using type = invalid_record;
};

template <class Operator>
struct cannot_connect_after_sink {
  static_assert(always_false<Operator>,
                "millrace: cannot connect an operator after a sink: a sink ends the pipeline.");
};

}  // namespace detail
}  // namespace millrace

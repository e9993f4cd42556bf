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

/// T, named through an unused template parameter N: a function template that takes no record
/// type (`template <int N = 0> auto read_lines(...)`) and builds its pipeline from delayed_t<X, N>
/// instantiates nothing until it is called (a non-template inline function would instantiate its
/// whole pipeline type in every translation unit that includes its header).
template <class T, int N>
struct delayed {
  using type = T;
};
template <class T, int N>
using delayed_t = typename delayed<T, N>::type;

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

// ---- second parameter of a callable (when it is not a template) --------------------------
template <class F, class = void>
struct second_param {
  using type = generic_parameter;
};
template <class R, class A, class B, class... Rest>
struct second_param<R (*)(A, B, Rest...)> {
  using type = std::remove_cvref_t<B>;
};
template <class R, class C, class A, class B, class... Rest>
struct second_param<R (C::*)(A, B, Rest...)> {
  using type = std::remove_cvref_t<B>;
};
template <class R, class C, class A, class B, class... Rest>
struct second_param<R (C::*)(A, B, Rest...) const> {
  using type = std::remove_cvref_t<B>;
};
template <class R, class C, class A, class B, class... Rest>
struct second_param<R (C::*)(A, B, Rest...) noexcept> {
  using type = std::remove_cvref_t<B>;
};
template <class R, class C, class A, class B, class... Rest>
struct second_param<R (C::*)(A, B, Rest...) const noexcept> {
  using type = std::remove_cvref_t<B>;
};
template <class F>
struct second_param<F, std::void_t<decltype(&F::operator())>> : second_param<decltype(&F::operator())> {};

template <class F>
using second_param_t = typename second_param<std::remove_cvref_t<F>>::type;

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

// ---- the specific diagnoses of a refused connection (element.hpp picks one) -------------
// Each is instantiated instead of cannot_connect_operator when it explains the refusal better;
// its template arguments are what the compiler prints next to the message.

/// Parameters a callable takes (not a template): its operator()'s or function's; -1 when unknown.
template <class F, class = void>
struct arity : std::integral_constant<int, -1> {};
template <class R, class... A>
struct arity<R (*)(A...)> : std::integral_constant<int, int(sizeof...(A))> {};
template <class R, class C, class... A>
struct arity<R (C::*)(A...)> : std::integral_constant<int, int(sizeof...(A))> {};
template <class R, class C, class... A>
struct arity<R (C::*)(A...) const> : arity<R (C::*)(A...)> {};
template <class R, class C, class... A>
struct arity<R (C::*)(A...) noexcept> : arity<R (C::*)(A...)> {};
template <class R, class C, class... A>
struct arity<R (C::*)(A...) const noexcept> : arity<R (C::*)(A...)> {};
template <class F>
struct arity<F, std::void_t<decltype(&F::operator())>> : arity<decltype(&F::operator())> {};
template <class F>
inline constexpr int arity_v = arity<std::remove_cvref_t<F>>::value;

/// The (non-template) first parameter type of a callable, with its reference kept.
template <class F, class = void>
struct first_param_exact {
  using type = generic_parameter;
};
template <class R, class A, class... Rest>
struct first_param_exact<R (*)(A, Rest...)> {
  using type = A;
};
template <class R, class C, class A, class... Rest>
struct first_param_exact<R (C::*)(A, Rest...)> {
  using type = A;
};
template <class R, class C, class A, class... Rest>
struct first_param_exact<R (C::*)(A, Rest...) const> {
  using type = A;
};
template <class R, class C, class A, class... Rest>
struct first_param_exact<R (C::*)(A, Rest...) noexcept> {
  using type = A;
};
template <class R, class C, class A, class... Rest>
struct first_param_exact<R (C::*)(A, Rest...) const noexcept> {
  using type = A;
};
template <class F>
struct first_param_exact<F, std::void_t<decltype(&F::operator())>> : first_param_exact<decltype(&F::operator())> {};

/// True when F's (non-template) parameter is a non-const lvalue reference: it cannot bind the
/// record the operator hands over (an rvalue, or a const T&).
template <class F>
inline constexpr bool takes_mutable_reference = [] {
  using A = typename first_param_exact<std::remove_cvref_t<F>>::type;
  return std::is_lvalue_reference_v<A> && !std::is_const_v<std::remove_reference_t<A>>;
}();

/// std::invoke_result_t, or void when F cannot be called with Args (for naming it in a diagnosis).
template <class F, class... Args>
struct invoke_result_or_void {
  using type = void;
};
template <class F, class... Args>
  requires std::is_invocable_v<F, Args...>
struct invoke_result_or_void<F, Args...> {
  using type = std::invoke_result_t<F, Args...>;
};
template <class F, class... Args>
using invoke_result_or_void_t = typename invoke_result_or_void<F, Args...>::type;

template <class Operator, class Callable, int Parameters>
struct operator_callable_must_take_one_parameter {
  static_assert(always_false<Operator>,
                "millrace: this operator's callable must take exactly one parameter, the record; it takes "
                "the number of parameters given as the 3rd template argument");
  using type = invalid_record;
};

template <class Operator, class Parameter>
struct operator_callable_takes_record_by_non_const_reference {
  static_assert(always_false<Operator>,
                "millrace: this operator's callable takes the record by non-const reference (the 2nd "
                "template argument); take it by value (T) to change and return it, or by const T& to "
                "read it");
  using type = invalid_record;
};

template <class Operator, class Returned>
struct predicate_must_return_bool {
  static_assert(always_false<Operator>,
                "millrace: mr::filter's predicate must return bool (or something convertible to bool); "
                "it returns the 2nd template argument");
  using type = invalid_record;
};

template <class Operator>
struct map_callable_returns_void {
  static_assert(always_false<Operator>,
                "millrace: mr::map's callable returns void, so the map has no output; use mr::inspect to "
                "look at records, or return the changed record");
  using type = invalid_record;
};

/// Why a row operator with callable F refuses In, when one of the diagnoses above says it better
/// than cannot_connect_operator; `type` is that diagnosis or void.
template <class Operator, class F, class In>
struct row_refusal {
  using type = void;
};
template <class Operator, class F, class In>
  requires(arity_v<F> >= 0 && arity_v<F> != 1)
struct row_refusal<Operator, F, In> {
  using type = operator_callable_must_take_one_parameter<Operator, F, arity_v<F>>;
};
template <class Operator, class F, class In>
  requires(arity_v<F> == 1 && takes_mutable_reference<F>)
struct row_refusal<Operator, F, In> {
  using type = operator_callable_takes_record_by_non_const_reference<Operator, typename first_param_exact<std::remove_cvref_t<F>>::type>;
};

template <class Operator>
struct cannot_connect_after_sink {
  static_assert(always_false<Operator>,
                "millrace: cannot connect an operator after a sink: a sink ends the pipeline.");
};

}  // namespace detail
}  // namespace millrace

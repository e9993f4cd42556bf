// millrace/core/row_ops.hpp — stateless per-record operators: map, filter, flat_map, inspect.
// Adjacent row operators are fused at compile time into one loop over a batch (fused.hpp).
//   auto clean = mr::map([](Doc d) { d.text = trim(d.text); return d; }, "trim")
//              | mr::filter([](const Doc& d) { return !d.text.empty(); }, "non_empty");
#pragma once

#include <functional>
#include <ranges>
#include <string>
#include <type_traits>
#include <utility>

#include <millrace/core/traits.hpp>

namespace millrace {
namespace detail {
struct row_op_tag {};
}  // namespace detail

/// map: U f(T). One output record per input record.
template <class F>
struct map_op : detail::row_op_tag {
  F fn;  ///< U fn(T), called on each record, possibly on several threads at once
  std::string name;
  static constexpr const char* kind = "map";
  static constexpr bool one_to_one = true;  ///< in == out: the fused loop need not count
  using expects = detail::first_param_t<F>;
  template <class In>
  static constexpr bool accepts = [] {
    if constexpr (std::is_invocable_v<const F&, In&&>)
      return !std::is_void_v<std::invoke_result_t<const F&, In&&>>;
    else
      return false;
  }();
  template <class In>
  using output = std::remove_cvref_t<std::invoke_result_t<const F&, In&&>>;
  template <class In>
  using refusal = typename std::conditional_t<std::is_invocable_v<const F&, In&&>,
                                              std::type_identity<detail::map_callable_returns_void<map_op>>,
                                              detail::row_refusal<map_op, F, In>>::type;

  /// The fused loop's step for one record: emit(fn(x)).
  template <class In, class Emit>
  void apply(In&& x, Emit&& emit) const {
    emit(std::invoke(fn, std::forward<In>(x)));
  }
};

/// filter: bool pred(const T&). Keeps the records for which pred holds.
template <class F>
struct filter_op : detail::row_op_tag {
  F fn;  ///< bool fn(const T&), called on each record, possibly on several threads at once
  std::string name;
  static constexpr const char* kind = "filter";
  static constexpr bool one_to_one = false;  ///< records may be dropped: the fused loop counts those leaving
  using expects = detail::first_param_t<F>;
  template <class In>
  static constexpr bool accepts = std::is_invocable_r_v<bool, const F&, const In&>;
  template <class In>
  using output = In;
  template <class In>
  using refusal = typename std::conditional_t<
      std::is_invocable_v<const F&, const In&>,
      std::type_identity<detail::predicate_must_return_bool<filter_op, detail::invoke_result_or_void_t<const F&, const In&>>>,
      detail::row_refusal<filter_op, F, In>>::type;

  /// The fused loop's step for one record: emit(x) when fn(x) holds.
  template <class In, class Emit>
  void apply(In&& x, Emit&& emit) const {
    if (std::invoke(fn, std::as_const(x))) emit(std::forward<In>(x));
  }
};

/// flat_map: Range<U> f(T). Zero or more output records per input record.
template <class F>
struct flat_map_op : detail::row_op_tag {
  F fn;  ///< Range<U> fn(T), called on each record, possibly on several threads at once
  std::string name;
  static constexpr const char* kind = "flat_map";
  static constexpr bool one_to_one = false;  ///< zero or more leave per record: the fused loop counts them
  using expects = detail::first_param_t<F>;
  template <class In>
  static constexpr bool accepts = [] {
    if constexpr (std::is_invocable_v<const F&, In&&>)
      return std::ranges::input_range<std::invoke_result_t<const F&, In&&>>;
    else
      return false;
  }();
  template <class In>
  using output = std::ranges::range_value_t<std::invoke_result_t<const F&, In&&>>;
  template <class In>
  using refusal = typename detail::row_refusal<flat_map_op, F, In>::type;

  /// The fused loop's step for one record: emit each element of fn(x), moved into an output<In>.
  template <class In, class Emit>
  void apply(In&& x, Emit&& emit) const {
    auto&& range = std::invoke(fn, std::forward<In>(x));
    for (auto&& y : range) emit(output<In>(std::move(y)));
  }
};

/// inspect: void f(const T&). Sees every record, passes it on unchanged.
template <class F>
struct inspect_op : detail::row_op_tag {
  F fn;  ///< void fn(const T&), called on each record, possibly on several threads at once
  std::string name;
  static constexpr const char* kind = "inspect";
  static constexpr bool one_to_one = true;  ///< every record passes on: the fused loop need not count
  using expects = detail::first_param_t<F>;
  template <class In>
  static constexpr bool accepts = std::is_invocable_v<const F&, const In&>;
  template <class In>
  using output = In;
  template <class In>
  using refusal = typename detail::row_refusal<inspect_op, F, In>::type;

  /// The fused loop's step for one record: fn(x), then emit(x) unchanged.
  template <class In, class Emit>
  void apply(In&& x, Emit&& emit) const {
    std::invoke(fn, std::as_const(x));
    emit(std::forward<In>(x));
  }
};

/// mr::map(f, "name"): U f(T) on every record, in parallel.
template <class F>
map_op<std::decay_t<F>> map(F&& f, std::string name = "map") {
  return {{}, std::forward<F>(f), std::move(name)};
}
/// mr::filter(pred, "name"): keeps records where bool pred(const T&) holds.
template <class F>
filter_op<std::decay_t<F>> filter(F&& f, std::string name = "filter") {
  return {{}, std::forward<F>(f), std::move(name)};
}
/// mr::flat_map(f, "name"): f(T) returns a range; each element becomes a record.
template <class F>
flat_map_op<std::decay_t<F>> flat_map(F&& f, std::string name = "flat_map") {
  return {{}, std::forward<F>(f), std::move(name)};
}
/// mr::inspect(f, "name"): calls void f(const T&) on every record and passes it on.
template <class F>
inspect_op<std::decay_t<F>> inspect(F&& f, std::string name = "inspect") {
  return {{}, std::forward<F>(f), std::move(name)};
}

/// A fusable per-record operator (map, filter, inspect, flat_map).
template <class T>
concept row_operator = std::is_base_of_v<detail::row_op_tag, std::remove_cvref_t<T>>;

}  // namespace millrace

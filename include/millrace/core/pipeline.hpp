// millrace/core/pipeline.hpp — composition with `|`: chains (fragments without a source) and
// pipelines (a source plus a chain). Types flow left to right and are checked as they connect;
// adjacent row operators are merged into one fused<> element at compile time.
//   auto clean = mr::map(normalize) | mr::filter(long_enough);     // a chain (fragment)
//   auto job   = mr::from_range(docs) | clean | mr::collect(out);   // a pipeline
#pragma once

#include <tuple>
#include <type_traits>
#include <utility>

#include <millrace/core/element.hpp>
#include <millrace/core/fused.hpp>
#include <millrace/core/row_ops.hpp>
#include <millrace/core/sources.hpp>

namespace millrace {

/// A sequence of elements without a source. Its input type is known once a source is attached.
template <class... Es>
struct chain : detail::element_tag {
  std::tuple<Es...> elems;  ///< the elements, left to right
  static constexpr const char* kind = "chain";
  using expects = generic_parameter;

  template <class In, std::size_t I = 0>
  struct out_from {
    using type = In;
  };
  template <class In, std::size_t I>
    requires(I < sizeof...(Es))
  struct out_from<In, I> {
    using type = typename out_from<detail::connect_t<In, std::tuple_element_t<I, std::tuple<Es...>>>, I + 1>::type;
  };
  template <class In>
  using output = typename out_from<In>::type;
  template <class In>
  static constexpr bool accepts = true;  ///< checked element by element

  template <class In, std::size_t I = 0>
  void lower(detail::plan& p, detail::stage_list& stages) const {
    if constexpr (I < sizeof...(Es)) {
      using E = std::tuple_element_t<I, std::tuple<Es...>>;
      // after a connection error (already reported) lower nothing, so one mistake gives one error
      if constexpr (!std::is_same_v<detail::connect_t<In, E>, detail::invalid_record>) {
        std::get<I>(elems).template lower<In>(p, stages);
        lower<detail::connect_t<In, E>, I + 1>(p, stages);
      }
    }
  }
};

namespace detail {
template <class T>
struct is_chain : std::false_type {};
template <class... Es>
struct is_chain<chain<Es...>> : std::true_type {};
}  // namespace detail

/// A module (PyTorch / DSPy style): any type whose forward() returns a chain of operators.
template <class M>
concept pipeline_module = !chain_element<M> && !row_operator<M> && !pipeline_source<M> && requires(const M& m) { m.forward(); };

/// What `|` accepts on either side: a row operator, a chain element or a pipeline module.
template <class T>
concept chainable = row_operator<T> || chain_element<T> || pipeline_module<std::remove_cvref_t<T>>;

/// A source followed by a chain. value_type is the type of the records that reach the end
/// (no_output when the pipeline ends with a sink).
template <class Src, class Chain>
struct pipeline {
  Src source;  ///< where the records come from
  Chain body;  ///< the elements the records pass through, left to right
  using value_type = typename Chain::template output<typename Src::value_type>;
  /// Whether nothing comes out of the end: the chain ends with a sink (or failed to connect, reported).
  static constexpr bool ends_with_sink =
      std::is_same_v<value_type, no_output> || std::is_same_v<value_type, detail::invalid_record>;
};

namespace detail {
template <class T>
struct is_pipeline : std::false_type {};
template <class S, class C>
struct is_pipeline<pipeline<S, C>> : std::true_type {};

template <class... Es>
chain<Es...> chain_from_tuple(std::tuple<Es...>&& t) {
  return chain<Es...>{{}, std::move(t)};
}

template <class T, std::size_t... I>
auto tuple_take(T&& t, std::index_sequence<I...>) {
  return std::make_tuple(std::get<I>(std::forward<T>(t))...);
}
template <class T, std::size_t... I>
auto tuple_drop_first(T&& t, std::index_sequence<I...>) {
  return std::make_tuple(std::get<I + 1>(std::forward<T>(t))...);
}

template <class... A, class... B>
fused<A..., B...> merge_fused(fused<A...> a, fused<B...> b) {
  return fused<A..., B...>{{}, std::tuple_cat(std::move(a.ops), std::move(b.ops))};
}

/// Concatenates two chains; a fused group at the seam is merged into one.
template <class... A, class... B>
auto concat(chain<A...> a, chain<B...> b) {
  constexpr std::size_t na = sizeof...(A), nb = sizeof...(B);
  if constexpr (na > 0 && nb > 0) {
    using last_a = std::tuple_element_t<na - 1, std::tuple<A...>>;
    using first_b = std::tuple_element_t<0, std::tuple<B...>>;
    if constexpr (is_fused<last_a>::value && is_fused<first_b>::value) {
      auto head = tuple_take(std::move(a.elems), std::make_index_sequence<na - 1>{});
      auto tail = tuple_drop_first(std::move(b.elems), std::make_index_sequence<nb - 1>{});
      auto seam = merge_fused(std::get<na - 1>(std::move(a.elems)), std::get<0>(std::move(b.elems)));
      return chain_from_tuple(std::tuple_cat(std::move(head), std::make_tuple(std::move(seam)), std::move(tail)));
    } else {
      return chain_from_tuple(std::tuple_cat(std::move(a.elems), std::move(b.elems)));
    }
  } else {
    return chain_from_tuple(std::tuple_cat(std::move(a.elems), std::move(b.elems)));
  }
}

/// Anything chainable as a chain: a row operator becomes fused<op>, a module its forward().
template <class T>
auto to_chain(T&& x) {
  using U = std::remove_cvref_t<T>;
  if constexpr (is_chain<U>::value) {
    return U(std::forward<T>(x));
  } else if constexpr (row_operator<U>) {
    return chain<fused<U>>{{}, std::make_tuple(fused<U>{{}, std::make_tuple(std::forward<T>(x))})};
  } else if constexpr (chain_element<U>) {
    return chain<U>{{}, std::make_tuple(std::forward<T>(x))};
  } else {
    static_assert(pipeline_module<U>);
    return to_chain(x.forward());
  }
}

template <class S, class C>
auto make_pipeline(S&& s, C&& c) {
  using P = pipeline<std::remove_cvref_t<S>, std::remove_cvref_t<C>>;
  using checked [[maybe_unused]] = typename P::value_type;  // instantiates the type checks now
  return P{std::forward<S>(s), std::forward<C>(c)};
}
}  // namespace detail

/// source | chainable -> pipeline
template <class S, class B>
  requires pipeline_source<S> && chainable<B>
auto operator|(S&& s, B&& b) {
  return detail::make_pipeline(std::forward<S>(s), detail::to_chain(std::forward<B>(b)));
}

/// pipeline | chainable -> pipeline
template <class P, class B>
  requires detail::is_pipeline<std::remove_cvref_t<P>>::value && chainable<B>
auto operator|(P&& p, B&& b) {
  auto src = std::forward<P>(p).source;
  return detail::make_pipeline(std::move(src),
                               detail::concat(std::forward<P>(p).body, detail::to_chain(std::forward<B>(b))));
}

/// chainable | chainable -> chain (a fragment)
template <class A, class B>
  requires chainable<A> && chainable<B>
auto operator|(A&& a, B&& b) {
  return detail::concat(detail::to_chain(std::forward<A>(a)), detail::to_chain(std::forward<B>(b)));
}

}  // namespace millrace

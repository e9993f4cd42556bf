// millrace/core/fused.hpp — adjacent row operators fused into one stage.
// fused<map, filter, map> runs one tight loop over the batch: each record goes through all three
// operators before the next record is touched, with no intermediate vector and no per-record hop.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <millrace/detail/config.hpp>
#include <millrace/core/detail/record_origin.hpp>
#include <millrace/core/element.hpp>
#include <millrace/core/error.hpp>
#include <millrace/core/row_ops.hpp>

namespace millrace::detail {

template <class In, class... Rs>
struct fused_output {
  using type = In;
};
template <class In, class R, class... Rs>
struct fused_output<In, R, Rs...> {
  using type = typename fused_output<connect_t<In, R>, Rs...>::type;
};

/// Adds operator `name` to a fused stage: its counters in the plan, its name to the stage's.
void add_fused_op(plan& p, runtime_stage& st, const std::string& name, const char* kind);
/// Adds one batch's counts to the fused operators' counters: count[i] records entered operator i
/// (count[n] left the stage); after a one-to-one operator the count is derived, not counted.
void add_fused_counts(op_stats* const* stats, std::uint64_t* count, const bool* one_to_one, std::size_t n);

template <class... Rs>
struct fused : element_tag {
  std::tuple<Rs...> ops;
  static constexpr std::size_t size = sizeof...(Rs);
  // fused<> is checked operator by operator through connect<> (see the specialization below).
  template <class In>
  using output = typename fused_output<In, Rs...>::type;

  template <class In>
  void lower(plan& p, stage_list& stages) const {
    using Out = output<In>;
    runtime_stage st;
    st.mode = stage_mode::parallel;
    std::apply([&](const auto&... op) { (add_fused_op(p, st, op.name, op.kind), ...); }, ops);
    std::array<op_stats*, size> stats{};
    for (std::size_t i = 0; i < size; ++i) stats[i] = &p.ops[st.ops[i]];
    st.process = [ops = ops, stats, names = p.input_names](any_batch&& b) -> any_batch {
      const std::uint64_t first = b.first_ordinal();
      std::vector<In> in = b.take<In>();
      std::vector<Out> out;
      out.reserve(in.size());
      // count[i] = records entering operator i (count[size] = leaving the stage); only counted
      // after operators that can change the number of records, derived for the others
      std::array<std::uint64_t, size + 1> count{};
      std::size_t at = 0;
      try {
        for (; at < in.size(); ++at) push<0>(ops, std::move(in[at]), out, count);
      } catch (...) {  // the failing record is in[at]: its origin is looked up only now
        rethrow_with_origin(origin_of(in[at], first, at, names.get()));
      }
      count[0] = in.size();
      add_fused_counts(stats.data(), count.data(), one_to_one.data(), size);
      any_batch result(std::move(out));
      if constexpr ((Rs::one_to_one && ...)) result.set_first_ordinal(first);  // still one record for each
      return result;
    };
    stages.push_back(std::move(st));
  }

 private:
  static constexpr std::array<bool, size> one_to_one{Rs::one_to_one...};

  template <std::size_t I, class X, class Out>
  static void push(const std::tuple<Rs...>& ops, X&& x, std::vector<Out>& out,
                   std::array<std::uint64_t, size + 1>& count) {
    if constexpr (I > 0) {
      if constexpr (!std::tuple_element_t<I - 1, std::tuple<Rs...>>::one_to_one) ++count[I];
    }
    if constexpr (I == size) {
      out.push_back(std::forward<X>(x));
    } else {
      const auto& op = std::get<I>(ops);
      try {
        op.apply(std::forward<X>(x),
                 [&](auto&& y) { push<I + 1>(ops, std::forward<decltype(y)>(y), out, count); });
      } catch (...) {
        rethrow_as_operator_error(op.name);
      }
    }
  }
};

// The connection check of a fused group goes operator by operator, so the error names the
// operator that does not fit.
template <class In, class... Rs>
struct connect<In, fused<Rs...>> {
  using type = typename fused_output<In, Rs...>::type;
};
template <class... Rs>
struct connect<no_output, fused<Rs...>> {
  static constexpr cannot_connect_after_sink<fused<Rs...>> error{};
  using type = invalid_record;
};
template <class... Rs>
struct connect<invalid_record, fused<Rs...>> {
  using type = invalid_record;
};

template <class T>
struct is_fused : std::false_type {};
template <class... Rs>
struct is_fused<fused<Rs...>> : std::true_type {};

}  // namespace millrace::detail

#if MILLRACE_HEADER_ONLY
#include <millrace/core/detail/fused_impl.hpp>
#endif

// millrace/core/sinks.hpp — where records end: a callback per record, or a container.
//   std::vector<Doc> kept;  mr::run(source | clean | mr::collect(kept));
//   mr::run(source | mr::sink([&](Doc d) { out << d.text << '\n'; }));
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <millrace/core/detail/record_origin.hpp>
#include <millrace/core/element.hpp>
#include <millrace/core/error.hpp>
#include <millrace/core/stage_ops.hpp>

namespace millrace {

/// sink: void f(T&&) on every record, one record at a time, in input order (f may keep state).
template <class F>
struct sink_op : detail::element_tag {
  /// void fn(T&&): copied when the pipeline is lowered; that copy is called serially, in input order.
  F fn;
  std::string name;
  static constexpr const char* kind = "sink";
  using expects = detail::first_param_t<F>;
  template <class In>
  static constexpr bool accepts = std::is_invocable_v<F&, In&&>;
  template <class In>
  using output = no_output;

  template <class In>
  void lower(detail::plan& p, detail::stage_list& stages) const {
    detail::runtime_stage st;
    st.name = name;
    st.mode = detail::stage_mode::serial;
    st.is_sink = true;
    st.ops.push_back(p.add_op(name, kind));
    auto* stats = &p.ops[st.ops[0]];
    st.process = [f = std::make_shared<F>(fn), stats, name = name, names = p.input_names](detail::any_batch&& b) -> detail::any_batch {
      const std::uint64_t first = b.first_ordinal();
      std::vector<In> in = b.take<In>();
      std::size_t at = 0;
      try {
        for (; at < in.size(); ++at) std::invoke(*f, std::move(in[at]));
      } catch (...) {
        detail::rethrow_as_operator_error(name, detail::origin_of(in[at], first, at, names.get()));
      }
      detail::count_batch(*stats, in.size(), 0);
      return {};
    };
    stages.push_back(std::move(st));
  }
};

/// mr::sink(f, "name"): calls f(T&&) for every record, serially, in input order.
template <class F>
sink_op<std::decay_t<F>> sink(F&& f, std::string name = "sink") {
  return {{}, std::forward<F>(f), std::move(name)};
}

/// mr::collect(vec): appends every record to vec, in input order. vec must outlive the run.
template <class T, class A>
auto collect(std::vector<T, A>& out, std::string name = "collect") {
  return sink([v = &out](T&& x) { v->push_back(std::move(x)); }, std::move(name));
}

/// mr::reduce_into(result, op): folds every record into result, in input order:
/// result = op(std::move(result), record). A sink, so it also works inside a branch of
/// mr::broadcast / mr::route, where a barrier such as ops::tree_reduce cannot run. result must
/// outlive the run.
///   long total = 0;  ... | mr::broadcast(mr::reduce_into(total, [](long t, const Doc& d) { return t + d.size; }), ...)
template <class T, class Op>
auto reduce_into(T& result, Op op, std::string name = "reduce_into") {
  using Record = detail::second_param_t<Op>;
  static_assert(!std::is_same_v<Record, generic_parameter>,
                "millrace: mr::reduce_into's operation must take (T accumulated, const Record&) with a named "
                "Record type (not auto)");
  return sink([r = &result, op = std::move(op)](Record&& x) { *r = op(std::move(*r), std::as_const(x)); }, std::move(name));
}

}  // namespace millrace

// millrace/core/sources.hpp — where records come from: a range, a generator, or any object with
// fill(std::vector<T>&, max). File readers (io/) are sources too.
//   auto p = mr::from_range(std::vector<int>{1, 2, 3}) | mr::map([](int x) { return x * 2; });
//   auto q = mr::generate([i = 0]() mutable -> std::optional<int> { if (i == 10) return {}; return i++; });
#pragma once

#include <concepts>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <millrace/core/error.hpp>
#include <millrace/core/plan.hpp>
#include <millrace/core/stage_ops.hpp>

namespace millrace {

/// What mr::source() accepts: value_type and fill(out, max) -> bool (false once exhausted).
template <class S>
concept source_object = requires(S& s, std::vector<typename S::value_type>& out, std::size_t max) {
  typename S::value_type;
  { s.fill(out, max) } -> std::convertible_to<bool>;
};

namespace detail {
struct source_tag {};
// A source that reads files names them by input index (the file of a record an operator failed on).
template <class S>
concept has_input_names = requires(const S& s, std::uint64_t input) {
  { s.input_name(input) } -> std::convertible_to<std::string_view>;
};
}  // namespace detail

/// A source element wrapping a source object (from_range, generate, readers); the head of a pipeline.
template <class Obj>
struct source_op : detail::source_tag {
  /// The source object, copied for each run when lowered; a std::reference_wrapper makes runs use
  /// (and leave their state in) the caller's object, which must then outlive them.
  Obj obj;
  std::string name;  ///< the operator's name in the run report and in errors
  using object = typename detail::unwrap_ref<Obj>::type;
  static_assert(source_object<object>,
                "millrace: a source needs `using value_type = T;` and `bool fill(std::vector<T>& out, "
                "std::size_t max)` (append up to max records, return false once exhausted)");
  using value_type = typename object::value_type;

  /// Makes the run's source: fills batches from the (copied or referenced) object, counts records
  /// out, names the operator in errors, and passes on rejected_count() and input_name() when it has them.
  detail::runtime_source lower_source(detail::plan& p) const {
    detail::runtime_source s;
    s.name = name;
    s.op = p.add_op(name, "source");
    auto* stats = &p.ops[s.op];
    std::shared_ptr<object> o = detail::unwrap_ref<Obj>::hold(obj);
    s.fill = [o, stats, name = name](detail::any_batch& b, std::size_t max) -> bool {
      auto& out = b.get<value_type>();
      const std::size_t before = out.size();
      try {
        const bool more = o->fill(out, max);
        stats->out.fetch_add(out.size() - before, std::memory_order_relaxed);
        return more;
      } catch (...) {
        detail::rethrow_as_operator_error(name);
      }
    };
    if constexpr (detail::has_rejected_count<object>) s.rejected = [o] { return std::uint64_t(o->rejected_count()); };
    if constexpr (detail::has_input_names<object>)
      p.input_names = std::make_shared<const detail::input_namer>([o](std::uint64_t input) { return std::string(o->input_name(input)); });
    return s;
  }
};

/// True for a source element (the first element of a runnable pipeline).
template <class T>
concept pipeline_source = std::is_base_of_v<detail::source_tag, std::remove_cvref_t<T>>;

/// mr::source(obj, "name"): a custom source object (see source_object).
template <class Obj>
source_op<std::decay_t<Obj>> source(Obj&& obj, std::string name = "source") {
  return {{}, std::forward<Obj>(obj), std::move(name)};
}

namespace detail {
template <class T>
struct vector_range_source {
  using value_type = T;
  std::shared_ptr<const std::vector<T>> data;
  std::size_t pos = 0;
  bool fill(std::vector<T>& out, std::size_t max) {
    const std::size_t n = std::min(max, data->size() - pos);
    out.insert(out.end(), data->begin() + static_cast<std::ptrdiff_t>(pos),
               data->begin() + static_cast<std::ptrdiff_t>(pos + n));
    pos += n;
    return pos < data->size();
  }
};

template <class F>
struct generator_source {
  using value_type = typename std::invoke_result_t<F&>::value_type;
  F fn;
  bool fill(std::vector<value_type>& out, std::size_t max) {
    for (std::size_t i = 0; i < max; ++i) {
      auto v = fn();
      if (!v) return false;
      out.push_back(std::move(*v));
    }
    return true;
  }
};
}  // namespace detail

/// mr::from_range(r): the elements of r (copied into the pipeline; r may be a temporary).
template <std::ranges::input_range R>
auto from_range(R&& r, std::string name = "range") {
  using T = std::ranges::range_value_t<R>;
  auto data = std::make_shared<std::vector<T>>();
  if constexpr (std::ranges::sized_range<R>) data->reserve(std::ranges::size(r));
  for (auto&& x : r) {
    if constexpr (std::is_rvalue_reference_v<R&&> && !std::is_const_v<std::remove_reference_t<decltype(x)>>)
      data->push_back(std::move(x));
    else
      data->push_back(x);
  }
  return source(detail::vector_range_source<T>{std::move(data)}, std::move(name));
}

/// mr::generate(f): std::optional<T> f() called until it returns std::nullopt.
template <class F>
  requires requires(F& f) { *f(); bool(f()); }
auto generate(F&& f, std::string name = "generate") {
  return source(detail::generator_source<std::decay_t<F>>{std::forward<F>(f)}, std::move(name));
}

}  // namespace millrace

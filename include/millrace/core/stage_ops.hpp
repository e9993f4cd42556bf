// millrace/core/stage_ops.hpp — operators that see whole batches: batch_map (stateless, parallel),
// stage (stateful, in input order; with finish() it is a barrier) and async_stage (completes off
// the TBB workers, e.g. on a GPU stream).
//   struct count_words { std::size_t n = 0;
//     std::vector<Doc> process(std::vector<Doc>&& b) { for (auto& d : b) n += words(d); return b; } };
//   auto p = source | mr::stage(count_words{}, "count");
#pragma once

#include <concepts>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <millrace/core/detail/stage_body.hpp>
#include <millrace/core/element.hpp>
#include <millrace/core/error.hpp>

namespace millrace {
namespace detail {

template <class T>
struct unwrap_ref {
  using type = T;
  static std::shared_ptr<T> hold(const T& v) { return std::make_shared<T>(v); }
};
template <class T>
struct unwrap_ref<std::reference_wrapper<T>> {
  using type = T;
  // The user keeps ownership (mr::stage(std::ref(obj))) and can read the state after the run.
  static std::shared_ptr<T> hold(std::reference_wrapper<T> r) { return std::shared_ptr<T>(&r.get(), [](T*) {}); }
};

inline void count_batch(op_stats& s, std::size_t in, std::size_t out) {
  s.in.fetch_add(in, std::memory_order_relaxed);
  s.out.fetch_add(out, std::memory_order_relaxed);
}

template <class T>
struct vector_source_body final : source_body {
  std::shared_ptr<std::vector<T>> data;
  std::size_t pos = 0;
  explicit vector_source_body(std::shared_ptr<std::vector<T>> d) : data(std::move(d)) {}
  bool fill(any_batch& b, std::size_t max) override {
    auto& out = b.get<T>();
    const std::size_t n = std::min(max, data->size() - pos);
    out.insert(out.end(), std::make_move_iterator(data->begin() + static_cast<std::ptrdiff_t>(pos)),
               std::make_move_iterator(data->begin() + static_cast<std::ptrdiff_t>(pos + n)));
    pos += n;
    if (pos == data->size()) {
      data->clear();
      data->shrink_to_fit();
      return false;
    }
    return true;
  }
};

/// A source that hands out the records of one vector in slices (used after barriers).
template <class T>
runtime_source vector_source(std::string name, std::size_t op, std::shared_ptr<std::vector<T>> data) {
  return make_source(std::move(name), op, std::make_shared<vector_source_body<T>>(std::move(data)), nullptr);
}

template <class U>
concept has_rejected_count = requires(const U& u) {
  { u.rejected_count() } -> std::convertible_to<std::uint64_t>;
};

// A stage object's own counters (named, in its order), reported with its operator.
template <class U>
concept has_counters = requires(const U& u) {
  { u.counters() } -> std::convertible_to<std::vector<std::pair<std::string, std::uint64_t>>>;
};

// The typed parts of batch_map_op and stage_op (see core/detail/stage_body.hpp).
template <class F, class In, class Out>
struct batch_map_body final : stage_body {
  F fn;
  explicit batch_map_body(const F& f) : fn(f) {}
  any_batch process(any_batch&& b) override {
    std::vector<Out> out = std::invoke(std::as_const(fn), b.take<In>());
    return any_batch(std::move(out));
  }
};

template <class Object, class In, class Out, bool IsSink>
struct stage_op_body final : stage_body {
  std::shared_ptr<Object> o;
  explicit stage_op_body(std::shared_ptr<Object> obj) : o(std::move(obj)) {}
  any_batch process(any_batch&& b) override {
    if constexpr (IsSink) {
      o->process(b.take<In>());
      return {};
    } else {
      std::vector<Out> out = o->process(b.take<In>());
      return any_batch(std::move(out));
    }
  }
  std::uint64_t rejected() const override {
    if constexpr (has_rejected_count<Object>) return std::uint64_t(o->rejected_count());
    else return 0;
  }
  std::vector<std::pair<std::string, std::uint64_t>> counters() const override {
    if constexpr (has_counters<Object>) return o->counters();
    else return {};
  }
  void commit() override {
    if constexpr (requires(Object& x) { x.commit(); }) o->commit();
  }
  void finish() override {
    if constexpr (IsSink && requires(Object& x) { x.finish(); }) o->finish();
  }
  runtime_source finish_as_source(std::string name, std::size_t op, op_stats& stats) override {
    if constexpr (!IsSink && requires(Object& x) { x.finish(); }) {
      auto data = std::make_shared<std::vector<Out>>(o->finish());
      stats.out.fetch_add(data->size(), std::memory_order_relaxed);
      return vector_source<Out>(std::move(name), op, std::move(data));
    } else {
      return stage_body::finish_as_source(std::move(name), op, stats);
    }
  }
};

}  // namespace detail

// ---------------------------------------------------------------------------------------------
/// batch_map: std::vector<U> f(std::vector<T>&&). Stateless; different batches run in parallel.
template <class F>
struct batch_map_op : detail::element_tag {
  /// std::vector<U> fn(std::vector<T>&&): copied when lowered; the copy may run several batches at once.
  F fn;
  std::string name;
  static constexpr const char* kind = "batch_map";
  using expects = typename detail::vector_value<detail::first_param_t<F>>::type;
  template <class In>
  static constexpr bool accepts = std::is_invocable_v<const F&, std::vector<In>&&>;
  template <class In>
  using output = typename detail::vector_value<std::remove_cvref_t<std::invoke_result_t<const F&, std::vector<In>&&>>>::type;

  template <class In>
  void lower(detail::plan& p, detail::stage_list& stages) const {
    using Out = output<In>;
    static_assert(!std::is_same_v<Out, generic_parameter>,
                  "millrace: mr::batch_map's callable must return a std::vector of records");
    detail::runtime_stage st;
    st.name = name;
    st.mode = detail::stage_mode::parallel;
    st.ops.push_back(p.add_op(name, kind));
    detail::wire_stage(st, std::make_shared<detail::batch_map_body<F, In, Out>>(fn), &p.ops[st.ops[0]], 0);
    stages.push_back(std::move(st));
  }
};

/// mr::batch_map(f, "name"): std::vector<U> f(std::vector<T>&&), in parallel over batches.
template <class F>
batch_map_op<std::decay_t<F>> batch_map(F&& f, std::string name = "batch_map") {
  return {{}, std::forward<F>(f), std::move(name)};
}

// ---------------------------------------------------------------------------------------------
/// stage: a user object with process(std::vector<T>&&) -> std::vector<U> (or void for a sink),
/// called one batch at a time in input order; optional finish() (a barrier), `static constexpr
/// bool parallel`, rejected_count(), counters() (named counts for the run report), and commit(): called once when the stream ended without error,
/// after the stage's last batch and before the sinks after it finish (a side output made durable,
/// e.g. a rejects file); on failure it is not called and the object's destructor cleans up.
template <class Obj>
struct stage_op : detail::element_tag {
  /// The stage object, copied for each run when lowered; a std::reference_wrapper makes runs use (and
  /// leave their state in) the caller's object (see mr::stage for the state rule).
  Obj obj;
  std::string name;
  using object = typename detail::unwrap_ref<Obj>::type;
  static_assert(requires { &object::process; },
                "millrace: mr::stage needs an object with a (non-template, non-overloaded) member "
                "process(std::vector<T>&&)");
  using process_fn = detail::member_fn<decltype(&object::process)>;
  static_assert(std::tuple_size_v<typename process_fn::args> == 1,
                "millrace: mr::stage's process() takes exactly one argument: the batch");
  using expects = typename detail::vector_value<std::remove_cvref_t<std::tuple_element_t<0, typename process_fn::args>>>::type;
  using result = typename process_fn::ret;
  static constexpr bool is_sink = std::is_void_v<result>;
  static constexpr bool is_parallel = [] {
    if constexpr (requires { object::parallel; }) return bool(object::parallel);
    else return false;
  }();
  static constexpr bool has_finish = requires(object& o) { o.finish(); };
  static constexpr const char* kind = is_sink ? "sink" : (has_finish ? "barrier" : "stage");
  static constexpr bool is_barrier = has_finish && !is_sink;  ///< not allowed in a branch (graph.hpp)

  template <class In>
  static constexpr bool accepts = std::is_same_v<In, expects>;
  template <class In>
  using output = std::conditional_t<is_sink, no_output, typename detail::vector_value<std::remove_cvref_t<result>>::type>;
  /// The object's own diagnosis of a refused input type, when it has one (`template <class In>
  /// using refusal = ...;` naming a struct whose static_assert explains, see core/traits.hpp).
  template <class In>
  using refusal = typename detail::refusal_of<In, object>::type;

  template <class In>
  void lower(detail::plan& p, detail::stage_list& stages) const {
    using Out = output<In>;
    detail::runtime_stage st;
    st.name = name;
    st.mode = is_parallel ? detail::stage_mode::parallel : detail::stage_mode::serial;
    st.is_sink = is_sink;
    st.ops.push_back(p.add_op(name, kind));
    unsigned hooks = 0;
    if constexpr (detail::has_rejected_count<object>) hooks |= detail::hook_rejected;
    if constexpr (detail::has_counters<object>) hooks |= detail::hook_counters;
    if constexpr (requires(object& x) { x.commit(); }) hooks |= detail::hook_commit;
    if constexpr (has_finish) hooks |= is_sink ? detail::hook_finish_sink : detail::hook_finish_source;
    detail::wire_stage(st, std::make_shared<detail::stage_op_body<object, In, Out, is_sink>>(detail::unwrap_ref<Obj>::hold(obj)),
                       &p.ops[st.ops[0]], hooks);
    stages.push_back(std::move(st));
  }
};

/// mr::stage(obj, "name"): a stateful batch operator (see stage_op). Pass std::ref(obj) to keep
/// the object (and read its state after the run); otherwise the run works on a copy.
/// The state rule: a stage object is the configuration plus the state of one run, held by value
/// (no state shared between copies). Each run() lowers a fresh copy of the object as built, so
/// the same pipeline run twice gives the same result twice; with std::ref(obj) the run works on
/// the caller's object, whose state stays readable afterwards (and a second run continues it).
/// Outputs the caller hands in (mr::collect's vector, a tally) are not state: runs add to them.
template <class Obj>
stage_op<std::decay_t<Obj>> stage(Obj&& obj, std::string name = "stage") {
  return {{}, std::forward<Obj>(obj), std::move(name)};
}

// ---------------------------------------------------------------------------------------------
/// Handed to an async stage's submit(); call exactly one of done() or fail(), from any thread.
template <class Out>
class completion {
 public:
  explicit completion(detail::async_callbacks cb) : cb_(std::move(cb)) {}
  /// Hands on the batch's output records; the batch is complete.
  void done(std::vector<Out> out) const { cb_.done(detail::any_batch(std::move(out))); }
  /// Fails the batch, and with it the run, with e (rethrown as an error naming the operator).
  void fail(std::exception_ptr e) const { cb_.fail(std::move(e)); }
  /// True once the run failed elsewhere: in-flight work may stop and fail() early.
  bool cancelled() const { return cb_.cancelled && cb_.cancelled(); }

 private:
  detail::async_callbacks cb_;
};

/// async_stage: an object with void submit(std::vector<T>&&, mr::completion<U>) that finishes
/// each batch later on another thread (a GPU stream callback, an I/O completion). No TBB worker
/// waits for it. Declare the output type as `using output_type = U;`. Optional, read for the run
/// report after the run: rejected_count() and counters() (as for stage).
template <class Obj>
struct async_op : detail::element_tag {
  /// The async object, copied for each run when lowered; a std::reference_wrapper makes runs use the
  /// caller's object, which must outlive them.
  Obj obj;
  std::string name;
  using object = typename detail::unwrap_ref<Obj>::type;
  using submit_fn = detail::member_fn<decltype(&object::submit)>;
  using expects = typename detail::vector_value<std::remove_cvref_t<std::tuple_element_t<0, typename submit_fn::args>>>::type;
  using out_type = typename object::output_type;
  static constexpr const char* kind = "async";
  template <class In>
  static constexpr bool accepts = std::is_same_v<In, expects>;
  template <class In>
  using output = out_type;

  template <class In>
  void lower(detail::plan& p, detail::stage_list& stages) const {
    detail::runtime_stage st;
    st.name = name;
    st.mode = detail::stage_mode::async;
    st.ops.push_back(p.add_op(name, kind));
    auto* stats = &p.ops[st.ops[0]];
    std::shared_ptr<object> o = detail::unwrap_ref<Obj>::hold(obj);
    st.submit = [o, stats, name = name](detail::any_batch&& b, detail::async_callbacks cb) {
      std::vector<In> in = b.take<In>();
      stats->in.fetch_add(in.size(), std::memory_order_relaxed);
      detail::async_callbacks wrapped{
          [stats, done = cb.done](detail::any_batch out) {
            stats->out.fetch_add(out.size(), std::memory_order_relaxed);
            done(std::move(out));
          },
          [name, fail = cb.fail](std::exception_ptr e) {
            try {
              std::rethrow_exception(e);
            } catch (...) {
              try {
                detail::rethrow_as_operator_error(name);
              } catch (...) {
                fail(std::current_exception());
              }
            }
          },
          cb.cancelled};
      try {
        o->submit(std::move(in), completion<out_type>(wrapped));
      } catch (...) {
        detail::rethrow_as_operator_error(name);
      }
    };
    if constexpr (detail::has_rejected_count<object>) st.rejected = [o] { return std::uint64_t(o->rejected_count()); };
    if constexpr (detail::has_counters<object>) st.counters = [o] { return o->counters(); };
    stages.push_back(std::move(st));
  }
};

/// mr::async_stage(obj, "name"): see async_op.
template <class Obj>
async_op<std::decay_t<Obj>> async_stage(Obj&& obj, std::string name = "async") {
  return {{}, std::forward<Obj>(obj), std::move(name)};
}

}  // namespace millrace

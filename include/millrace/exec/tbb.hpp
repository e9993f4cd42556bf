// millrace/exec/tbb.hpp — the oneTBB executor. A linear segment lowers to
// tbb::parallel_pipeline (bounded tokens, serial_in_order stages); a segment with branches or
// asynchronous stages lowers to tbb::flow::graph with a limiter_node bounding the batches in
// flight and sequencer_nodes restoring input order before serial stages. No lossy policy is used:
// every node queues, and the limiter sits right after the (buffering) input_node.
// Its parallel backend (tbb_backend) runs parallel_for/parallel_sort chunks in the run's
// task_arena, so stages use exactly cpu::threads threads.
// This header declares; exec/detail/tbb_impl.hpp defines (and is the only file that includes
// oneTBB): under separate compilation (millrace::compiled) a user's translation unit never
// parses oneTBB's flow graph.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <millrace/core/parallel.hpp>
#include <millrace/detail/config.hpp>
#include <millrace/exec/driver.hpp>
#include <millrace/exec/executor.hpp>
#include <millrace/exec/options.hpp>

namespace millrace {

/// The oneTBB parallel backend: a task_arena of `threads` threads. Chunks run in that arena (from
/// whichever thread asks), each with this backend current on its thread, so a stage's nested
/// parallel_for sees the same backend on every worker and no thread keeps it after its chunk.
class tbb_backend final : public parallel_backend {
 public:
  explicit tbb_backend(std::size_t threads);
  ~tbb_backend() override;
  tbb_backend(const tbb_backend&) = delete;
  tbb_backend& operator=(const tbb_backend&) = delete;

  /// The arena's thread count (the constructor's `threads`, 1 when that was 0).
  std::size_t concurrency() const noexcept override { return threads_; }
  /// tbb::parallel_for over [0, n) in blocked ranges of `grain` (0 counts as 1), run in the arena
  /// with this backend current in each chunk; returns when all are done, rethrowing a chunk's exception.
  void for_chunks(std::size_t n, std::size_t grain, chunk_body body) const override;

  /// Runs f() inside the arena with this backend current; returns its result.
  template <class F>
  decltype(auto) enter(F&& f) const {
    using R = std::invoke_result_t<F&&>;
    if constexpr (std::is_void_v<R>) {
      auto call = [&] { std::forward<F>(f)(); };
      enter_erased(&invoke_erased<decltype(call)>, &call);
    } else if constexpr (std::is_reference_v<R>) {
      std::remove_reference_t<R>* result = nullptr;
      auto call = [&] { result = &std::forward<F>(f)(); };
      enter_erased(&invoke_erased<decltype(call)>, &call);
      return static_cast<R>(*result);
    } else {
      std::optional<R> result;
      auto call = [&] { result.emplace(std::forward<F>(f)()); };
      enter_erased(&invoke_erased<decltype(call)>, &call);
      return R(std::move(*result));
    }
  }

 private:
  struct arena;  // a tbb::task_arena (exec/detail/tbb_impl.hpp)
  template <class G>
  static void invoke_erased(void* g) {
    (*static_cast<G*>(g))();
  }
  // f(obj) in the arena with this backend current; the one place a call crosses into oneTBB.
  void enter_erased(void (*f)(void*), void* obj) const;

  std::size_t threads_;
  std::unique_ptr<arena> arena_;
};

/// cpu as an executor: the plan on oneTBB in a task_arena of cpu::threads threads (all cores
/// when 0), that arena also running every parallel_for and parallel_sort of its stages.
template <>
struct executor_traits<cpu> {
  /// "tbb", in the run report.
  static std::string name(const cpu&) { return "tbb"; }
  /// cpu::threads, or oneTBB's default concurrency (all cores) when that is 0.
  static std::size_t concurrency(const cpu& ex);
  /// Runs the plan segment by segment in a fresh arena: a linear segment on tbb::parallel_pipeline,
  /// one with branches or async stages on a flow graph, with max_in_flight (0: 4 x threads) batches
  /// in flight.
  static void execute(const cpu& options, detail::plan& pl, detail::progress_tracker& tracker);
  /// f() run in a fresh arena of concurrency(ex) threads, that backend current.
  template <class F>
  static decltype(auto) with_backend(const cpu& ex, F&& f) {
    const tbb_backend backend(concurrency(ex));
    return backend.enter(std::forward<F>(f));
  }
};

}  // namespace millrace

#if MILLRACE_HEADER_ONLY
#include <millrace/exec/detail/tbb_impl.hpp>
#endif

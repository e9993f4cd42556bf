// millrace/core/plan.hpp — the lowered graph: what an executor runs.
// Composition (pipeline.hpp) is fully typed; lowering turns it into a list of stages whose
// bodies are typed loops over a batch (adjacent row operators fused into one loop) and whose
// boundaries are type-erased batches. Executors (serial, oneTBB, later CUDA / MPI) only see this.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <millrace/core/batch.hpp>
#include <millrace/detail/config.hpp>

namespace millrace::detail {

/// Counters of one user-visible operator; updated once per batch.
struct op_stats {
  std::string name;
  std::string kind;  // "source", "map", "filter", ..., "sink"
  std::atomic<std::uint64_t> in{0}, out{0}, rejected{0};
};

struct stage_stats {
  std::atomic<std::uint64_t> busy_ns{0};
};

enum class stage_mode { parallel, serial, async, branch };

struct runtime_stage;
using stage_list = std::vector<runtime_stage>;

/// Completion callbacks an asynchronous stage (GPU stream, remote call) invokes when done.
struct async_callbacks {
  std::function<void(any_batch)> done;
  std::function<void(std::exception_ptr)> fail;
  /// True once the run has failed elsewhere: work still in flight may stop early (empty: never).
  std::function<bool()> cancelled = {};
};

struct runtime_source {
  // Special members out of line (core/detail/plan_impl.hpp): compiled once in millrace::compiled
  // instead of optimised again in every unit that lowers a pipeline.
  runtime_source();
  runtime_source(runtime_source&&) noexcept;
  runtime_source& operator=(runtime_source&&) noexcept;
  runtime_source(const runtime_source&);
  runtime_source& operator=(const runtime_source&);
  ~runtime_source();

  std::string name;
  std::size_t op = 0;
  /// Appends up to max records to the batch; returns false once exhausted.
  std::function<bool(any_batch&, std::size_t max)> fill;
  std::function<std::uint64_t()> rejected;  // may be empty
};

struct runtime_stage {
  // (out of line, as runtime_source's)
  runtime_stage();
  runtime_stage(runtime_stage&&) noexcept;
  runtime_stage& operator=(runtime_stage&&) noexcept;
  runtime_stage(const runtime_stage&);
  runtime_stage& operator=(const runtime_stage&);
  ~runtime_stage();

  std::string name;          // "map+filter" for a fused stage
  stage_mode mode = stage_mode::parallel;
  std::vector<std::size_t> ops;  // indices into plan::ops
  std::shared_ptr<stage_stats> stats = std::make_shared<stage_stats>();
  bool is_sink = false;

  std::function<any_batch(any_batch&&)> process;                 // parallel / serial
  std::function<void(any_batch&&, async_callbacks)> submit;      // async
  std::function<runtime_source()> finish_as_source;              // barrier: set => segment ends here
  std::function<void()> finish_sink;                             // sinks: called once at the end
  std::function<void()> commit;                                  // side outputs: once, on success
  std::function<std::uint64_t()> rejected;                       // may be empty
  std::function<std::vector<std::pair<std::string, std::uint64_t>>()> counters;  // may be empty: reported per op

  // branch: split a batch into one batch per branch, run each branch's stages, merge in branch order
  std::vector<stage_list> branches;
  std::function<std::vector<any_batch>(any_batch&&)> split;
  std::function<any_batch(std::vector<any_batch>&&)> merge;
};

/// The name of input file `input` (an index in the reader's sorted input list), for naming the
/// file of a record an operator failed on; set by sources that read files (their input_name()).
using input_namer = std::function<std::string(std::uint64_t input)>;

struct plan {
  plan();
  plan(const plan&) = delete;
  plan& operator=(const plan&) = delete;
  ~plan();

  runtime_source source;
  stage_list stages;
  std::deque<op_stats> ops;  // deque: stable addresses
  std::shared_ptr<const input_namer> input_names;  // null: the source does not read files

  /// Adds the counters of a user-visible operator; returns its index in ops.
  std::size_t add_op(std::string name, std::string kind);
};

inline std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace millrace::detail

#if MILLRACE_HEADER_ONLY
#include <millrace/core/detail/plan_impl.hpp>
#endif

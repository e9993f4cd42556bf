// millrace/core/detail/stage_body.hpp — the typed part of a lowered stage, behind one interface.
// stage_op, batch_map_op and the vector source a barrier hands on differ per record type only in
// what they do with a batch; counting, naming an operator's error and filling the
// runtime_stage's std::function members is the same for all of them, so it is written once here
// (wire_stage, make_source) and, under separate compilation, compiled once into
// millrace::compiled. A stage type then adds a few virtual functions to the user's translation
// unit instead of one std::function handler (invoker, manager, copy, destroy) and one try/catch
// per hook (issue 16, compile time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <millrace/core/batch.hpp>
#include <millrace/core/plan.hpp>
#include <millrace/detail/config.hpp>

namespace millrace::detail {

/// What a stage does with a batch, and its optional hooks; wire_stage calls only the hooks named
/// in its `hooks` argument.
struct stage_body {
  virtual ~stage_body();  // out of line: under separate compilation the vtable is compiled once
  /// One batch in, its output out (an empty batch from a sink).
  virtual any_batch process(any_batch&& in) = 0;
  virtual std::uint64_t rejected() const { return 0; }
  virtual std::vector<std::pair<std::string, std::uint64_t>> counters() const { return {}; }
  virtual void commit() {}
  /// A sink's finish().
  virtual void finish() {}
  /// A barrier's finish(): its records as the source of the next segment (adds them to stats.out).
  virtual runtime_source finish_as_source(std::string name, std::size_t op, op_stats& stats);
};

/// The hooks of a stage_body that wire_stage connects (others stay empty std::functions).
enum stage_hook : unsigned {
  hook_rejected = 1u,
  hook_counters = 2u,
  hook_commit = 4u,
  hook_finish_sink = 8u,
  hook_finish_source = 16u,
};

/// Sets st.process (counts records in and out on `stats`, rethrows an exception as operator_error
/// naming st.name) and the hooks named in `hooks` to call `body`.
void wire_stage(runtime_stage& st, std::shared_ptr<stage_body> body, op_stats* stats, unsigned hooks);

/// A source's typed part: fill() appends up to max records to the batch; false once exhausted.
struct source_body {
  virtual ~source_body();
  virtual bool fill(any_batch& batch, std::size_t max) = 0;
};

/// A runtime_source calling `body`. With `stats`, records filled are added to stats->out and an
/// exception is rethrown as operator_error naming `name`; without, fill is called as it is.
runtime_source make_source(std::string name, std::size_t op, std::shared_ptr<source_body> body, op_stats* stats);

}  // namespace millrace::detail

#if MILLRACE_HEADER_ONLY
#include <millrace/core/detail/stage_body_impl.hpp>
#endif

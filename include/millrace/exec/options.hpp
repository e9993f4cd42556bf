// millrace/exec/options.hpp — how to run a pipeline: which executor, batch sizes, progress hook.
//   mr::run(p, mr::cpu{.threads = 2, .batch_size = 4096});
//   mr::run(p, mr::serial_executor{}, {.on_progress = [](const mr::progress& s) { ... }});
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>

namespace millrace {

/// The reference executor: one thread, stages in order, batch by batch.
struct serial_executor {
  std::size_t batch_size = 1024;  ///< records per batch the source fills (0 counts as 1)
};

/// The oneTBB executor (the default). Linear chains lower to tbb::parallel_pipeline, graphs with
/// branches or asynchronous stages to tbb::flow::graph.
struct cpu {
  std::size_t threads = 0;        ///< worker threads; 0 = all cores
  std::size_t batch_size = 1024;  ///< records per batch
  std::size_t max_in_flight = 0;  ///< batches alive at once (bounds memory); 0 = 4 x threads
  bool ordered = true;            ///< serial stages and sinks see batches in input order
};

/// Snapshot passed to the progress hook.
struct progress {
  std::uint64_t records_in = 0;   ///< records produced by the source so far
  std::uint64_t records_out = 0;  ///< records consumed by sinks so far
  std::chrono::duration<double> elapsed{};  ///< seconds since the run started (steady clock)
  bool finished = false;          ///< the last call of a run
  /// Source records per second so far: records_in / elapsed (0 while elapsed is 0).
  double rate() const { return elapsed.count() > 0 ? double(records_in) / elapsed.count() : 0.0; }
};

/// Options of mr::run: the progress callback and how often it is called.
struct run_options {
  /// Called from the source's thread at most every `progress_interval`, and once at the end.
  std::function<void(const progress&)> on_progress;
  /// The least time between two calls (the first comes an interval after the start); default 200 ms.
  std::chrono::milliseconds progress_interval{200};
};

}  // namespace millrace

// millrace/ops/operators.hpp — pipeline adaptors for the ops: a divide-and-conquer solver as a map
// (one problem per record) and a whole-stream reduction with the k-ary grouping of mapreduce (a
// barrier stage, O(k log n) memory).
//   auto p = mr::from_range(problems) | mr::ops::dc_map<Problem>(solver) | mr::collect(results);
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <millrace/core/row_ops.hpp>
#include <millrace/core/stage_ops.hpp>
#include <millrace/ops/divide_and_conquer.hpp>
#include <millrace/ops/mapreduce_tree.hpp>

namespace millrace::ops {

/// mr::map that solves each record with `solver` (a dc_solver, copied into the operator). The
/// solver's children run on the run's backend, next to the pipeline's own tasks.
template <class P, class Solver>
auto dc_map(Solver solver, std::string name = "divide_and_conquer") {
  return millrace::map([solver = std::move(solver)](P problem) { return solver.solve(std::move(problem)); },
                       std::move(name));
}

/// Reduces every record of the stream to one, in input order, with exactly the grouping of
/// ops::mapreduce over the same sequence (fan-in k, groups reduced left to right). Emits one record
/// at the end, or none for an empty stream.
template <class T, class Reduce>
class tree_reduce_stage {
 public:
  explicit tree_reduce_stage(Reduce reduce, std::size_t fan_in = 8) : acc_(std::move(reduce), fan_in) {}

  /// Pushes the batch's records into the accumulator, in order; emits nothing (a barrier's process).
  std::vector<T> process(std::vector<T>&& batch) {
    for (T& x : batch) acc_.push(std::move(x));
    return {};
  }
  /// At the end of the stream: the one reduced record, or none when the stream was empty.
  std::vector<T> finish() {
    std::vector<T> out;
    if (auto r = acc_.take()) out.push_back(std::move(*r));
    return out;
  }

 private:
  tree_accumulator<T, Reduce> acc_;
};

/// mr::stage(tree_reduce_stage<T>(reduce, fan_in), name).
template <class T, class Reduce>
auto tree_reduce(Reduce reduce, std::size_t fan_in = 8, std::string name = "tree_reduce") {
  return millrace::stage(tree_reduce_stage<T, Reduce>(std::move(reduce), fan_in), std::move(name));
}
/// The same with mapreduce's options struct (the stage uses its fan_in; grain and
/// max_parallel_depth concern the in-memory mapreduce only).
template <class T, class Reduce>
auto tree_reduce(Reduce reduce, tree_reduce_options opt, std::string name = "tree_reduce") {
  return tree_reduce<T>(std::move(reduce), opt.fan_in, std::move(name));
}

}  // namespace millrace::ops

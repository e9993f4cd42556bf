// millrace/ops.hpp — built-in recursive operators: divide and conquer, MapReduce over trees and
// sequences, and their pipeline adaptors (dc_map, tree_reduce).
//   auto sum = mr::ops::mapreduce(v, [](int x) { return x; }, mr::ops::associative(std::plus<>{}));
#pragma once

// The subsystem headers include no executor; this umbrella adds the core's (run, cpu, serial).
#include <millrace/core.hpp>
#include <millrace/ops/divide_and_conquer.hpp>
#include <millrace/ops/mapreduce_tree.hpp>
#include <millrace/ops/operators.hpp>
#include <millrace/ops/tree.hpp>

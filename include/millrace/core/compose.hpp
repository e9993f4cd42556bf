// millrace/core/compose.hpp — the composition half of the core: sources, operators, graphs,
// modules, sinks, the report type and the parallel algorithms, without any executor (no TBB).
// Operator headers include this; <millrace/core.hpp> adds the executors and run().
//   auto p = mr::from_range(v) | mr::map(f) | mr::filter(g) | mr::collect(out);  // run it elsewhere
#pragma once

#include <millrace/core/error.hpp>
#include <millrace/core/graph.hpp>
#include <millrace/core/module.hpp>
#include <millrace/core/parallel.hpp>
#include <millrace/core/pipeline.hpp>
#include <millrace/core/report.hpp>
#include <millrace/core/row_ops.hpp>
#include <millrace/core/sinks.hpp>
#include <millrace/core/sources.hpp>
#include <millrace/core/stage_ops.hpp>

// millrace/core/compose.hpp — the composition half of the core: sources, operators, graphs,
// modules, sinks, the report type and the parallel algorithms, without any executor (no TBB).
// Operator headers include this; <millrace/core.hpp> adds the executors and run().
//   auto p = mr::from_range(v) | mr::map(f) | mr::filter(g) | mr::collect(out);  // run it elsewhere
#pragma once

#include "error.hpp"
#include "graph.hpp"
#include "module.hpp"
#include "parallel.hpp"
#include "pipeline.hpp"
#include "report.hpp"
#include "row_ops.hpp"
#include "sinks.hpp"
#include "sources.hpp"
#include "stage_ops.hpp"

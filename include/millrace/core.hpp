// millrace/core.hpp — the core: operators, composition, modules, executors (serial, oneTBB), report.
// Needs only oneTBB and fmt.
//   auto r = mr::run(mr::from_range(v) | mr::map(f) | mr::filter(g) | mr::collect(out));
#pragma once

#include "core/error.hpp"
#include "core/graph.hpp"
#include "core/module.hpp"
#include "core/parallel.hpp"
#include "core/pipeline.hpp"
#include "core/report.hpp"
#include "core/row_ops.hpp"
#include "core/sinks.hpp"
#include "core/sources.hpp"
#include "core/stage_ops.hpp"
#include "exec/executor.hpp"
#include "exec/options.hpp"
#include "exec/run.hpp"
#include "observe/dot.hpp"
#include "observe/progress_bar.hpp"

// millrace/core.hpp — the core: operators, composition, modules, executors (serial, oneTBB), report.
// Needs only oneTBB and fmt. Operator headers include <millrace/core/compose.hpp> instead (the
// same without executors, so without TBB).
//   auto r = mr::run(mr::from_range(v) | mr::map(f) | mr::filter(g) | mr::collect(out));
#pragma once

#include <millrace/core/compose.hpp>
#include <millrace/exec/executor.hpp>
#include <millrace/exec/options.hpp>
#include <millrace/exec/run.hpp>
#include <millrace/observe/dot.hpp>
#include <millrace/observe/progress_bar.hpp>

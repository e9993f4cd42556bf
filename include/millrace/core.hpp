// millrace/core.hpp — the core: operators, composition, modules, executors (serial, oneTBB), report.
// Needs only oneTBB and fmt. Operator headers include <millrace/core/compose.hpp> instead (the
// same without executors, so without TBB).
//   auto r = mr::run(mr::from_range(v) | mr::map(f) | mr::filter(g) | mr::collect(out));
#pragma once

#include "core/compose.hpp"
#include "exec/executor.hpp"
#include "exec/options.hpp"
#include "exec/run.hpp"
#include "observe/dot.hpp"
#include "observe/progress_bar.hpp"

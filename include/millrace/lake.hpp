// millrace/lake.hpp — data-lake redundancy: which CSV tables are contained in which (schema,
// statistics and content pruning, R2D2-style). The deletion planner (lake/plan.hpp) needs GLPK
// (link `glpk`) and is included on its own.
//   auto edges = mr::lake::find_containments(tables, {.mode = mr::lake::semantics::set});
#pragma once

// The subsystem headers include no executor; this umbrella adds the core's (run, cpu, serial).
#include <millrace/core.hpp>
#include <millrace/lake/containment.hpp>
#include <millrace/lake/operators.hpp>
#include <millrace/lake/read_table.hpp>

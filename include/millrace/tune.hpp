// millrace/tune.hpp — mr::tune: seeded search of a module's declared parameters by a metric
// (random search with successive halving, parallel and deterministic trials).
//   auto r = mr::tune(module, metric, sample, {.seed = 1, .trials = 27});  mr::load_config(module, r.best_config);
#pragma once

#include <millrace/tune/search_space.hpp>
#include <millrace/tune/tune.hpp>

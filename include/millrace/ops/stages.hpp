// millrace/ops/stages.hpp — the former name of millrace/ops/operators.hpp (each subsystem's pipeline
// adaptors are in its operators.hpp); kept for one release so that existing includes compile.
#pragma once

#include <millrace/ops/operators.hpp>

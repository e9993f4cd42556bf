// millrace/lake/ops.hpp — the former name of millrace/lake/operators.hpp (each subsystem's pipeline
// adaptors are in its operators.hpp); kept for one release so that existing includes compile.
#pragma once

#include <millrace/lake/operators.hpp>

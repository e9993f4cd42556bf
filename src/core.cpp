// millrace::compiled — the core's non-template code, compiled once: the oneTBB executor (the only
// place millrace includes oneTBB), the driver's report and the report's formatting, the stage
// runner (core/detail/stage_body.hpp), operator_error and the rethrow helpers, the lowered plan's
// special members, a fused stage's counters, the DOT writer, the JSON config parser and string
// writer. Built with MILLRACE_SEPARATE_COMPILATION defined, so MILLRACE_INLINE is empty and every
// definition below is the program's one copy.
#include <millrace/core/detail/error_impl.hpp>
#include <millrace/core/detail/fused_impl.hpp>
#include <millrace/core/detail/json_value_impl.hpp>
#include <millrace/core/detail/plan_impl.hpp>
#include <millrace/core/detail/report_impl.hpp>
#include <millrace/core/detail/stage_body_impl.hpp>
#include <millrace/exec/detail/driver_impl.hpp>
#include <millrace/exec/detail/tbb_impl.hpp>
#include <millrace/observe/detail/dot_impl.hpp>

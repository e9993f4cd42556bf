// millrace::compiled — the core's non-template code, compiled once: the oneTBB executor (the only
// place millrace includes oneTBB), the driver's report and the report's formatting, the stage
// runner (core/detail/stage_body.hpp). Built with
// MILLRACE_SEPARATE_COMPILATION defined, so MILLRACE_INLINE is empty and every definition below
// is the program's one copy.
#include <millrace/core/detail/report_impl.hpp>
#include <millrace/core/detail/stage_body_impl.hpp>
#include <millrace/exec/detail/driver_impl.hpp>
#include <millrace/exec/detail/tbb_impl.hpp>

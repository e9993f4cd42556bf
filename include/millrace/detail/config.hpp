// millrace/detail/config.hpp — header-only (the default) or separate compilation.
// Header-only: every function is defined in the headers, `inline`. Separate compilation (the
// CMake target millrace::compiled, which defines MILLRACE_SEPARATE_COMPILATION for its users):
// the non-template code of a subsystem (the oneTBB executor, the report, ...) is compiled once
// into libmillrace_compiled, and a user's translation unit sees only its declarations, so it
// neither parses what that code includes (oneTBB's flow graph) nor generates code for it. The
// same scheme as Asio's ASIO_SEPARATE_COMPILATION and spdlog's SPDLOG_COMPILED_LIB:
//   foo.hpp            declarations; at its end `#if MILLRACE_HEADER_ONLY #include <millrace/x/detail/foo_impl.hpp>`
//   detail/foo_impl.hpp definitions, each marked MILLRACE_INLINE
//   src/<subsystem>.cpp includes the impl headers once (MILLRACE_INLINE is empty there)
#pragma once

#if defined(MILLRACE_SEPARATE_COMPILATION)
#define MILLRACE_HEADER_ONLY 0
#define MILLRACE_INLINE
#else
#define MILLRACE_HEADER_ONLY 1
#define MILLRACE_INLINE inline
#endif

// millrace/millrace.hpp — the umbrella header: the core plus every subsystem that is available.
// Heavier subsystems (io/ with simdjson and zstd, dedup/, text/, augment/, lake/) are included
// when present; include their headers directly to keep compile times down.
#pragma once

#include <millrace/core.hpp>

#if __has_include(<millrace/io.hpp>)
#include <millrace/io.hpp>
#endif
#if __has_include(<millrace/dedup.hpp>)
#include <millrace/dedup.hpp>
#endif
#if __has_include(<millrace/ops.hpp>)
#include <millrace/ops.hpp>
#endif
#if __has_include(<millrace/augment.hpp>)
#include <millrace/augment.hpp>
#endif
#if __has_include(<millrace/lake.hpp>)
#include <millrace/lake.hpp>
#endif
#if __has_include(<millrace/filters.hpp>)
#include <millrace/filters.hpp>
#endif
#if __has_include(<millrace/recipe.hpp>)
#include <millrace/recipe.hpp>
#endif

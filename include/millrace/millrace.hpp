// millrace/millrace.hpp — the umbrella header: the core plus every subsystem that is available.
// Heavier subsystems (io/ with simdjson and zstd, dedup/, text/, augment/, lake/) are included
// when present; include their headers directly to keep compile times down.
#pragma once

#include "core.hpp"

#if __has_include("io.hpp")
#include "io.hpp"
#endif
#if __has_include("dedup.hpp")
#include "dedup.hpp"
#endif
#if __has_include("ops.hpp")
#include "ops.hpp"
#endif
#if __has_include("augment.hpp")
#include "augment.hpp"
#endif
#if __has_include("lake.hpp")
#include "lake.hpp"
#endif
#if __has_include("filters.hpp")
#include "filters.hpp"
#endif

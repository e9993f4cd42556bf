# Finds millrace's dependencies; used by the build tree and by the installed package config.
# Required: oneTBB and fmt (the core). The component libraries (simdjson for JSONL, zstd, xxHash,
# utf8proc for Unicode text) are linked when found; headers that need them say so at the top.
include(CMakeFindDependencyMacro)
find_dependency(TBB REQUIRED)
find_dependency(fmt REQUIRED)
find_package(Threads REQUIRED)

set(MILLRACE_COMPONENT_LIBS Threads::Threads)
find_package(simdjson QUIET)
if(TARGET simdjson::simdjson)
  list(APPEND MILLRACE_COMPONENT_LIBS simdjson::simdjson)
endif()
find_package(zstd QUIET)
if(TARGET zstd::libzstd_shared)
  list(APPEND MILLRACE_COMPONENT_LIBS zstd::libzstd_shared)
endif()
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  foreach(_pc IN ITEMS libutf8proc libxxhash)
    string(TOUPPER ${_pc} _var)
    if(NOT TARGET millrace_dep::${_pc})
      pkg_check_modules(MILLRACE_${_var} QUIET IMPORTED_TARGET GLOBAL ${_pc})
      if(MILLRACE_${_var}_FOUND)
        add_library(millrace_dep::${_pc} ALIAS PkgConfig::MILLRACE_${_var})
      endif()
    endif()
    if(TARGET millrace_dep::${_pc})
      list(APPEND MILLRACE_COMPONENT_LIBS millrace_dep::${_pc})
    endif()
  endforeach()
endif()

# Optional components (millrace::llm, ...): one file each in components/. In the installed package
# they find the dependencies the exported component targets link; in the build tree
# (MILLRACE_BUILDING) CMakeLists.txt includes them again after millrace is defined.
file(GLOB MILLRACE_COMPONENT_FILES "${CMAKE_CURRENT_LIST_DIR}/components/*.cmake")
list(SORT MILLRACE_COMPONENT_FILES)
if(NOT MILLRACE_BUILDING)
  foreach(_component IN LISTS MILLRACE_COMPONENT_FILES)
    include(${_component})
  endforeach()
endif()

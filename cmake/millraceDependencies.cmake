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
find_package(ZLIB QUIET)   # gzip inputs and outputs (io/byte_source, io/shard_writer)
if(TARGET ZLIB::ZLIB)
  list(APPEND MILLRACE_COMPONENT_LIBS ZLIB::ZLIB)
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
# millrace_component(<name> LIBS <libs...> [INCLUDES <dirs...>]): called by a component file once
# its dependency is found. In the build tree it defines the INTERFACE target millrace_<name>, alias
# millrace::<name>, exported with the package; in the installed package the exported target exists
# already and this does nothing.
function(millrace_component name)
  cmake_parse_arguments(C "" "" "LIBS;INCLUDES" ${ARGN})
  if(NOT MILLRACE_BUILDING OR TARGET millrace_${name})
    return()
  endif()
  add_library(millrace_${name} INTERFACE)
  add_library(millrace::${name} ALIAS millrace_${name})
  set_target_properties(millrace_${name} PROPERTIES EXPORT_NAME ${name})
  if(C_INCLUDES)
    target_include_directories(millrace_${name} INTERFACE ${C_INCLUDES})
  endif()
  target_link_libraries(millrace_${name} INTERFACE millrace ${C_LIBS})
  install(TARGETS millrace_${name} EXPORT millraceTargets)
endfunction()

file(GLOB MILLRACE_COMPONENT_FILES "${CMAKE_CURRENT_LIST_DIR}/components/*.cmake")
list(SORT MILLRACE_COMPONENT_FILES)
if(NOT MILLRACE_BUILDING)
  foreach(_component IN LISTS MILLRACE_COMPONENT_FILES)
    include(${_component})
  endforeach()
endif()

# Component millrace::pii: the PII filter (include/millrace/filters/pii.hpp) needs RE2.
# Each file in cmake/components/ is included by millraceDependencies.cmake, in the build tree and
# in the installed package alike. It finds its dependency quietly; when found, in the build tree
# (MILLRACE_BUILDING) it defines the INTERFACE target millrace_<name>, alias millrace::<name>,
# exported with the package. A missing dependency only switches the component off.
# RE2's own CMake package where there is one (re2::re2), else its pkg-config file (Debian 12).
find_package(re2 CONFIG QUIET)
if(TARGET re2::re2)
  set(_millrace_re2 re2::re2)
else()
  find_package(PkgConfig QUIET)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(MILLRACE_RE2 QUIET IMPORTED_TARGET GLOBAL re2)
  endif()
  if(TARGET PkgConfig::MILLRACE_RE2)
    set(_millrace_re2 PkgConfig::MILLRACE_RE2)
  endif()
endif()
if(NOT _millrace_re2)
  if(MILLRACE_BUILDING)
    message(STATUS "millrace: RE2 not found; millrace::pii and its tests are skipped")
  endif()
  return()
endif()
millrace_component(pii LIBS ${_millrace_re2})

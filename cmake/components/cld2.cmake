# Component millrace::cld2: CLD2 language identification (include/millrace/filters/cld2.hpp) needs
# libcld2 (Debian libcld2-dev). Each file in cmake/components/ is included by
# millraceDependencies.cmake, in the build tree and in the installed package alike. It finds its
# dependency quietly; when found, in the build tree (MILLRACE_BUILDING) it defines the INTERFACE
# target millrace_<name>, alias millrace::<name>, exported with the package. A missing dependency
# only switches the component off.
find_path(MILLRACE_CLD2_INCLUDE_DIR cld2/public/compact_lang_det.h)
find_library(MILLRACE_CLD2_LIBRARY NAMES cld2)
if(NOT MILLRACE_CLD2_INCLUDE_DIR OR NOT MILLRACE_CLD2_LIBRARY)
  if(MILLRACE_BUILDING)
    message(STATUS "millrace: libcld2 not found; millrace::cld2 and its tests are skipped")
  endif()
  return()
endif()
millrace_component(cld2 LIBS ${MILLRACE_CLD2_LIBRARY} INCLUDES ${MILLRACE_CLD2_INCLUDE_DIR})
